package io.upbot.job.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.DwellDelta;
import io.upbot.job.model.EventDelta;
import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.FunnelStages;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.model.JourneyKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JourneySessionizerTest {

  static final long G = Duration.ofMinutes(30).toMillis();
  static final long A = Duration.ofHours(24).toMillis();
  static final long MIN = 60_000L;
  static final long H09 = Instant.parse("2026-11-30T09:00:00Z").toEpochMilli();
  static final long H10 = Instant.parse("2026-11-30T10:00:00Z").toEpochMilli();
  static final long H11 = Instant.parse("2026-11-30T11:00:00Z").toEpochMilli();
  static final String JUMP = "1100102";
  static final String EXPOSED = "1110201";
  static final String LONG_PRESS = "1110204";
  static final String JOINED = "1110205";

  KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta> harness;

  @BeforeEach
  void open() throws Exception {
    harness =
        ProcessFunctionTestHarnesses.forKeyedProcessFunction(
            new JourneySessionizer(FunnelStages.DEFAULT, G, A),
            JourneyEvent::journeyKey,
            TypeInformation.of(JourneyKey.class));
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  static JourneyEvent ev(String eventId, long t) {
    return ev(eventId, t, null);
  }

  static JourneyEvent ev(String eventId, long t, Integer duration) {
    return new JourneyEvent("app", "code1", "trace1", eventId, t, t + 1000, duration);
  }

  void send(JourneyEvent... events) throws Exception {
    for (JourneyEvent e : events) {
      harness.processElement(e, e.t());
    }
  }

  /** Sum of all funnel deltas per bucket: {sessions, exposed, longPressed, joined, live}. */
  Map<Long, List<Long>> funnelTotals() {
    Map<Long, long[]> sums = new TreeMap<>();
    for (FunnelDelta d : harness.extractOutputValues()) {
      long[] s = sums.computeIfAbsent(d.bucketStart(), k -> new long[5]);
      s[0] += d.sessions();
      s[1] += d.exposed();
      s[2] += d.longPressed();
      s[3] += d.joined();
      s[4] += d.liveSessions();
    }
    return sums.entrySet().stream()
        .collect(
            Collectors.toMap(
                Map.Entry::getKey,
                e -> Arrays.stream(e.getValue()).boxed().toList(),
                (a, b) -> a,
                TreeMap::new));
  }

  List<FunnelDelta> funnelDeltas() {
    return harness.extractOutputValues();
  }

  List<EventDelta> eventDeltas() {
    var out = harness.getSideOutput(JourneySessionizer.EVENT_DELTAS);
    return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
  }

  List<DwellDelta> dwellDeltas() {
    var out = harness.getSideOutput(JourneySessionizer.DWELL_DELTAS);
    return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
  }

  @Test
  void shouldMergeSessionsWhenBridgingEventArrives() throws Exception {
    send(ev(EXPOSED, H10 + 5 * MIN), ev(LONG_PRESS, H10 + 50 * MIN));
    assertThat(funnelTotals()).containsExactly(Map.entry(H10, List.of(2L, 1L, 0L, 0L, 2L)));

    harness.getOutput().clear();
    send(ev(JUMP, H10 + 25 * MIN));

    // Two sessions (depths 1 and 0) become one of depth 2: one row delta, coalesced.
    assertThat(funnelDeltas())
        .containsExactly(new FunnelDelta(H10, "app", "code1", -1, 0, 1, 0, -1));
  }

  @Test
  void shouldMoveSessionStartAcrossHourBoundaryWhenEarlierEventArrives() throws Exception {
    send(ev(EXPOSED, H10 + 5 * MIN));
    harness.getOutput().clear();

    send(ev(JUMP, H10 - 10 * MIN));

    assertThat(funnelDeltas())
        .containsExactly(
            new FunnelDelta(H09, "app", "code1", 1, 1, 0, 0, 1),
            new FunnelDelta(H10, "app", "code1", -1, -1, 0, 0, -1));
    // The event row uses the event's own hour, not the session's.
    assertThat(eventDeltas())
        .containsExactly(
            new EventDelta(H10, "app", "code1", EXPOSED, 1),
            new EventDelta(H09, "app", "code1", JUMP, 1));
  }

  @Test
  void shouldIgnoreDuplicateWithSameIdAndTimeEvenWhenDurationDiffers() throws Exception {
    send(ev(EXPOSED, H10, 12));
    send(ev(EXPOSED, H10, 99), ev(EXPOSED, H10, null));

    assertThat(funnelTotals()).containsExactly(Map.entry(H10, List.of(1L, 1L, 0L, 0L, 1L)));
    assertThat(eventDeltas()).hasSize(1);
    assertThat(dwellDeltas()).containsExactly(new DwellDelta(H10, "app", "code1", 12, 1));
  }

  @Test
  void shouldCountSameIdAtAnotherTimeAsNewEvent() throws Exception {
    send(ev(EXPOSED, H10), ev(EXPOSED, H10 + 1000));

    assertThat(eventDeltas()).hasSize(2);
    assertThat(funnelTotals()).containsExactly(Map.entry(H10, List.of(1L, 1L, 0L, 0L, 1L)));
  }

  @Test
  void shouldTreatEqualTimestampsAsInOrderWhateverTheirArrivalOrder() throws Exception {
    send(ev(JOINED, H10), ev(LONG_PRESS, H10), ev(EXPOSED, H10));

    assertThat(funnelTotals()).containsExactly(Map.entry(H10, List.of(1L, 1L, 1L, 1L, 1L)));
  }

  @Test
  void shouldReachFullDepthWhenStagesArriveOutOfOrder() throws Exception {
    send(ev(JOINED, H10 + 20 * MIN), ev(LONG_PRESS, H10 + 10 * MIN), ev(EXPOSED, H10));

    assertThat(funnelTotals()).containsExactly(Map.entry(H10, List.of(1L, 1L, 1L, 1L, 1L)));
  }

  @Test
  void shouldNotCountStageTwoThatHappenedBeforeStageOne() throws Exception {
    send(ev(LONG_PRESS, H10), ev(EXPOSED, H10 + MIN), ev(JOINED, H10 + 2 * MIN));

    assertThat(funnelTotals()).containsExactly(Map.entry(H10, List.of(1L, 1L, 0L, 0L, 1L)));
  }

  @Test
  void shouldNotSkipAStage() throws Exception {
    send(ev(EXPOSED, H10), ev(JOINED, H10 + MIN));

    assertThat(funnelTotals()).containsExactly(Map.entry(H10, List.of(1L, 1L, 0L, 0L, 1L)));
  }

  @Test
  void shouldUseALaterStageEventWhenAnEarlierOneIsOutOfOrder() throws Exception {
    send(
        ev(LONG_PRESS, H10),
        ev(EXPOSED, H10 + MIN),
        ev(LONG_PRESS, H10 + 2 * MIN),
        ev(JOINED, H10 + 2 * MIN));

    assertThat(funnelTotals()).containsExactly(Map.entry(H10, List.of(1L, 1L, 1L, 1L, 1L)));
  }

  @Test
  void shouldSplitSessionsAtAGapOfExactlyG() throws Exception {
    send(ev(EXPOSED, H10), ev(EXPOSED, H10 + G), ev(EXPOSED, H10 + 2 * G - 1));

    // H10 → H10+G is a gap of G (split); H10+G → H10+2G-1 is below G (same session).
    assertThat(funnelTotals()).containsExactly(Map.entry(H10, List.of(2L, 2L, 0L, 0L, 2L)));
  }

  @Test
  void shouldClearAllStateAndTimersOnceWatermarkPassesLastSessionEnd() throws Exception {
    send(ev(EXPOSED, H10, 5), ev(LONG_PRESS, H10 + MIN), ev(JUMP, H11 + 40 * MIN));
    assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    assertThat(harness.numEventTimeTimers()).isEqualTo(2);
    harness.getOutput().clear();

    // The first session ends: its events go, its row gets live −1, the second session stays.
    harness.processWatermark(H10 + MIN + G + A);
    assertThat(funnelDeltas()).containsExactly(new FunnelDelta(H10, "app", "code1", 0, 0, 0, 0, -1));
    assertThat(harness.numKeyedStateEntries()).isEqualTo(1);

    harness.getOutput().clear();
    harness.processWatermark(H11 + 40 * MIN + G + A);
    assertThat(funnelDeltas()).containsExactly(new FunnelDelta(H11, "app", "code1", 0, 0, 0, 0, -1));
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void shouldKeepSessionThatAnEventExtendedPastItsFirstCleanupTime() throws Exception {
    send(ev(EXPOSED, H10));
    send(ev(LONG_PRESS, H10 + 20 * MIN));
    harness.getOutput().clear();

    harness.processWatermark(H10 + G + A);
    assertThat(funnelDeltas()).isEmpty();
    assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    assertThat(harness.numEventTimeTimers()).isEqualTo(1);
  }

  @Test
  void shouldDeadLetterAnEventBehindTheWatermark() throws Exception {
    harness.processWatermark(H11 + A);
    send(ev(EXPOSED, H10));

    assertThat(funnelDeltas()).isEmpty();
    assertThat(harness.getSideOutput(JourneySessionizer.DEAD_LETTERS))
        .extracting(r -> r.getValue().reason())
        .containsExactly(JourneySessionizer.BEHIND_WATERMARK);
    assertThat(harness.numKeyedStateEntries()).isZero();
  }

  @Test
  void shouldGiveEachEventBehindTheWatermarkItsOwnDeadLetterSource() throws Exception {
    harness.processWatermark(H11 + A);
    send(ev(EXPOSED, H10));
    send(ev(LONG_PRESS, H10));
    send(ev(EXPOSED, H10 + MIN));

    // The table's natural key is (source, reason): equal sources would keep only the first.
    assertThat(harness.getSideOutput(JourneySessionizer.DEAD_LETTERS))
        .extracting(r -> r.getValue().source())
        .doesNotHaveDuplicates()
        .hasSize(3);
  }

  @Test
  void shouldDeadLetterAnEventBehindTheWatermarkSeenBeforeTheRestore() throws Exception {
    send(ev(EXPOSED, H10), ev(LONG_PRESS, H10 + MIN));
    harness.processWatermark(H10 + MIN + G + A); // the session ends: its state is dropped
    assertThat(harness.numKeyedStateEntries()).isZero();
    OperatorSubtaskState checkpoint = harness.snapshot(1, 0);
    harness.close();

    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new JourneySessionizer(FunnelStages.DEFAULT, G, A)),
            JourneyEvent::journeyKey,
            TypeInformation.of(JourneyKey.class));
    harness.setup();
    harness.initializeState(checkpoint);
    harness.open();
    // The restored operator's watermark is MIN until the sources emit again; this straggler would join
    // the dropped session and count it again from zero.
    send(ev(JOINED, H10 + 2 * MIN));

    assertThat(funnelDeltas()).isEmpty();
    assertThat(eventDeltas()).isEmpty();
    assertThat(harness.getSideOutput(JourneySessionizer.DEAD_LETTERS))
        .extracting(r -> r.getValue().reason())
        .containsExactly(JourneySessionizer.BEHIND_WATERMARK);
    assertThat(harness.numKeyedStateEntries()).isZero();
  }

  @Test
  void shouldKeepJourneysApart() throws Exception {
    send(ev(EXPOSED, H10));
    send(new JourneyEvent("app", "code1", "trace2", LONG_PRESS, H10 + MIN, H10 + MIN, null));

    assertThat(funnelTotals()).containsExactly(Map.entry(H10, List.of(2L, 1L, 0L, 0L, 2L)));
  }
}
