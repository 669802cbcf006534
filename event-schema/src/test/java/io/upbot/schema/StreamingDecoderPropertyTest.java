package io.upbot.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * The codec's decode, with its streaming fast path, and the reference tree decoder give the same
 * record, or the same rejection message, for any bytes: records as the endpoint writes them, and
 * records reordered, thinned, repeated, retyped, widened with unknown fields, truncated, extended,
 * prefixed and re-encoded.
 */
class StreamingDecoderPropertyTest {

  /** What a decoder made of some bytes: the record, or the rejection's message. */
  static Object outcome(byte[] bytes, boolean reference) {
    try {
      return reference ? MediaEventCodec.decodeTree(bytes) : MediaEventCodec.decode(bytes);
    } catch (MalformedEventException e) {
      return "rejected: " + e.getMessage();
    }
  }

  /** What the fast path alone made of them: also "deferred" when it left them to the tree. */
  static Object fastOutcome(byte[] bytes) {
    try {
      MediaEvent e = StreamingDecoder.decode(bytes);
      return e == null ? "deferred" : e;
    } catch (MalformedEventException e) {
      return "rejected: " + e.getMessage();
    }
  }

  @Property(tries = 500)
  void shouldDecodeEveryEncodedRecordOnTheFastPathAsTheTreeDoes(@ForAll("events") MediaEvent e) {
    byte[] bytes = MediaEventCodec.encode(e);
    Object reference = outcome(bytes, true);
    assertThat(outcome(bytes, false)).isEqualTo(reference);
    assertThat(fastOutcome(bytes)).isEqualTo(reference);
  }

  @Property(tries = 3000)
  void shouldDecodeAnyRecordAsTheTreeDoes(@ForAll("records") byte[] bytes) {
    Object reference = outcome(bytes, true);
    Object fast = fastOutcome(bytes);
    Statistics.collect(
        fast.equals("deferred") ? "tree" : "fast",
        reference instanceof MediaEvent ? "record" : "rejected");
    assertThat(outcome(bytes, false)).isEqualTo(reference);
    if (!fast.equals("deferred")) {
      assertThat(fast).isEqualTo(reference);
    }
  }

  // Generators.

  /** Text with escapes, control characters, non-ASCII and surrogate pairs ('E' becomes one). */
  static Arbitrary<String> text() {
    Arbitrary<String> nonEmpty =
        Arbitraries.strings()
            .withChars("ab-_09 /éü中E\"\\\n\t\u0001\u007f")
            .ofMinLength(1)
            .ofMaxLength(12)
            .map(s -> s.replace("E", "\uD83D\uDE00"));
    return Arbitraries.frequencyOf(Tuple.of(9, nonEmpty), Tuple.of(1, Arbitraries.just("")));
  }

  static Arbitrary<Integer> optionalInt() {
    return Arbitraries.integers().injectNull(0.3);
  }

  @Provide
  Arbitrary<MediaEvent> events() {
    Arbitrary<Integer> version =
        Arbitraries.frequencyOf(
            Tuple.of(8, Arbitraries.just(MediaEvent.VERSION)), Tuple.of(1, Arbitraries.integers()));
    Arbitrary<Long> time =
        Arbitraries.frequencyOf(
            Tuple.of(8, Arbitraries.longs().between(1, 4_000_000_000_000L)),
            Tuple.of(1, Arbitraries.longs()));
    Arbitrary<Head> head =
        Combinators.combine(
                version,
                text(),
                text(),
                Arbitraries.integers(),
                optionalInt(),
                text().injectNull(0.3),
                text(),
                time)
            .as(Head::new);
    Arbitrary<Tail> tail =
        Combinators.combine(
                time,
                optionalInt(),
                text().injectNull(0.3),
                text().injectNull(0.3),
                optionalInt(),
                text().injectNull(0.5),
                Arbitraries.of("client", "wecom", "", "other"))
            .as(Tail::new);
    return Combinators.combine(head, tail).as(StreamingDecoderPropertyTest::event);
  }

  record Head(
      int v,
      String appid,
      String openid,
      int accountType,
      Integer deviceType,
      String uuid,
      String eventId,
      long eventTime) {}

  record Tail(
      long receivedAt,
      Integer mediaType,
      String code,
      String traceId,
      Integer duration,
      String unionid,
      String source) {}

  static MediaEvent event(Head h, Tail t) {
    return new MediaEvent(
        h.v(),
        h.appid(),
        h.openid(),
        h.accountType(),
        h.deviceType(),
        h.uuid(),
        h.eventId(),
        h.eventTime(),
        t.receivedAt(),
        t.mediaType(),
        t.code(),
        t.traceId(),
        t.duration(),
        t.unionid(),
        t.source());
  }

  /** One member of an object as written: its name and its value, both raw JSON. */
  record Member(String name, String value) {}

  /** A change to a record's members. */
  interface Mutation {
    void apply(List<Member> members);
  }

  record Shuffle(long seed) implements Mutation {
    @Override
    public void apply(List<Member> members) {
      Collections.shuffle(members, new Random(seed));
    }
  }

  record Drop(int at) implements Mutation {
    @Override
    public void apply(List<Member> members) {
      if (!members.isEmpty()) {
        members.remove(at % members.size());
      }
    }
  }

  /** Repeats a member, with its own value or another one, somewhere in the object. */
  record Repeat(int from, int to, String value) implements Mutation {
    @Override
    public void apply(List<Member> members) {
      if (!members.isEmpty()) {
        Member m = members.get(from % members.size());
        members.add(
            to % (members.size() + 1), new Member(m.name(), value == null ? m.value() : value));
      }
    }
  }

  record Retype(int at, String value) implements Mutation {
    @Override
    public void apply(List<Member> members) {
      if (!members.isEmpty()) {
        int i = at % members.size();
        members.set(i, new Member(members.get(i).name(), value));
      }
    }
  }

  record Add(int at, String name, String value) implements Mutation {
    @Override
    public void apply(List<Member> members) {
      members.add(at % (members.size() + 1), new Member(name, value));
    }
  }

  /** Writes a member's name with \\u escapes: the same name to a parser. */
  record EscapeName(int at) implements Mutation {
    @Override
    public void apply(List<Member> members) {
      if (!members.isEmpty()) {
        int i = at % members.size();
        String raw = members.get(i).name();
        members.set(
            i, new Member(quote(raw.substring(1, raw.length() - 1), true), members.get(i).value()));
      }
    }
  }

  /** A change to the record's bytes. */
  interface Damage {
    byte[] apply(byte[] bytes);
  }

  record Intact() implements Damage {
    @Override
    public byte[] apply(byte[] bytes) {
      return bytes;
    }
  }

  record Truncate(int keep) implements Damage {
    @Override
    public byte[] apply(byte[] bytes) {
      return Arrays.copyOf(bytes, keep % (bytes.length + 1));
    }
  }

  record Append(String suffix) implements Damage {
    @Override
    public byte[] apply(byte[] bytes) {
      return concat(bytes, suffix.getBytes(StandardCharsets.UTF_8));
    }
  }

  record Prefix(byte[] prefix) implements Damage {
    @Override
    public byte[] apply(byte[] bytes) {
      return concat(prefix, bytes);
    }

    @Override
    public String toString() {
      return "Prefix" + Arrays.toString(prefix);
    }
  }

  record SetByte(int at, byte value) implements Damage {
    @Override
    public byte[] apply(byte[] bytes) {
      if (bytes.length == 0) {
        return bytes;
      }
      byte[] out = bytes.clone();
      out[at % out.length] = value;
      return out;
    }
  }

  record Utf16(boolean bigEndian) implements Damage {
    @Override
    public byte[] apply(byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8)
          .getBytes(bigEndian ? StandardCharsets.UTF_16BE : StandardCharsets.UTF_16LE);
    }
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** A JSON string literal, every character as a \\u escape when {@code escapeAll}. */
  static String quote(String s, boolean escapeAll) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (escapeAll || c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  static String json(String s, boolean escapeAll) {
    return s == null ? "null" : quote(s, escapeAll);
  }

  static String json(Object o) {
    return o == null ? "null" : o.toString();
  }

  /** The record's members in docs/stream.md's order, strings escaped one way or the other. */
  static List<Member> members(MediaEvent e, boolean escapeAll) {
    List<Member> m = new ArrayList<>();
    m.add(new Member("\"v\"", json(e.v())));
    m.add(new Member("\"appid\"", json(e.appid(), escapeAll)));
    m.add(new Member("\"openid\"", json(e.openid(), escapeAll)));
    m.add(new Member("\"account_type\"", json(e.accountType())));
    m.add(new Member("\"device_type\"", json(e.deviceType())));
    m.add(new Member("\"uuid\"", json(e.uuid(), escapeAll)));
    m.add(new Member("\"event_id\"", json(e.eventId(), escapeAll)));
    m.add(new Member("\"event_time\"", json(e.eventTime())));
    m.add(new Member("\"received_at\"", json(e.receivedAt())));
    m.add(new Member("\"media_type\"", json(e.mediaType())));
    m.add(new Member("\"code\"", json(e.code(), escapeAll)));
    m.add(new Member("\"trace_id\"", json(e.traceId(), escapeAll)));
    m.add(new Member("\"duration\"", json(e.duration())));
    m.add(new Member("\"unionid\"", json(e.unionid(), escapeAll)));
    m.add(new Member("\"source\"", json(e.source(), escapeAll)));
    return m;
  }

  static String render(List<Member> members, String space) {
    StringBuilder sb = new StringBuilder("{").append(space);
    for (int i = 0; i < members.size(); i++) {
      Member m = members.get(i);
      sb.append(i == 0 ? "" : "," + space)
          .append(m.name())
          .append(space)
          .append(':')
          .append(space)
          .append(m.value())
          .append(space);
    }
    return sb.append('}').toString();
  }

  /** Any JSON value, or not quite: of the right type, of a wrong one, out of range, broken. */
  static Arbitrary<String> value() {
    return Arbitraries.oneOf(
        text().map(s -> quote(s, false)),
        Arbitraries.of(
            "\"\"",
            "\"\\u0076\"",
            "\"\\ud800\"",
            "\"\\uDE00x\"",
            "\"a\\u0000b\"",
            "\"\\/\"",
            "\"unterminated",
            "null",
            "true",
            "false",
            "0",
            "-0",
            "1",
            "-1",
            "01",
            "1.5",
            "-0.0",
            "1.0",
            "1e3",
            "1E+2",
            "NaN",
            "2147483647",
            "2147483648",
            "-2147483648",
            "-2147483649",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "1" + "0".repeat(31),
            "1" + "0".repeat(32),
            "{}",
            "[]",
            "[1,{\"a\":null}]",
            "{\"a\":{\"b\":[true,\"x\"]}}",
            "{\"v\":1,\"v\":2}",
            "[".repeat(17) + "]".repeat(17)),
        Arbitraries.integers().map(String::valueOf),
        Arbitraries.longs().map(String::valueOf),
        Arbitraries.bigIntegers()
            .between(BigInteger.TEN.pow(40).negate(), BigInteger.TEN.pow(40))
            .map(String::valueOf),
        // Around the 64 KiB string limit, in one-byte and two-byte characters.
        Combinators.combine(
                Arbitraries.integers().between(65_530, 65_540), Arbitraries.of("x", "é"))
            .as((n, c) -> "\"" + c.repeat(n) + "\""));
  }

  static Arbitrary<String> name() {
    return Arbitraries.of(
        "\"x\"",
        "\"V\"",
        "\"appid \"",
        "\"\"",
        "\"source2\"",
        "\"v\"",
        "\"\\u0076\"",
        "\"event_time\"",
        "\"source\"",
        "\"unionid\"");
  }

  static Arbitrary<Mutation> mutation() {
    Arbitrary<Integer> at = Arbitraries.integers().between(0, 40);
    return Arbitraries.oneOf(
        Arbitraries.longs().map(Shuffle::new),
        at.map(Drop::new),
        Combinators.combine(at, at, value().injectNull(0.5)).as(Repeat::new),
        Combinators.combine(at, value()).as(Retype::new),
        Combinators.combine(at, name(), value()).as(Add::new),
        at.map(EscapeName::new));
  }

  static Arbitrary<Damage> damage() {
    return Arbitraries.frequencyOf(
        Tuple.of(12, Arbitraries.just(new Intact())),
        Tuple.of(2, Arbitraries.integers().between(0, 400).map(Truncate::new)),
        Tuple.of(
            2,
            Arbitraries.of(" ", "\n\t", "x", "{}", ",", "\u0000", "]", "\"", "// c", " 1")
                .map(Append::new)),
        Tuple.of(
            2,
            Arbitraries.of(
                    new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                    new byte[] {(byte) 0xFE, (byte) 0xFF},
                    new byte[] {' '},
                    new byte[] {'\n', '\r'},
                    new byte[] {'['})
                .map(Prefix::new)),
        Tuple.of(
            2,
            Combinators.combine(
                    Arbitraries.integers().between(0, 400),
                    Arbitraries.of(
                        (byte) 0, (byte) 0x80, (byte) 0xC3, (byte) 0xFF, (byte) '}', (byte) '"'))
                .as(SetByte::new)),
        Tuple.of(1, Arbitraries.of(true, false).map(Utf16::new)));
  }

  @Provide
  Arbitrary<byte[]> records() {
    return Combinators.combine(
            events(),
            Arbitraries.of(true, false),
            mutation().list().ofMaxSize(3),
            Arbitraries.of("", "", " ", "\n\t ", "\r\n"),
            damage())
        .as(
            (e, escapeAll, mutations, space, damage) -> {
              List<Member> members = members(e, escapeAll);
              for (Mutation m : mutations) {
                m.apply(members);
              }
              return damage.apply(render(members, space).getBytes(StandardCharsets.UTF_8));
            });
  }
}
