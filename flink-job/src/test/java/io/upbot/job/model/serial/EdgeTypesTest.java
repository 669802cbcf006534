package io.upbot.job.model.serial;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.DwellDelta;
import io.upbot.job.model.EventDelta;
import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.model.SessionDelta;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The hand-written edge serializers give back every field, nulls and long strings included. */
class EdgeTypesTest {

  private static <T> T roundTrip(TypeInformation<T> type, T value) throws Exception {
    TypeSerializer<T> s = type.createSerializer(new SerializerConfigImpl());
    DataOutputSerializer out = new DataOutputSerializer(64);
    s.serialize(value, out);
    s.serialize(value, out);
    DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
    DataOutputSerializer copied = new DataOutputSerializer(64);
    s.copy(in, copied);
    assertThat(s.deserialize(in)).isEqualTo(value);
    assertThat(in.available()).isZero();
    return s.deserialize(new DataInputDeserializer(copied.getCopyOfBuffer()));
  }

  @Test
  void shouldGiveBackEveryFieldOfAJourneyEventNullsIncluded() throws Exception {
    String longTrace = "t".repeat(70_000) + "é漢";
    List<JourneyEvent> events =
        List.of(
            new JourneyEvent("wx1", "c1", longTrace, "expose", 1L, 2L, 3L, 12, "o1", 1, 2, 0),
            new JourneyEvent(
                "wx1", "", "openid:o1", "join", -1L, 2L, 3L, null, "", 0, 0, 0, "u1", "wecom"),
            new JourneyEvent("wx1", "c", "t", "press", 1L, 2L, 3L, null, "o", 3, 1, 2, null, null));
    for (JourneyEvent e : events) {
      assertThat(roundTrip(EdgeTypes.JOURNEY_EVENT, e)).isEqualTo(e);
    }
  }

  /** Short strings are read byte by byte, longer ones in one copy: both give back every char. */
  @Test
  void shouldGiveBackStringsOnBothSidesOfTheByteByByteLimit() throws Exception {
    int limit = RecordSerializer.BYTE_BY_BYTE;
    for (String code :
        List.of(
            "",
            "é漢😀",
            "c".repeat(limit),
            "c".repeat(limit - 3) + "漢",
            "c".repeat(limit + 1),
            "c".repeat(limit - 2) + "漢")) {
      EventDelta e = new EventDelta(3_600_000L, "wx1", code, "expose", 1);
      assertThat(roundTrip(EdgeTypes.EVENT_DELTA, e)).isEqualTo(e);
    }
  }

  /**
   * The state keeps each journey's appid, code and event id for hours: one instance per value, not
   * one per record. Traces, long values and values beyond ASCII are read as they are.
   */
  @Test
  void shouldGiveOutOneInstanceOfARepeatedShortAsciiValue() throws Exception {
    String longCode = "c".repeat(RecordSerializer.SHARED_MAX_BYTES + 1);
    JourneyEvent a =
        roundTrip(
            EdgeTypes.JOURNEY_EVENT,
            new JourneyEvent("wx1", "IsFXtWUZ", "trace-1", "1110201", 1L, 2L, 3L, null));
    JourneyEvent b =
        roundTrip(
            EdgeTypes.JOURNEY_EVENT,
            new JourneyEvent("wx1", "IsFXtWUZ", "trace-1", "1110201", 1L, 2L, 3L, null));
    assertThat(b.appid()).isEqualTo("wx1").isSameAs(a.appid());
    assertThat(b.code()).isSameAs(a.code());
    assertThat(b.eventId()).isSameAs(a.eventId());
    assertThat(b.trace()).isEqualTo(a.trace()).isNotSameAs(a.trace());

    for (String code : List.of(longCode, "cé", "")) {
      EventDelta x = roundTrip(EdgeTypes.EVENT_DELTA, new EventDelta(0L, "wx1", code, "e", 1));
      EventDelta y = roundTrip(EdgeTypes.EVENT_DELTA, new EventDelta(0L, "wx1", code, "e", 1));
      assertThat(y.code()).isEqualTo(code);
      assertThat(y.eventId()).isSameAs(x.eventId());
      if (!code.isEmpty()) {
        assertThat(y.code()).as("not shared: %s", code).isNotSameAs(x.code());
      }
    }
  }

  /** Values that fall into one slot of the cache are each still read exactly. */
  @Test
  void shouldGiveBackEveryValueWhenManyShareTheCache() throws Exception {
    for (int i = 0; i < 20_000; i++) {
      String code = "code-" + i;
      EventDelta e = new EventDelta(0L, "wx" + (i % 7), code, "e" + (i % 5), i);
      assertThat(roundTrip(EdgeTypes.EVENT_DELTA, e)).isEqualTo(e);
    }
  }

  @Test
  void shouldGiveBackEveryFieldOfEachDelta() throws Exception {
    FunnelDelta f = new FunnelDelta(3_600_000L, "wx1", "c1", 1, -1, 0, 1, -1);
    EventDelta e = new EventDelta(3_600_000L, "wx1", "c1", "expose", 7);
    DwellDelta d = new DwellDelta(3_600_000L, "wx1", "c1", 42, 1);
    SessionDelta s =
        new SessionDelta(3_600_000L, "wx1", "c1", "o1", 1, 2, 0, 3, 1_500L, 90_000L, -1, -1);
    assertThat(roundTrip(EdgeTypes.FUNNEL_DELTA, f)).isEqualTo(f);
    assertThat(roundTrip(EdgeTypes.EVENT_DELTA, e)).isEqualTo(e);
    assertThat(roundTrip(EdgeTypes.DWELL_DELTA, d)).isEqualTo(d);
    assertThat(roundTrip(EdgeTypes.SESSION_DELTA, s)).isEqualTo(s);
  }

  @Test
  void shouldRestoreACompatibleSerializerFromItsSnapshot() throws Exception {
    TypeSerializer<SessionDelta> s =
        EdgeTypes.SESSION_DELTA.createSerializer(new SerializerConfigImpl());
    TypeSerializerSnapshot<SessionDelta> snapshot = s.snapshotConfiguration();
    DataOutputSerializer out = new DataOutputSerializer(64);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
    TypeSerializerSnapshot<SessionDelta> read =
        TypeSerializerSnapshot.readVersionedSnapshot(
            new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());

    assertThat(read.restoreSerializer()).isEqualTo(s);
    TypeSerializerSchemaCompatibility<SessionDelta> compatibility =
        s.snapshotConfiguration().resolveSchemaCompatibility(read);
    assertThat(compatibility.isCompatibleAsIs()).isTrue();
  }
}
