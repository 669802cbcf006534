package io.upbot.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.upbot.schema.Fixtures;
import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every field rule of docs/api.md, table-driven from the shared request fixtures. */
class BatchValidatorTest {
  static final long RECEIVED_AT = 1_699_274_742_123L;
  private final BatchValidator validator = new BatchValidator(500, 1024 * 1024);

  static Stream<String> validFixtures() {
    return Fixtures.list("requests/valid").stream();
  }

  static Stream<Arguments> invalidFixtures() throws Exception {
    JsonNode index = new ObjectMapper().readTree(Fixtures.bytes("requests/invalid.expected.json"));
    List<String> files = Fixtures.list("requests/invalid");
    assertThat(files).hasSize(index.size());
    return files.stream()
        .map(
            f -> {
              JsonNode e = index.get(f.replaceFirst("\\.json$", ""));
              assertThat(e).as("index entry for " + f).isNotNull();
              return Arguments.of(f, e.get("ret").intValue(), e.get("detail").textValue());
            });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validFixtures")
  void shouldAcceptEveryValidFixture(String file) {
    BatchValidator.Result r =
        validator.validate(Fixtures.bytes("requests/valid/" + file), RECEIVED_AT);
    assertThat(r).isInstanceOf(BatchValidator.Accepted.class);
  }

  @ParameterizedTest(name = "{0} -> {1} {2}")
  @MethodSource("invalidFixtures")
  void shouldRejectEveryInvalidFixtureNamingTheFirstOffendingField(
      String file, int ret, String detail) {
    BatchValidator.Result r =
        validator.validate(Fixtures.bytes("requests/invalid/" + file), RECEIVED_AT);
    assertThat(r).isInstanceOf(BatchValidator.Rejected.class);
    Answer rejection = ((BatchValidator.Rejected) r).answer();
    assertThat(rejection.ret().code()).isEqualTo(ret);
    assertThat(rejection.detail()).isEqualTo(detail);
  }

  @Test
  void shouldTurnTheApiExampleIntoTheGoldenRecord() throws Exception {
    BatchValidator.Accepted a =
        (BatchValidator.Accepted)
            validator.validate(Fixtures.bytes("requests/valid/api-example.json"), RECEIVED_AT);
    assertThat(a.appid()).isEqualTo("xxxx");
    assertThat(a.events()).hasSize(1);
    MediaEvent golden = MediaEventCodec.decode(Fixtures.bytes("stream/api-example.record.json"));
    assertThat(a.events().get(0)).isEqualTo(golden);
    assertThat(a.events().get(0).code()).isEqualTo("IsFXtWUZ3x3hywGl");
    assertThat(a.events().get(0).eventId()).isEqualTo("1002");
  }

  @Test
  void shouldCopyTheUnionidIntoTheRecordAsAClientRecordWhenGiven() {
    MediaEvent with = only("requests/valid/unionid.json");
    assertThat(with.unionid()).isEqualTo("ozynqsulJFCZ2z1aYeS8h-nuasdAAA");
    assertThat(with.source()).isEqualTo(MediaEvent.SOURCE_CLIENT);
    assertThat(only("requests/valid/unionid-128-characters.json").unionid()).hasSize(128);
    MediaEvent without = only("requests/valid/full.json");
    assertThat(without.unionid()).isNull();
    assertThat(without.source()).isEqualTo(MediaEvent.SOURCE_CLIENT);
  }

  @Test
  void shouldKeepSecondsAsMillisAndMillisAsIs() {
    MediaEvent secs = only("requests/valid/full.json");
    assertThat(secs.eventTime()).isEqualTo(1_699_274_742_000L);
    MediaEvent millis = only("requests/valid/event-time-millis.json");
    assertThat(millis.eventTime()).isEqualTo(1_699_274_742_123L);
  }

  @Test
  void shouldTreatTheSecondsThresholdExactly() {
    String justBelow = body("\"event_time\":99999999999");
    String atThreshold = body("\"event_time\":100000000000");
    assertThat(events(justBelow).get(0).eventTime()).isEqualTo(99_999_999_999_000L);
    assertThat(events(atThreshold).get(0).eventTime()).isEqualTo(100_000_000_000L);
  }

  @Test
  void shouldCoerceAnIntegerEventIdToItsDecimalString() {
    assertThat(only("requests/valid/event-id-integer.json").eventId()).isEqualTo("1110204");
    assertThat(events(body("\"event_id\":-7,\"event_time\":1")).get(0).eventId()).isEqualTo("-7");
  }

  @Test
  void shouldTrimCodeAndTraceAndTreatBlankAsAbsent() {
    MediaEvent blank = only("requests/valid/blank-code-and-trace-mean-absent.json");
    assertThat(blank.code()).isNull();
    assertThat(blank.traceId()).isNull();
    assertThat(blank.kafkaKey()).isEqualTo("wx-app|openid:o-user-1");
    MediaEvent limits = only("requests/valid/limits-inclusive.json");
    assertThat(limits.code()).isEqualTo("c".repeat(64));
    MediaEvent ideographicSpace =
        events(
                body(
                    "\"event_id\":\"1\",\"event_time\":1,\"code\":\"\u3000abc\u3000\",\"trace_id\":\" t \""))
            .get(0);
    assertThat(ideographicSpace.code()).isEqualTo("abc");
    assertThat(ideographicSpace.traceId()).isEqualTo("t");
  }

  @Test
  void shouldTreatNullOptionalFieldsAsAbsent() {
    MediaEvent e = only("requests/valid/nulls-mean-absent.json");
    assertThat(e.deviceType()).isNull();
    assertThat(e.uuid()).isNull();
    assertThat(e.mediaType()).isNull();
    assertThat(e.code()).isNull();
    assertThat(e.traceId()).isNull();
    assertThat(e.duration()).isNull();
  }

  @Test
  void shouldAcceptTheItemAliasLikeItems() {
    assertThat(events(new String(Fixtures.bytes("requests/valid/item-alias.json"))))
        .isEqualTo(events(new String(Fixtures.bytes("requests/valid/full.json"))));
  }

  @Test
  void shouldGiveEveryRecordOfTheBatchTheSameReceivedAtAndKeepItemOrder() {
    List<MediaEvent> es =
        events(new String(Fixtures.bytes("requests/valid/three-items-mixed-traces.json")));
    assertThat(es).extracting(MediaEvent::receivedAt).containsOnly(RECEIVED_AT);
    assertThat(es)
        .extracting(MediaEvent::eventTime)
        .containsExactly(1_699_274_742_000L, 1_699_274_743_000L, 1_699_274_744_000L);
    assertThat(es)
        .extracting(MediaEvent::kafkaKey)
        .containsExactly("wx-app|trace-a", "wx-app|trace-b", "wx-app|openid:o-user-1");
  }

  @Test
  void shouldAcceptExactly500Items() {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < 500; i++) {
      sb.append(i == 0 ? "" : ",")
          .append("{\"event_id\":\"1\",\"event_time\":")
          .append(i + 1)
          .append('}');
    }
    String json =
        "{\"head\":{\"account_info\":{\"account_type\":2,\"appid\":\"a\",\"openid\":\"o\"}},\"items\":"
            + sb
            + "]}";
    assertThat(events(json)).hasSize(500);
  }

  private MediaEvent only(String fixture) {
    List<MediaEvent> es =
        events(new String(Fixtures.bytes(fixture), java.nio.charset.StandardCharsets.UTF_8));
    assertThat(es).hasSize(1);
    return es.get(0);
  }

  private List<MediaEvent> events(String json) {
    BatchValidator.Result r =
        validator.validate(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), RECEIVED_AT);
    assertThat(r).as(String.valueOf(r)).isInstanceOf(BatchValidator.Accepted.class);
    return ((BatchValidator.Accepted) r).events();
  }

  /** A one-item body whose item is {@code itemFields}. */
  static String body(String itemFields) {
    if (!itemFields.contains("event_id")) {
      itemFields = "\"event_id\":\"1\"," + itemFields;
    }
    return "{\"head\":{\"account_info\":{\"account_type\":2,\"appid\":\"a\",\"openid\":\"o\"}},\"items\":[{"
        + itemFields
        + "}]}";
  }

  private String detail(String json) {
    return detail(json.getBytes(StandardCharsets.UTF_8));
  }

  private String detail(byte[] json) {
    BatchValidator.Result r = validator.validate(json, RECEIVED_AT);
    assertThat(r).as(String.valueOf(r)).isInstanceOf(BatchValidator.Rejected.class);
    return ((BatchValidator.Rejected) r).answer().detail();
  }

  static final String EMOJI_ESCAPED =
      "\\ud83d\\ude00"; // one character (U+1F600), written as a JSON escape pair

  /**
   * Lengths count characters (code points), and the job counts the same way (RecordDecoderTest).
   */
  @Test
  void shouldCountLengthsInCharactersNotUtf16Units() {
    String appid64 =
        "{\"head\":{\"account_info\":{\"account_type\":2,\"appid\":\""
            + EMOJI_ESCAPED.repeat(64)
            + "\",\"openid\":\"o\"}},\"items\":[{\"event_id\":\"1\",\"event_time\":1}]}";
    assertThat(events(appid64).get(0).appid()).hasSize(128);
    assertThat(
            events(body("\"event_time\":1,\"code\":\"" + EMOJI_ESCAPED.repeat(64) + "\""))
                .get(0)
                .code())
        .hasSize(128);
    assertThat(
            events(body("\"event_id\":\"" + EMOJI_ESCAPED.repeat(32) + "\",\"event_time\":1"))
                .get(0)
                .eventId())
        .hasSize(64);
    assertThat(detail(body("\"event_id\":\"" + EMOJI_ESCAPED.repeat(33) + "\",\"event_time\":1")))
        .isEqualTo("items[0].event_id: must be 1 to 32 characters");
  }

  /**
   * U+0000: PostgreSQL text cannot hold it, so the job would dead-letter the event; refused up
   * front.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"appid\":\"a\\u0000\",\"openid\":\"o\"  | \"event_id\":\"1\",\"event_time\":1                   | head.account_info.appid",
        "\"appid\":\"a\",\"openid\":\"o\\u0000\"  | \"event_id\":\"1\",\"event_time\":1                   | head.account_info.openid",
        "\"appid\":\"a\",\"openid\":\"o\"         | \"event_id\":\"\\u00001\",\"event_time\":1             | items[0].event_id",
        "\"appid\":\"a\",\"openid\":\"o\"         | \"event_id\":\"1\",\"event_time\":1,\"code\":\"x\\u0000y\"  | items[0].code",
        "\"appid\":\"a\",\"openid\":\"o\"         | \"event_id\":\"1\",\"event_time\":1,\"trace_id\":\"\\u0000\" | items[0].trace_id",
      })
  void shouldRefuseU0000InAnyStringField(String account, String item, String path) {
    String json =
        "{\"head\":{\"account_info\":{\"account_type\":2,"
            + account.strip()
            + "}},\"items\":[{"
            + item.strip()
            + "}]}";
    assertThat(detail(json)).isEqualTo(path + ": must not contain U+0000");
  }

  @Test
  void shouldRefuseU0000InTheDeviceUuid() {
    String json =
        "{\"head\":{\"account_info\":{\"account_type\":2,\"appid\":\"a\",\"openid\":\"o\"},"
            + "\"device_info\":{\"uuid\":\"u\\u0000\"}},\"items\":[{\"event_id\":\"1\",\"event_time\":1}]}";
    assertThat(detail(json)).isEqualTo("head.device_info.uuid: must not contain U+0000");
  }

  /**
   * An escaped lone surrogate cannot be written as UTF-8: the record key would hold '?' and traces
   * collide.
   */
  @ParameterizedTest
  @ValueSource(strings = {"\\ud800", "x\\udbff", "\\udc00y", "\\ude00\\ud83d"})
  void shouldRefuseAnUnpairedSurrogate(String escaped) {
    assertThat(detail(body("\"event_time\":1,\"trace_id\":\"" + escaped + "\"")))
        .isEqualTo("items[0].trace_id: invalid Unicode");
    assertThat(detail(body("\"event_id\":\"" + escaped + "\",\"event_time\":1")))
        .isEqualTo("items[0].event_id: invalid Unicode");
  }

  /**
   * Bytes that are not UTF-8 (RFC 3629) inside a string: overlong forms (C0 AF, E0 80 AF: Jackson
   * would read '/'), an encoded surrogate, beyond U+10FFFF, a 5-byte form. Named by the field that
   * holds them.
   */
  @ParameterizedTest
  @ValueSource(strings = {"C0AF", "E080AF", "EDA080", "F4908080", "F880808080", "FF", "C3"})
  void shouldRefuseInvalidUtf8InsideAString(String hex) {
    String open = body("\"event_time\":1,\"code\":\"x"); // ends x}]}: cut to the open string
    byte[] pre = open.substring(0, open.length() - 3).getBytes(StandardCharsets.UTF_8);
    byte[] mid = HexFormat.of().parseHex(hex);
    byte[] post = "\"}]}".getBytes(StandardCharsets.UTF_8);
    byte[] b = new byte[pre.length + mid.length + post.length];
    System.arraycopy(pre, 0, b, 0, pre.length);
    System.arraycopy(mid, 0, b, pre.length, mid.length);
    System.arraycopy(post, 0, b, pre.length + mid.length, post.length);
    assertThat(detail(b)).isEqualTo("items[0].code: invalid UTF-8");
  }

  @Test
  void shouldNameTheBodyForInvalidUtf8OutsideAnyFieldAndAnEarlierErrorFirst() {
    byte[] afterValue = (body("\"event_time\":1") + "\u0001").getBytes(StandardCharsets.UTF_8);
    afterValue[afterValue.length - 1] = (byte) 0xC0;
    assertThat(detail(afterValue)).isEqualTo("body: invalid UTF-8");
    // A duplicate key before the bad byte is the first offending thing.
    byte[] dup = "{\"head\":1,\"head\":2,\"x\":\"\u0001\"}".getBytes(StandardCharsets.UTF_8);
    dup[dup.length - 3] = (byte) 0xC0;
    assertThat(detail(dup)).isEqualTo("head: duplicate key");
  }

  @Test
  void shouldTrimEveryUnicodeWhiteSpaceAroundCodeAndTraceIdAndNothingElse() {
    MediaEvent e =
        events(
                body(
                    "\"event_time\":1,\"code\":\"\\u00A0IsFX\\u0085\",\"trace_id\":\"\\u202Ft-1\\u2007\""))
            .get(0);
    assertThat(e.code()).isEqualTo("IsFX");
    assertThat(e.traceId()).isEqualTo("t-1");
    assertThat(events(body("\"event_time\":1,\"code\":\"\\u00A0\"")).get(0).code())
        .as("blank means absent")
        .isNull();
    // U+001F is an information separator, not white space: kept, as the job keeps it.
    assertThat(events(body("\"event_time\":1,\"code\":\"\\u001Fx\"")).get(0).code())
        .isEqualTo("\u001Fx");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"event_id\":\"1\",\"event_time\":1.699274742E9",
        "\"event_id\":\"1\",\"event_time\":1699274742.0",
        "\"event_id\":\"1\",\"event_time\":1699274742e0",
        "\"event_id\":1e3,\"event_time\":1699274742",
        "\"event_id\":1.0,\"event_time\":1699274742",
        "\"event_id\":\"1\",\"event_time\":1699274742,\"duration\":1e1",
        "\"event_id\":\"1\",\"event_time\":1699274742,\"media_type\":2.0",
        "\"event_id\":\"1\",\"event_time\":1699274742,\"duration\":-0.0",
      })
  void shouldRefuseFractionsAndExponentsWhereIntegersAreRequired(String item) {
    assertThat(validator.validate(body(item).getBytes(StandardCharsets.UTF_8), RECEIVED_AT))
        .isInstanceOf(BatchValidator.Rejected.class);
  }

  @ParameterizedTest
  @CsvSource({
    "12345678901234567890123456789012, 12345678901234567890123456789012",
    "-1234567890123456789012345678901, -1234567890123456789012345678901",
    "-0, 0",
  })
  void shouldTurnLongIntegerEventIdsIntoTheirDecimalString(String json, String expected) {
    assertThat(events(body("\"event_id\":" + json + ",\"event_time\":1")).get(0).eventId())
        .isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"123456789012345678901234567890123", "-12345678901234567890123456789012"})
  void shouldRefuseIntegerEventIdsLongerThan32Characters(String json) {
    assertThat(detail(body("\"event_id\":" + json + ",\"event_time\":1")))
        .isEqualTo("items[0].event_id: must be 1 to 32 characters");
  }
}
