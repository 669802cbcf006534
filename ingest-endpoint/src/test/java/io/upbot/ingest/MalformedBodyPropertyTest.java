package io.upbot.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random and mutated bodies always get a well-formed JSON answer with a 4xx ret (1001 or 1003) and
 * write nothing: never a 5xx, a stack trace or a hang.
 */
class MalformedBodyPropertyTest {
  private static TestEndpoint ep;

  @BeforeContainer
  static void start() {
    ep = new TestEndpoint();
  }

  @AfterContainer
  static void stop() {
    ep.close();
  }

  /** Where a mutation goes: the root object, head, account_info, device_info or the first item. */
  enum Spot {
    ROOT,
    HEAD,
    ACCOUNT,
    DEVICE,
    ITEM
  }

  /**
   * A compact valid body; {@code extra} (e.g. {@code "k":v,}) is inserted first into the object at
   * {@code spot}.
   */
  static String body(Spot spot, String extra, String accountFields, String itemFields) {
    String root = spot == Spot.ROOT ? extra : "";
    String head = spot == Spot.HEAD ? extra : "";
    String account = spot == Spot.ACCOUNT ? extra : "";
    String device = spot == Spot.DEVICE ? extra : "";
    String item = spot == Spot.ITEM ? extra : "";
    return "{"
        + root
        + "\"head\":{"
        + head
        + "\"account_info\":{"
        + account
        + accountFields
        + "},"
        + "\"device_info\":{"
        + device
        + "\"device_type\":1,\"uuid\":\"u\"}},"
        + "\"items\":[{"
        + item
        + itemFields
        + "},{\"event_id\":\"1110204\",\"event_time\":1699274743}]}";
  }

  static final String ACCOUNT = "\"account_type\":2,\"appid\":\"wx-app\",\"openid\":\"o\"";
  static final String ITEM =
      "\"event_id\":\"1110201\",\"event_time\":1699274742,\"media_type\":2,\"code\":\"c\",\"trace_id\":\"t\",\"duration\":3";

  static String valid() {
    return body(Spot.ROOT, "", ACCOUNT, ITEM);
  }

  @Property(tries = 150)
  void randomBytesGetAWellFormed4xxAndWriteNothing(@ForAll("randomBytes") byte[] body) {
    assertRefused(body);
  }

  @Property(tries = 150)
  void truncatedBodiesGetAWellFormed4xxAndWriteNothing(@ForAll("truncated") byte[] body) {
    assertRefused(body);
  }

  @Property(tries = 200)
  void mutatedBodiesGetAWellFormed4xxAndWriteNothing(@ForAll("mutated") byte[] body) {
    assertRefused(body);
  }

  @Provide
  Arbitrary<byte[]> randomBytes() {
    return Arbitraries.oneOf(
        Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
        // JSON-ish noise hits the parser deeper than random bytes do.
        Arbitraries.strings()
            .withChars("{}[]\":,0123456789.-eE truefalsnul\\")
            .ofMaxLength(300)
            .map(s -> s.getBytes(StandardCharsets.UTF_8)));
  }

  @Provide
  Arbitrary<byte[]> truncated() {
    byte[] full = valid().getBytes(StandardCharsets.UTF_8);
    return Arbitraries.integers()
        .between(0, full.length - 1)
        .map(n -> java.util.Arrays.copyOf(full, n));
  }

  @Provide
  Arbitrary<byte[]> mutated() {
    return Arbitraries.oneOf(
        wrongTypes(), hugeValues(), deepNesting(), duplicateKeys(), invalidUtf8());
  }

  private static final List<String> ACCOUNT_FIELDS = List.of("account_type", "appid", "openid");
  private static final List<String> ITEM_FIELDS =
      List.of("event_id", "event_time", "media_type", "code", "trace_id", "duration");

  /**
   * A known field replaced by a value of a wrong type (or a wrong integer), given twice otherwise.
   */
  Arbitrary<byte[]> wrongTypes() {
    Arbitrary<String> wrongForString =
        Arbitraries.of("1", "1.5", "true", "{}", "[]", "[\"x\"]", "{\"a\":1}");
    Arbitrary<String> wrongForInt =
        Arbitraries.of(
            "\"2\"", "2.5", "1e3", "-0.0", "true", "{}", "[]", "\"\"", "-1", "9223372036854775808");
    Arbitrary<String> wrongForEventId = Arbitraries.of("1.5", "true", "false", "{}", "[]", "\"\"");
    Arbitrary<String> wrongForEventTime =
        Arbitraries.of("\"1699274742\"", "1699274742.5", "0", "-5", "true", "{}", "[]", "1e10");
    Arbitrary<byte[]> account =
        Combinators.combine(Arbitraries.of(ACCOUNT_FIELDS), wrongForString, wrongForInt)
            .as((f, ws, wi) -> replace(ACCOUNT, f, f.equals("account_type") ? wi : ws))
            .map(a -> body(Spot.ROOT, "", a, ITEM).getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> item =
        Combinators.combine(
                Arbitraries.of(ITEM_FIELDS),
                wrongForString,
                wrongForInt,
                wrongForEventId,
                wrongForEventTime)
            .as(
                (f, ws, wi, we, wt) ->
                    switch (f) {
                      case "event_id" -> replace(ITEM, f, we);
                      case "event_time" -> replace(ITEM, f, wt);
                      case "code", "trace_id" -> replace(ITEM, f, ws);
                      default ->
                          replace(ITEM, f, wi.equals("-1") && f.equals("media_type") ? "-1" : wi);
                    })
            .map(i -> body(Spot.ROOT, "", ACCOUNT, i).getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> structure =
        Arbitraries.of(
                "{\"head\":[],\"items\":[]}",
                "{\"head\":{\"account_info\":[]},\"items\":[{}]}",
                valid().replace("\"items\":[", "\"items\":{\"x\":[").replace("]}", "]}}"),
                valid().replace("\"items\"", "\"item\":[],\"items\""),
                "[" + valid() + "]",
                valid() + valid())
            .map(s -> s.getBytes(StandardCharsets.UTF_8));
    return Arbitraries.oneOf(account, item, structure);
  }

  /** Strings, numbers and arrays far over their limits. */
  Arbitrary<byte[]> hugeValues() {
    Arbitrary<String> longString =
        Arbitraries.integers().between(129, 200_000).map(n -> "\"" + "x".repeat(n) + "\"");
    Arbitrary<String> longNumber =
        Arbitraries.integers().between(20, 5_000).map(n -> "9".repeat(n));
    Arbitrary<byte[]> strings =
        Combinators.combine(
                Arbitraries.of("appid", "openid", "event_id", "code", "trace_id"), longString)
            .as(
                (f, v) ->
                    f.equals("appid") || f.equals("openid")
                        ? body(Spot.ROOT, "", replace(ACCOUNT, f, v), ITEM)
                        : body(Spot.ROOT, "", ACCOUNT, replace(ITEM, f, v)))
            .map(s -> s.getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> numbers =
        Combinators.combine(Arbitraries.of("event_time", "media_type", "duration"), longNumber)
            .as(
                (f, v) ->
                    body(Spot.ROOT, "", ACCOUNT, replace(ITEM, f, v))
                        .getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> manyItems =
        Arbitraries.integers()
            .between(501, 3000)
            .map(
                n -> {
                  StringBuilder sb =
                      new StringBuilder(
                          "{\"head\":{\"account_info\":{" + ACCOUNT + "}},\"items\":[");
                  for (int i = 0; i < n; i++) {
                    sb.append(i == 0 ? "" : ",").append("{\"event_id\":\"1\",\"event_time\":1}");
                  }
                  return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
                });
    Arbitrary<byte[]> overMiB =
        Arbitraries.integers()
            .between(1024 * 1024 + 1, 2 * 1024 * 1024)
            .map(
                n -> {
                  byte[] b = new byte[n];
                  java.util.Arrays.fill(b, (byte) ' ');
                  byte[] v = valid().getBytes(StandardCharsets.UTF_8);
                  System.arraycopy(v, 0, b, 0, v.length);
                  return b;
                });
    return Arbitraries.oneOf(strings, numbers, manyItems, overMiB);
  }

  /** An unknown field nested deeper than the parser allows, anywhere. */
  Arbitrary<byte[]> deepNesting() {
    return Combinators.combine(
            Arbitraries.of(Spot.values()),
            Arbitraries.integers().between(33, 5_000),
            Arbitraries.of("[", "{\"a\":"))
        .as(
            (spot, depth, open) -> {
              String close = open.equals("[") ? "]" : "}";
              return body(
                      spot,
                      "\"deep\":" + open.repeat(depth) + "1" + close.repeat(depth) + ",",
                      ACCOUNT,
                      ITEM)
                  .getBytes(StandardCharsets.UTF_8);
            });
  }

  /** A key given twice in one object, known or not, with the same or another value. */
  Arbitrary<byte[]> duplicateKeys() {
    Arbitrary<byte[]> known =
        Combinators.combine(Arbitraries.of(ITEM_FIELDS), Arbitraries.of("null", "\"1\"", "1"))
            .as(
                (f, v) ->
                    body(Spot.ITEM, "\"" + f + "\":" + v + ",", ACCOUNT, ITEM)
                        .getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> account =
        Arbitraries.of(ACCOUNT_FIELDS)
            .map(
                f ->
                    body(Spot.ACCOUNT, "\"" + f + "\":null,", ACCOUNT, ITEM)
                        .getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> unknown =
        Arbitraries.of(Spot.values())
            .map(s -> body(s, "\"x\":1,\"x\":1,", ACCOUNT, ITEM).getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> top =
        Arbitraries.of("head", "items")
            .map(
                f ->
                    valid()
                        .replaceFirst("\\{", "{\"" + f + "\":null,")
                        .getBytes(StandardCharsets.UTF_8));
    return Arbitraries.oneOf(known, account, unknown, top);
  }

  /** Bytes that are not UTF-8 inside a string value. */
  Arbitrary<byte[]> invalidUtf8() {
    List<byte[]> bad =
        List.of(
            new byte[] {(byte) 0xFF},
            new byte[] {(byte) 0x80},
            new byte[] {(byte) 0xC3},
            new byte[] {(byte) 0xE4, (byte) 0xB8},
            new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98},
            new byte[] {(byte) 0xFE, (byte) 0xFF});
    return Combinators.combine(
            Arbitraries.of(
                "\"appid\":\"", "\"openid\":\"", "\"code\":\"", "\"trace_id\":\"", "\"uuid\":\""),
            Arbitraries.of(bad))
        .as(
            (field, seq) -> {
              String v = valid();
              int at = v.indexOf(field) + field.length();
              ByteArrayOutputStream out = new ByteArrayOutputStream();
              byte[] b = v.getBytes(StandardCharsets.UTF_8);
              out.write(b, 0, at);
              out.write(seq, 0, seq.length);
              out.write(b, at, b.length - at);
              return out.toByteArray();
            });
  }

  private static String replace(String fields, String field, String value) {
    return fields.replaceFirst(
        "\"" + field + "\":(\"[^\"]*\"|[-0-9]+)",
        "\"" + field + "\":" + java.util.regex.Matcher.quoteReplacement(value));
  }

  private static void assertRefused(byte[] body) {
    int before = ep.writer.sent().size();
    TestEndpoint.Answer a =
        ep.send(
            ep.request(IngestServer.API_PATH)
                .header("Authorization", TestEndpoint.HASHED_TOKEN)
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofByteArray(body)));
    assertThat(a.status()).as(a.text()).isBetween(400, 499);
    assertThat(a.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
    assertThat(a.json()).as(a.text()).isNotNull();
    int ret = a.ret();
    assertThat(ret).isIn(1001, 1003);
    Ret expected = ret == 1001 ? Ret.PARAMETER_ERROR : Ret.TOO_LARGE;
    assertThat(a.status()).isEqualTo(expected.httpStatus());
    assertThat(a.msg()).isEqualTo(expected.msg());
    if (ret == 1001) {
      assertThat(a.detail()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
    }
    assertThat(ep.writer.sent()).hasSize(before);
  }

  @Property(tries = 1)
  void theUnmutatedBodyIsAccepted() {
    // Guards the generators: every refusal above comes from the mutation, not from the base body.
    TestEndpoint.Answer a =
        ep.send(
            ep.request(IngestServer.API_PATH)
                .header("Authorization", TestEndpoint.HASHED_TOKEN)
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(valid())));
    assertThat(a.ret()).as(a.text()).isZero();
  }
}
