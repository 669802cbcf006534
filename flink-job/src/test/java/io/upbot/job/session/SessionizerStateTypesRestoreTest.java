package io.upbot.job.session;

import static io.upbot.job.session.SessionizerHarness.entriesOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.model.JourneyKey;
import io.upbot.job.model.serial.JourneyKeySerializer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The sessionizer's key and event-name types changed from Flink's ({@code PojoSerializer}, {@code
 * StringSerializer}) to {@link StateTypes}' bulk-writing ones: a checkpoint taken with either
 * restores with the other, on the heap and on RocksDB (whose lookup keys are the serialized keys),
 * and every journey goes on as if there had been no restore.
 */
class SessionizerStateTypesRestoreTest {

  static final long G = Duration.ofMinutes(30).toMillis();
  static final long A = Duration.ofHours(24).toMillis();
  static final long MIN = 60_000L;
  static final long H10 = Instant.parse("2026-11-30T10:00:00Z").toEpochMilli();
  static final String[] EVENTS = {"1100102", "1110201", "1110204", "1110205"};
  static final String OLD = "old";

  /** Journeys whose strings take 1, 2 and 3 bytes a char, and one with an absent code. */
  static final List<JourneyKey> JOURNEYS =
      List.of(
          new JourneyKey("wx0001", "code1", "trace1"),
          new JourneyKey("wx0001", "", "openid:o\u00e9\u00e8"),
          new JourneyKey("wx\u4e2d\u6587", "c\ud83d\ude00", "t".repeat(200)),
          new JourneyKey("wx0002", "code2", "trace2"));

  /** Each journey's events, interleaved, one a minute: the first half before the checkpoint. */
  static List<JourneyEvent> events() {
    List<JourneyEvent> out = new ArrayList<>();
    for (int i = 0; i < EVENTS.length; i++) {
      for (JourneyKey k : JOURNEYS) {
        long t = H10 + out.size() * MIN;
        out.add(new JourneyEvent(k.appid(), k.code(), k.trace(), EVENTS[i], t, t, t + 1000, null));
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{0}: written with the {1} types, restored with the {2}")
  @CsvSource({"hashmap, old, new", "rocksdb, old, new", "hashmap, new, old", "rocksdb, new, old"})
  void shouldRestoreEveryJourneyWhenTheCheckpointWasWrittenWithTheOtherTypes(
      String backend, String written, String restored) throws Exception {
    List<JourneyEvent> events = events();
    int half = events.size() / 2;
    long end = H10 + events.size() * MIN + G + A;

    List<FunnelDelta> expected;
    try (var h = SessionizerHarness.openWithTypes(backend, G, A, OLD.equals(restored), null)) {
      for (JourneyEvent e : events) {
        h.processElement(e, e.t());
      }
      h.processWatermark(end);
      expected = h.extractOutputValues();
    }

    List<FunnelDelta> actual = new ArrayList<>();
    OperatorSubtaskState checkpoint;
    try (var h = SessionizerHarness.openWithTypes(backend, G, A, OLD.equals(written), null)) {
      assertKeySerializer(h, written);
      for (JourneyEvent e : events.subList(0, half)) {
        h.processElement(e, e.t());
      }
      h.processWatermark(events.get(half - 1).t());
      checkpoint = h.snapshot(1, events.get(half - 1).t());
      actual.addAll(h.extractOutputValues());
    }
    try (var h =
        SessionizerHarness.openWithTypes(backend, G, A, OLD.equals(restored), checkpoint)) {
      assertKeySerializer(h, restored);
      for (JourneyEvent e : events.subList(half, events.size())) {
        h.processElement(e, e.t());
      }
      // The restored index and event names were found under each journey's key, and the new ones
      // joined them: every name once.
      for (JourneyKey k : JOURNEYS) {
        assertThat(entriesOf(h, k).subList(0, 2)).as("%s", k).containsExactly(1, EVENTS.length);
      }
      h.processWatermark(end);
      actual.addAll(h.extractOutputValues());

      assertThat(expected).isNotEmpty();
      assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
      for (JourneyKey k : JOURNEYS) {
        assertThat(entriesOf(h, k)).as("%s", k).containsExactly(0, 0, 0);
      }
    }
  }

  static void assertKeySerializer(
      KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta> h,
      String types) {
    assertThat(h.getOperator().getKeyedStateBackend().getKeySerializer())
        .isInstanceOf(OLD.equals(types) ? PojoSerializer.class : JourneyKeySerializer.class);
  }
}
