package io.upbot.job.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class DeadLetterTest {

  static final int MAX = DeadLetter.MAX_PAYLOAD_BYTES;

  static DeadLetter withPayload(String payload) {
    return new DeadLetter(DeadLetter.MALFORMED, payload, "t/0/1", 1L);
  }

  static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void shouldKeepAPayloadOfExactly64KiBWhole() {
    String payload = "é".repeat(MAX / 2);

    assertThat(withPayload(payload).payload()).isSameAs(payload);
  }

  @Test
  void shouldCutA1MiBPayloadTo64KiBOnACharacterBoundaryAndNameItsSize() {
    // 1 + 2 + 3 + 4 bytes per round: every cut position meets a character of each width.
    String payload = "a\u00e9\u4e2d\ud83d\ude00".repeat(1024 * 1024 / 10);
    int size = utf8(payload);

    String stored = withPayload(payload).payload();

    String marker = DeadLetter.CUT_MARKER + size + " UTF-8 bytes]";
    assertThat(stored).endsWith(marker);
    String kept = stored.substring(0, stored.length() - marker.length());
    assertThat(payload).startsWith(kept);
    assertThat(utf8(stored)).isLessThanOrEqualTo(MAX);
    // The longest prefix that fits: one character more would not.
    int next = payload.offsetByCodePoints(kept.length(), 1);
    assertThat(utf8(payload.substring(0, next) + marker)).isGreaterThan(MAX);
    assertThat(stored)
        .isEqualTo(new String(stored.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
  }

  @Test
  void shouldLeaveACutPayloadAsItIsWhenBuiltAgainAsFlinksSerializerDoes() throws Exception {
    DeadLetter cut = withPayload("x".repeat(3 * MAX));
    TypeSerializer<DeadLetter> serializer =
        TypeInformation.of(DeadLetter.class)
            .createSerializer(new ExecutionConfig().getSerializerConfig());

    DataOutputSerializer out = new DataOutputSerializer(MAX);
    serializer.serialize(cut, out);
    DeadLetter copy = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

    assertThat(copy).isEqualTo(cut);
    assertThat(copy.payload()).endsWith(DeadLetter.CUT_MARKER + 3 * MAX + " UTF-8 bytes]");
  }

  @Test
  void shouldCountNulAsTheThreeBytesTheSinkStoresForIt() {
    // The sink stores NUL as U+FFFD: 64 KiB of NUL would be 192 KiB in the table.
    String stored = withPayload("\u0000".repeat(MAX)).payload();

    assertThat(stored).endsWith(DeadLetter.CUT_MARKER + 3 * MAX + " UTF-8 bytes]");
    assertThat(utf8(stored.replace('\u0000', '\uFFFD'))).isLessThanOrEqualTo(MAX);
  }

  @Property(tries = 200)
  void shouldNeverStoreMoreThan64KiBNorSplitACharacterNorChangeWhatFits(
      @ForAll @IntRange(min = MAX - 120, max = MAX) int asciiLength,
      @ForAll("wideTails") String tail) {
    String payload = "a".repeat(asciiLength) + tail;

    String stored = withPayload(payload).payload();

    assertThat(utf8(stored)).isLessThanOrEqualTo(MAX);
    if (utf8(payload) <= MAX) {
      assertThat(stored).isEqualTo(payload);
    } else {
      String kept = stored.substring(0, stored.indexOf(DeadLetter.CUT_MARKER));
      assertThat(payload).startsWith(kept);
      assertThat(Character.isHighSurrogate(kept.charAt(kept.length() - 1))).isFalse();
      assertThat(withPayload(stored).payload()).isEqualTo(stored);
    }
  }

  @Provide
  Arbitrary<String> wideTails() {
    return Arbitraries.of("b", "\u00e9", "\u4e2d", "\ud83d\ude00")
        .list()
        .ofMaxSize(80)
        .map(parts -> String.join("", parts));
  }
}
