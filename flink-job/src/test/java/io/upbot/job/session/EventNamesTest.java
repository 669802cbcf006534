package io.upbot.job.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** A small journey's event names: exact names, dropping finished events, and their format. */
class EventNamesTest {

  static final long H10 = Instant.parse("2026-11-30T10:00:00Z").toEpochMilli();
  static final long MIN = 60_000L;

  static final EventNames THREE =
      EventNames.EMPTY
          .with(H10, "1110201", H10)
          .with(H10 + MIN, "1110204", H10 + MIN)
          .with(H10 + 2 * MIN, "1110205", H10 + 2 * MIN);

  @Test
  void shouldKnowAnEventOnlyByItsEventTimeAndEventIdBoth() {
    assertThat(THREE.size()).isEqualTo(3);
    assertThat(THREE.contains(H10 + MIN, "1110204")).isTrue();
    assertThat(THREE.contains(H10 + MIN, "1110201")).isFalse();
    assertThat(THREE.contains(H10, "1110204")).isFalse();
    // An id that is a prefix, or the concatenation of two neighbours, is another event.
    assertThat(THREE.contains(H10, "111020")).isFalse();
    assertThat(THREE.contains(H10, "11102011110204")).isFalse();
    assertThat(EventNames.EMPTY.contains(H10, "1110201")).isFalse();
  }

  @Test
  void shouldNameAMissingEventIdAsTheSessionizerAlwaysHas() {
    EventNames n = EventNames.EMPTY.with(H10, null, H10);
    assertThat(n.contains(H10, null)).isTrue();
    assertThat(n.contains(H10, "null")).isTrue();
    assertThat(JourneySessionizer.eventName(n.eventTime(0), n.eventId(0))).isEqualTo(H10 + "/null");
  }

  @Test
  void shouldDropTheEventsAtOrBeforeATimeAndKeepTheRestExact() {
    EventNames n =
        EventNames.EMPTY
            .with(H10 + 5 * MIN, "late", H10 + 2 * MIN) // sent from a fast clock: t capped
            .with(H10, "", H10)
            .with(H10 + MIN, "\ud83d\ude00x", H10 + 3 * MIN);

    EventNames kept = n.withoutUpTo(H10 + 2 * MIN);

    assertThat(kept.size()).isEqualTo(1);
    assertThat(kept.eventTime(0)).isEqualTo(H10 + MIN);
    assertThat(kept.eventId(0)).isEqualTo("\ud83d\ude00x");
    assertThat(kept.t(0)).isEqualTo(H10 + 3 * MIN);
    assertThat(kept.contains(H10 + 5 * MIN, "late")).isFalse();
    assertThat(kept.contains(H10 + MIN, "\ud83d\ude00x")).isTrue();
    assertThat(n.withoutUpTo(H10 - 1)).isSameAs(n);
    assertThat(n.withoutUpTo(H10 + 3 * MIN)).isEqualTo(EventNames.EMPTY);
  }

  @Test
  void shouldWriteAndReadBackEveryNameIdsWithAnyCharIncluded() throws Exception {
    EventNames n =
        THREE
            .with(Long.MIN_VALUE, "", Long.MAX_VALUE)
            .with(-1, "\ud800 lone surrogate, \u4e2d\u6587, " + "x".repeat(300), 0);
    TypeSerializer<EventNames> s =
        JourneySessionizer.namesType().createSerializer(new SerializerConfigImpl());
    DataOutputSerializer out = new DataOutputSerializer(16);
    s.serialize(n, out);
    s.serialize(EventNames.EMPTY, out);
    DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
    DataOutputSerializer copied = new DataOutputSerializer(16);
    s.copy(in, copied);

    assertThat(s.deserialize(in)).isEqualTo(EventNames.EMPTY);
    assertThat(in.available()).isZero();
    EventNames read = s.deserialize(new DataInputDeserializer(copied.getCopyOfBuffer()));
    assertThat(read).isEqualTo(n);
    assertThat(read.eventId(4)).isEqualTo(n.eventId(4));
  }

  @Test
  void shouldRestoreItsSerializerFromTheSnapshotAsItIs() throws Exception {
    TypeSerializer<EventNames> s =
        JourneySessionizer.namesType().createSerializer(new SerializerConfigImpl());
    DataOutputSerializer out = new DataOutputSerializer(64);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, s.snapshotConfiguration());
    TypeSerializerSnapshot<EventNames> read =
        TypeSerializerSnapshot.readVersionedSnapshot(
            new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());

    assertThat(read.restoreSerializer()).isInstanceOf(EventNamesSerializer.class);
    assertThat(s.snapshotConfiguration().resolveSchemaCompatibility(read).isCompatibleAsIs())
        .isTrue();
  }
}
