package io.upbot.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.upbot.schema.Fixtures;
import io.upbot.schema.MediaEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A fuzzing campaign over the request parser, in-process: valid bodies (the fixtures and the
 * corpus) are mutated (byte flips, insertions, deletions, truncation, splices, huge numbers,
 * Unicode edge cases, nesting, duplicate keys, wrong types) and sent plain, gzipped, as corrupted
 * gzip, or as plain bytes claimed to be gzip, to the same {@link BatchValidator#validateBody} the
 * server calls.
 *
 * <p>The property: every input gets one of the documented answers (ret 0 with 1–500 records of one
 * appid, or 1001/1003 with a short, specific detail), the same one every time, within seconds, and
 * nothing is thrown. The short run (jqwik's default, 1,000 tries) is part of {@code mvn verify}; a
 * longer one: {@code mvn -pl ingest-endpoint test -Dtest=RequestParserFuzzTest
 * -Djqwik.tries.default=200000}. An input that fails is saved under {@code target/fuzz-findings/}:
 * copy it into {@code fuzz-corpus/} (named {@code <ret>-<what>.json}, or {@code .gz} for a gzip
 * body) once fixed, and it is replayed for ever.
 */
class RequestParserFuzzTest {
  static final long RECEIVED_AT = 1_699_274_742_123L;
  static final int MAX_BODY = 1024 * 1024;
  static final BatchValidator VALIDATOR = new BatchValidator(500, MAX_BODY);
  static final Path CORPUS = Path.of("src", "test", "resources", "fuzz-corpus");
  static final Path FINDINGS = Path.of("target", "fuzz-findings");
  static final List<Seed> SEEDS = seeds();

  /**
   * A body to start from: a valid fixture, or a corpus entry (plain or gzip, decompressed here).
   */
  record Seed(String name, byte[] bytes) {}

  /** What a mutation does; {@code where} and {@code what} pick the place and the material. */
  enum Kind {
    FLIP,
    INSERT,
    DELETE,
    TRUNCATE,
    SPLICE,
    VALUE,
    NEST,
    DUPLICATE_KEY,
    UNICODE
  }

  record Mutation(Kind kind, int where, int what) {}

  /** How the mutated bytes go on the wire. */
  enum Encoding {
    PLAIN,
    GZIP,
    GZIP_CORRUPTED,
    CLAIMED_GZIP
  }

  /** One fuzz input, described by how it was made (jqwik shrinks the mutation list). */
  record Input(
      String seed, List<Mutation> mutations, Encoding encoding, byte[] bytes, boolean gzip) {
    @Override
    public String toString() {
      return seed + " " + mutations + " " + encoding + " (" + bytes.length + " bytes)";
    }
  }

  /** Scalars that stress the parser and the field rules: huge and odd numbers, wrong types. */
  static final List<String> VALUES =
      List.of(
          "9".repeat(64),
          "9".repeat(65),
          "-" + "9".repeat(63),
          "1e999999999",
          "-1e-999999999",
          "1E400",
          "0." + "0".repeat(60) + "1",
          "-0",
          "-0.0",
          "1.0",
          "2.5",
          "9223372036854775807",
          "9223372036854775808",
          "-9223372036854775809",
          "18446744073709551616",
          "1699274742000000",
          "NaN",
          "Infinity",
          "0x10",
          "01",
          "+1",
          ".5",
          "true",
          "false",
          "null",
          "{}",
          "[]",
          "[1]",
          "{\"a\":1}",
          "\"\"",
          "\" \"",
          "\"" + "x".repeat(129) + "\"",
          "\"\\u0000\"",
          "\"\\ud800\"",
          "\"\\udc00\\ud800\"",
          "\"\\ud83d\\ude00\"",
          "\"\\u2028\"",
          "\"\\uFEFF\"",
          "\"a\\\"b\"",
          "\"\\\\\"",
          "\"\\x\"",
          "\"1110201\"",
          "1110201");

  /** Raw byte sequences for inside strings: invalid and edge UTF-8, controls, quotes, escapes. */
  static final List<byte[]> UNICODE =
      List.of(
          bytes(0xC0, 0xAF),
          bytes(0xE0, 0x80, 0xAF),
          bytes(0xED, 0xA0, 0x80),
          bytes(0xED, 0xBF, 0xBF),
          bytes(0xF4, 0x90, 0x80, 0x80),
          bytes(0xF4, 0x8F, 0xBF, 0xBF),
          bytes(0xEF, 0xBF, 0xBF),
          bytes(0xEF, 0xBB, 0xBF),
          bytes(0xF0, 0x9F, 0x98, 0x80),
          bytes(0xF0, 0x9F, 0x98),
          bytes(0xC3),
          bytes(0x80),
          bytes(0xFF),
          bytes(0xFE),
          bytes(0x00),
          bytes(0x01),
          bytes(0x1F),
          bytes(0x7F),
          bytes(0xE2, 0x80, 0xAE),
          bytes(0xE2, 0x80, 0xA8),
          bytes(0xE3, 0x80, 0x80),
          bytes(0xCC, 0x81),
          "\\u0000".getBytes(StandardCharsets.US_ASCII),
          "\\ud800".getBytes(StandardCharsets.US_ASCII),
          "\\".getBytes(StandardCharsets.US_ASCII),
          "\"".getBytes(StandardCharsets.US_ASCII),
          " \t\r\n".getBytes(StandardCharsets.US_ASCII));

  /**
   * Single bytes worth inserting: JSON structure, quotes, escapes and bytes that are never UTF-8.
   */
  static final byte[] INSERTS = "{}[]\":,\\ 0-.eE\u0000".getBytes(StandardCharsets.UTF_8);

  @Property
  void everyMutatedBodyGetsADocumentedAnswer(@ForAll("inputs") Input input) {
    int ret = assertDocumentedAnswer(input.toString(), input.bytes(), input.gzip());
    // Printed after the run: a campaign whose inputs were all refused (or all accepted) tests
    // little.
    Statistics.label("ret").collect(ret);
    Statistics.label("encoding").collect(input.encoding());
  }

  /**
   * The streaming reading of plain bodies only ever accepts, and then exactly as the tree does:
   * every mutated body gets the reference's answer, record for record.
   */
  @Property
  void theStreamingReadingAnswersAsTheTreeDoes(@ForAll("inputs") Input input) {
    byte[] body;
    try {
      body = input.gzip() ? Bodies.gunzip(input.bytes(), MAX_BODY) : input.bytes();
    } catch (Bodies.BodyException e) {
      return; // Refused before any parsing.
    }
    BatchValidator.Result reference = VALIDATOR.validateWithTree(body, RECEIVED_AT);
    BatchValidator.Accepted plain = VALIDATOR.readPlain(body, RECEIVED_AT);
    if (plain != null) {
      assertThat(plain).as(input.toString()).isEqualTo(reference);
    }
    assertThat(VALIDATOR.validate(body, RECEIVED_AT)).as(input.toString()).isEqualTo(reference);
    Statistics.label("read")
        .collect(
            plain != null
                ? "streaming"
                : reference instanceof BatchValidator.Accepted
                    ? "tree, accepted"
                    : "tree, refused");
  }

  /** Every valid fixture of documented fields only is read by the streaming reading. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("validFixtures")
  void shouldReadEveryValidFixtureOfDocumentedFieldsWithoutTheTree(String name) {
    byte[] body = Fixtures.bytes("requests/valid/" + name);
    BatchValidator.Result reference = VALIDATOR.validateWithTree(body, RECEIVED_AT);
    assertThat(reference).isInstanceOf(BatchValidator.Accepted.class);
    BatchValidator.Accepted plain = VALIDATOR.readPlain(body, RECEIVED_AT);
    if (name.startsWith("unknown-fields")) {
      assertThat(plain).as("left to the tree").isNull();
    } else {
      assertThat(plain).isEqualTo(reference);
    }
  }

  static Stream<String> validFixtures() {
    return Fixtures.list("requests/valid").stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void shouldReplayTheCorpusWithItsRecordedAnswer(String name) throws IOException {
    byte[] bytes = Files.readAllBytes(CORPUS.resolve(name));
    int ret = assertDocumentedAnswer(name, bytes, name.endsWith(".gz"));
    assertThat(ret)
        .as(name + ": the ret its name records")
        .isEqualTo(Integer.parseInt(name.substring(0, name.indexOf('-'))));
  }

  static Stream<String> corpus() throws IOException {
    try (Stream<Path> files = Files.list(CORPUS)) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
      assertThat(names).as("the corpus").hasSizeGreaterThan(20);
      return names.stream();
    }
  }

  /** Asserts the documented-answer property and returns the ret; a failing input is saved first. */
  static int assertDocumentedAnswer(String what, byte[] bytes, boolean gzip) {
    try {
      BatchValidator.Result first =
          assertTimeoutPreemptively(
              Duration.ofSeconds(10),
              () -> VALIDATOR.validateBody(bytes, gzip, RECEIVED_AT),
              () -> "hung on " + what);
      BatchValidator.Result again = VALIDATOR.validateBody(bytes, gzip, RECEIVED_AT);
      assertThat(again).as("the same answer every time").isEqualTo(first);
      if (first instanceof BatchValidator.Accepted accepted) {
        assertThat(accepted.events()).hasSizeBetween(1, 500);
        for (MediaEvent e : accepted.events()) {
          assertThat(e.appid()).isEqualTo(accepted.appid());
          assertThat(e.receivedAt()).isEqualTo(RECEIVED_AT);
        }
        return Ret.OK.code();
      }
      Answer r = ((BatchValidator.Rejected) first).answer();
      assertThat(r.ret()).isIn(Ret.PARAMETER_ERROR, Ret.TOO_LARGE);
      assertThat(r.detail())
          .isNotBlank()
          .hasSizeLessThan(400)
          .doesNotContain("Exception")
          .doesNotContain("\tat ")
          .doesNotContain("com.fasterxml");
      return r.ret().code();
    } catch (AssertionError | RuntimeException e) {
      save(what, bytes, gzip);
      throw e;
    }
  }

  private static void save(String what, byte[] bytes, boolean gzip) {
    try {
      Files.createDirectories(FINDINGS);
      String name =
          HexFormat.of().formatHex(TokenStore.sha256(bytes), 0, 8) + (gzip ? ".gz" : ".json");
      Files.write(FINDINGS.resolve(name), bytes);
      Files.writeString(FINDINGS.resolve(name + ".txt"), what + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Provide
  Arbitrary<Input> inputs() {
    Arbitrary<Mutation> mutation =
        Combinators.combine(
                Arbitraries.of(Kind.class),
                Arbitraries.integers().between(0, 1 << 20),
                Arbitraries.integers().between(0, 1 << 20))
            .as(Mutation::new);
    return Combinators.combine(
            Arbitraries.integers().between(0, SEEDS.size() - 1),
            mutation.list().ofMaxSize(6),
            // Garbage gzip stops at the gzip reader: it gets fewer tries than the parser's inputs.
            Arbitraries.frequency(
                Tuple.of(12, Encoding.PLAIN),
                Tuple.of(5, Encoding.GZIP),
                Tuple.of(2, Encoding.GZIP_CORRUPTED),
                Tuple.of(1, Encoding.CLAIMED_GZIP)))
        .as(RequestParserFuzzTest::build);
  }

  static Input build(int seedIndex, List<Mutation> mutations, Encoding encoding) {
    Seed seed = SEEDS.get(seedIndex);
    byte[] b = seed.bytes();
    for (Mutation m : mutations) {
      b = apply(m, b);
    }
    return switch (encoding) {
      case PLAIN -> new Input(seed.name(), mutations, encoding, b, false);
      case CLAIMED_GZIP -> new Input(seed.name(), mutations, encoding, b, true);
      case GZIP -> new Input(seed.name(), mutations, encoding, gzip(b), true);
      case GZIP_CORRUPTED -> {
        byte[] z = gzip(b);
        int salt = mutations.isEmpty() ? b.length : mutations.get(0).where();
        // Flip a bit anywhere (header, deflate stream, CRC, size) or cut the member short.
        if (salt % 3 == 0) {
          z = Arrays.copyOf(z, salt % z.length);
        } else {
          z[salt % z.length] ^= (byte) (1 << (salt % 8));
        }
        yield new Input(seed.name(), mutations, encoding, z, true);
      }
    };
  }

  static byte[] apply(Mutation m, byte[] b) {
    int n = b.length;
    int at = n == 0 ? 0 : m.where() % n;
    return switch (m.kind()) {
      case FLIP -> {
        if (n == 0) {
          yield b;
        }
        byte[] c = b.clone();
        c[at] ^= (byte) (1 << (m.what() % 8));
        yield c;
      }
      case INSERT -> splice(b, at, at, new byte[] {INSERTS[m.what() % INSERTS.length]});
      case DELETE -> splice(b, at, Math.min(n, at + 1 + m.what() % 16), new byte[0]);
      case TRUNCATE -> Arrays.copyOf(b, m.where() % (n + 1));
      case SPLICE -> {
        int from = n == 0 ? 0 : m.what() % n;
        byte[] piece = Arrays.copyOfRange(b, from, Math.min(n, from + 1 + m.what() % 64));
        yield splice(b, at, at, piece);
      }
      case VALUE ->
          replaceValue(
              b, m.where(), VALUES.get(m.what() % VALUES.size()).getBytes(StandardCharsets.UTF_8));
      case NEST -> {
        int depth = 1 + m.what() % 80;
        int[] v = value(b, m.where());
        if (v == null) {
          yield b;
        }
        byte[] inner = Arrays.copyOfRange(b, v[0], v[1]);
        String open = m.what() % 2 == 0 ? "[" : "{\"n\":";
        String close = m.what() % 2 == 0 ? "]" : "}";
        byte[] nested =
            concat(
                open.repeat(depth).getBytes(StandardCharsets.UTF_8),
                inner,
                close.repeat(depth).getBytes(StandardCharsets.UTF_8));
        yield splice(b, v[0], v[1], nested);
      }
      case DUPLICATE_KEY -> {
        int[] k = key(b, m.where());
        if (k == null) {
          yield b;
        }
        // The same key again, right before itself, with another value: {"a":X,"a":1}.
        byte[] dup =
            concat(
                Arrays.copyOfRange(b, k[0], k[1]),
                VALUES.get(m.what() % VALUES.size()).getBytes(StandardCharsets.UTF_8),
                new byte[] {','});
        yield splice(b, k[0], k[0], dup);
      }
      case UNICODE -> {
        int[] s = stringStart(b, m.where());
        yield s == null ? b : splice(b, s[0], s[0], UNICODE.get(m.what() % UNICODE.size()));
      }
    };
  }

  /**
   * The k-th (mod count) value after a colon: its start and end (the next , } or ] at its own
   * level).
   */
  static int[] value(byte[] b, int k) {
    List<Integer> colons = positions(b, (byte) ':');
    if (colons.isEmpty()) {
      return null;
    }
    int start = colons.get(k % colons.size()) + 1;
    int depth = 0;
    boolean inString = false;
    for (int i = start; i < b.length; i++) {
      byte c = b[i];
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']' || c == ',') {
        if (depth == 0) {
          return new int[] {start, i};
        }
        if (c != ',') {
          depth--;
        }
      }
    }
    return new int[] {start, b.length};
  }

  static byte[] replaceValue(byte[] b, int k, byte[] replacement) {
    int[] v = value(b, k);
    return v == null ? b : splice(b, v[0], v[1], replacement);
  }

  /** The k-th (mod count) {@code "name":} : from its opening quote to just after the colon. */
  static int[] key(byte[] b, int k) {
    List<int[]> keys = new ArrayList<>();
    for (int colon : positions(b, (byte) ':')) {
      int close = colon - 1;
      if (close > 0 && b[close] == '"') {
        int open = close - 1;
        while (open >= 0 && b[open] != '"') {
          open--;
        }
        if (open >= 0) {
          keys.add(new int[] {open, colon + 1});
        }
      }
    }
    return keys.isEmpty() ? null : keys.get(k % keys.size());
  }

  /** Just inside the k-th (mod count) string value (after {@code :"}). */
  static int[] stringStart(byte[] b, int k) {
    List<Integer> starts = new ArrayList<>();
    for (int colon : positions(b, (byte) ':')) {
      int i = colon + 1;
      while (i < b.length && b[i] == ' ') {
        i++;
      }
      if (i < b.length && b[i] == '"') {
        starts.add(i + 1);
      }
    }
    return starts.isEmpty() ? null : new int[] {starts.get(k % starts.size())};
  }

  static List<Integer> positions(byte[] b, byte wanted) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < b.length; i++) {
      if (b[i] == wanted) {
        out.add(i);
      }
    }
    return out;
  }

  static byte[] splice(byte[] b, int from, int to, byte[] insert) {
    return concat(Arrays.copyOfRange(b, 0, from), insert, Arrays.copyOfRange(b, to, b.length));
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  static byte[] gzip(byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * The valid request fixtures, and the corpus's plain JSON entries (gzip ones are mutated as gzip
   * by GZIP).
   */
  private static List<Seed> seeds() {
    List<Seed> out = new ArrayList<>();
    for (String name : Fixtures.list("requests/valid")) {
      out.add(new Seed(name, Fixtures.bytes("requests/valid/" + name)));
    }
    try (Stream<Path> files = Files.list(CORPUS)) {
      for (Path p : files.sorted().toList()) {
        if (p.getFileName().toString().endsWith(".json") && Files.size(p) < 64 * 1024) {
          out.add(new Seed("corpus/" + p.getFileName(), Files.readAllBytes(p)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
