package io.upbot.job.session;

import static io.upbot.job.session.SessionizerHarness.HEAP;
import static io.upbot.job.session.SessionizerHarness.ROCKSDB;
import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.DwellDelta;
import io.upbot.job.model.EventDelta;
import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.model.JourneyKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
  static final JourneyKey JOURNEY = new JourneyKey("app", "code1", "trace1");

  KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta> harness;

  @BeforeEach
  void open() throws Exception {
    harness = SessionizerHarness.open(HEAP, G, A, JourneySessionizer.DEFAULT_MAX_EVENTS);
  }

  /**
   * Replaces the harness with one on {@code backend} that holds at most {@code maxEvents} per
   * journey.
   */
  void reopen(String backend, int maxEvents) throws Exception {
    harness.close();
    harness = SessionizerHarness.open(backend, G, A, maxEvents);
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  static JourneyEvent ev(String eventId, long t) {
    return ev(eventId, t, null);
  }

  static JourneyEvent ev(String eventId, long t, Integer duration) {
    return new JourneyEvent("app", "code1", "trace1", eventId, t, t, t + 1000, duration);
  }

  /**
   * A copy of an event sent at {@code eventTime} by a device whose clock runs ahead, received then.
   */
  static JourneyEvent fromFastClock(
      String eventId, long eventTime, long receivedAt, Integer duration) {
    long t = Math.min(eventTime, receivedAt + 5 * MIN);
    return new JourneyEvent("app", "code1", "trace1", eventId, eventTime, t, receivedAt, duration);
  }

  void send(JourneyEvent... events) throws Exception {
    for (JourneyEvent e : events) {
      harness.processElement(e, e.t());
    }
  }

  /** Sum of all funnel deltas per bucket: {sessions, exposed, longPressed, joined, live}. */
  Map<Long, List<Long>> funnelTotals() {
    return sums(harness.extractOutputValues());
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

  @ParameterizedTest
  @ValueSource(strings = {HEAP, ROCKSDB})
  void shouldClearAllStateAndTimersOnceWatermarkPassesLastSessionEnd(String backend)
      throws Exception {
    reopen(backend, JourneySessionizer.DEFAULT_MAX_EVENTS);
    // Session 1 (10:00–10:04): a join and a long-press before its exposure, so both pending.
    // Session 2
    // (11:10–11:41): a jump, and a long-press (pending) and an exposure, bridged by a second jump.
    send(ev(JOINED, H10, 5), ev(LONG_PRESS, H10 + MIN), ev(EXPOSED, H10 + 4 * MIN));
    send(ev(LONG_PRESS, H11 + 40 * MIN), ev(EXPOSED, H11 + 41 * MIN), ev(JUMP, H11 + 10 * MIN));
    send(ev(JUMP, H11 + 25 * MIN));
    assertThat(funnelTotals())
        .containsExactly(
            Map.entry(H10, List.of(1L, 1L, 0L, 0L, 1L)),
            Map.entry(H11, List.of(1L, 1L, 0L, 0L, 1L)));
    assertThat(SessionizerHarness.entriesOf(harness, JOURNEY)).containsExactly(1, 7, 3);
    assertThat(harness.numEventTimeTimers()).as("one timer per journey").isEqualTo(1);
    harness.getOutput().clear();

    // The first session ends: its events and pending times go, its row gets live −1; the second
    // stays,
    // with its events still known (a copy of one of them changes nothing).
    harness.processWatermark(H10 + 4 * MIN + G + A);
    assertThat(funnelDeltas())
        .containsExactly(new FunnelDelta(H10, "app", "code1", 0, 0, 0, 0, -1));
    assertThat(SessionizerHarness.entriesOf(harness, JOURNEY)).containsExactly(1, 4, 1);
    assertThat(harness.numEventTimeTimers()).isEqualTo(1);
    harness.getOutput().clear();
    send(ev(EXPOSED, H11 + 41 * MIN));
    assertThat(funnelDeltas()).isEmpty();
    assertThat(eventDeltas()).hasSize(7);

    harness.processWatermark(H11 + 41 * MIN + G + A);
    assertThat(funnelDeltas())
        .containsExactly(new FunnelDelta(H11, "app", "code1", 0, 0, 0, 0, -1));
    assertThat(SessionizerHarness.entriesOf(harness, JOURNEY)).containsExactly(0, 0, 0);
    assertThat(SessionizerHarness.totalEntries(harness)).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {HEAP, ROCKSDB})
  void shouldDropTheFinishedSessionsEventsAndPendingTimesOnly(String backend) throws Exception {
    reopen(backend, JourneySessionizer.DEFAULT_MAX_EVENTS);
    // Session 1: a join and a long-press, both pending (no exposure before them); session 2: a
    // jump.
    send(ev(JOINED, H10), ev(LONG_PRESS, H10 + MIN), ev(JUMP, H11 + 40 * MIN));
    harness.processWatermark(H10 + MIN + G + A);

    assertThat(SessionizerHarness.entriesOf(harness, JOURNEY))
        .as("index, events, pending slots: the jump's session only")
        .containsExactly(1, 1, 0);
    harness.getOutput().clear();
    send(ev(EXPOSED, H11 + 41 * MIN), ev(LONG_PRESS, H11 + 42 * MIN));
    assertThat(funnelTotals()).containsExactly(Map.entry(H11, List.of(0L, 1L, 1L, 0L, 0L)));
  }

  @Test
  void shouldKeepSessionThatAnEventExtendedPastItsFirstCleanupTime() throws Exception {
    send(ev(EXPOSED, H10));
    send(ev(LONG_PRESS, H10 + 20 * MIN));
    harness.getOutput().clear();

    harness.processWatermark(H10 + G + A);
    assertThat(funnelDeltas()).isEmpty();
    assertThat(harness.numKeyedStateEntries()).isPositive();
    assertThat(harness.numEventTimeTimers()).isEqualTo(1);
    // Still on time after that watermark, within G of the long-press: the session is all there.
    send(ev(JOINED, H10 + 40 * MIN));
    assertThat(funnelDeltas()).containsExactly(new FunnelDelta(H10, "app", "code1", 0, 0, 0, 1, 0));
  }

  @Test
  void shouldKeepOneTimerPerJourneyHoweverManyEventsExtendItsSessions() throws Exception {
    for (int i = 0; i < 20; i++) {
      send(ev(EXPOSED, H10 + i * MIN));
    }
    send(ev(EXPOSED, H11 + 30 * MIN)); // a second session, after the first
    assertThat(harness.numEventTimeTimers()).isEqualTo(1);
  }

  @Test
  void shouldEndAnExtendedSessionAtExactlyItsCleanupTimeAfterItsTimerFiredEarly() throws Exception {
    send(ev(EXPOSED, H10));
    send(ev(EXPOSED, H10 + 20 * MIN));
    harness.processWatermark(H10 + G + A); // the first timer: too early, the session goes on
    harness.getOutput().clear();

    harness.processWatermark(H10 + 20 * MIN + G + A - 1);
    assertThat(funnelDeltas()).isEmpty();
    harness.processWatermark(H10 + 20 * MIN + G + A);
    assertThat(funnelDeltas())
        .containsExactly(new FunnelDelta(H10, "app", "code1", 0, 0, 0, 0, -1));
    assertThat(SessionizerHarness.totalEntries(harness)).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void shouldEndASessionOpenedBeforeTheFirstAtItsOwnCleanupTime() throws Exception {
    send(ev(EXPOSED, H11 + 30 * MIN));
    send(ev(EXPOSED, H10)); // arrives later, opens a session before the first one
    harness.getOutput().clear();

    harness.processWatermark(H10 + G + A);
    assertThat(funnelDeltas())
        .containsExactly(new FunnelDelta(H10, "app", "code1", 0, 0, 0, 0, -1));
    harness.getOutput().clear();
    harness.processWatermark(H11 + 30 * MIN + G + A - 1);
    assertThat(funnelDeltas()).isEmpty();
    harness.processWatermark(H11 + 30 * MIN + G + A);
    assertThat(funnelDeltas())
        .containsExactly(new FunnelDelta(H11, "app", "code1", 0, 0, 0, 0, -1));
    assertThat(harness.numEventTimeTimers()).isZero();
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
        SessionizerHarness.open(HEAP, G, A, JourneySessionizer.DEFAULT_MAX_EVENTS, checkpoint);
    // The restored operator's watermark is MIN until the sources emit again; this straggler would
    // join
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
    send(
        new JourneyEvent(
            "app", "code1", "trace2", LONG_PRESS, H10 + MIN, H10 + MIN, H10 + MIN, null));

    assertThat(funnelTotals()).containsExactly(Map.entry(H10, List.of(2L, 1L, 0L, 0L, 2L)));
  }

  @Test
  void shouldCountAResendFromAFastClockOnce() throws Exception {
    // A device an hour ahead: each copy's t is capped at its own receipt + 5 min, so t differs.
    long sent = H10 + 60 * MIN;
    send(fromFastClock(EXPOSED, sent, H10, 12));
    send(fromFastClock(EXPOSED, sent, H10 + 10 * MIN, 99));

    assertThat(funnelTotals()).containsExactly(Map.entry(H10, List.of(1L, 1L, 0L, 0L, 1L)));
    assertThat(eventDeltas()).containsExactly(new EventDelta(H10, "app", "code1", EXPOSED, 1));
    assertThat(dwellDeltas()).containsExactly(new DwellDelta(H10, "app", "code1", 12, 1));
  }

  @Test
  void shouldKeepTheFirstReceivedCopysTimeEvenWhenALaterCopyHasAnEarlierOne() throws Exception {
    // Two endpoints stamped the copies; the one received later in the stream was stamped earlier.
    long sent = H11 + 60 * MIN;
    send(fromFastClock(EXPOSED, sent, H11 - 2 * MIN, null)); // t = 11:03
    send(fromFastClock(EXPOSED, sent, H11 - 10 * MIN, null)); // t would be 10:55

    assertThat(funnelTotals()).containsExactly(Map.entry(H11, List.of(1L, 1L, 0L, 0L, 1L)));
    assertThat(eventDeltas()).containsExactly(new EventDelta(H11, "app", "code1", EXPOSED, 1));
  }

  @ParameterizedTest
  @ValueSource(strings = {HEAP, ROCKSDB})
  void shouldRecogniseACopyFromAFastClockUntilNoCopyCanBeOnTime(String backend) throws Exception {
    reopen(backend, JourneySessionizer.DEFAULT_MAX_EVENTS);
    long sent = H10 + 10 * 60 * MIN; // ten hours ahead
    send(fromFastClock(EXPOSED, sent, H10, null)); // t = 10:05
    // Past the session's own end (its last + G + A) ...
    harness.processWatermark(H10 + 5 * MIN + G + A);
    assertThat(funnelDeltas()).hasSize(1);
    // ... a copy received A − 1 min after the time sent is on time (its t is the time sent): one
    // event.
    send(fromFastClock(EXPOSED, sent, sent + A - MIN, null));
    assertThat(eventDeltas()).hasSize(1);
    assertThat(funnelDeltas()).hasSize(1);

    // Once the watermark passes event_time + A no copy can be on time: the journey goes.
    harness.processWatermark(sent + A + 1);
    assertThat(funnelDeltas())
        .last()
        .isEqualTo(new FunnelDelta(H10, "app", "code1", 0, 0, 0, 0, -1));
    assertThat(SessionizerHarness.totalEntries(harness)).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void shouldNotKeepAnEventFromAClockYearsAheadLongerThanTwiceTheLateness() throws Exception {
    long t = H10 + 5 * MIN;
    send(fromFastClock(EXPOSED, H10 + 365L * 24 * 60 * MIN, H10, null));

    harness.processWatermark(t + 2 * A);
    assertThat(SessionizerHarness.totalEntries(harness)).isPositive();
    harness.processWatermark(t + 2 * A + 1);
    assertThat(SessionizerHarness.totalEntries(harness)).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void shouldStartANewSessionAtAGapOfExactlyGBeforeOrAfterASession() throws Exception {
    send(ev(EXPOSED, H10 + 40 * MIN));
    send(ev(LONG_PRESS, H10 + 40 * MIN + G)); // exactly G after: a session of its own
    send(ev(JUMP, H10 + 40 * MIN - G)); // exactly G before: one more
    assertThat(funnelTotals())
        .containsExactly(
            Map.entry(H10, List.of(2L, 1L, 0L, 0L, 2L)),
            Map.entry(H11, List.of(1L, 0L, 0L, 0L, 1L)));

    // One millisecond less than G on both sides of the middle one bridges all three.
    harness.getOutput().clear();
    send(ev(JUMP, H10 + 40 * MIN + G - 1), ev(JUMP, H10 + 40 * MIN - G + 1));
    assertThat(funnelTotals())
        .containsExactly(
            Map.entry(H10, List.of(-1L, 0L, 1L, 0L, -1L)),
            Map.entry(H11, List.of(-1L, 0L, 0L, 0L, -1L)));
  }

  @Test
  void shouldMatchPendingStageTimesWhenABridgeBringsAnEarlierExposure() throws Exception {
    send(
        ev(LONG_PRESS, H10 + 20 * MIN), ev(JOINED, H10 + 21 * MIN)); // depth 0: nothing before them
    send(ev(EXPOSED, H10 - 20 * MIN)); // 40 min before: its own session, depth 1
    harness.getOutput().clear();

    send(ev(JUMP, H10)); // 20 min from each: one session, exposure → long-press → join
    assertThat(funnelDeltas())
        .containsExactlyInAnyOrder(
            new FunnelDelta(H09, "app", "code1", 0, 0, 1, 1, 0),
            new FunnelDelta(H10, "app", "code1", -1, 0, 0, 0, -1));
  }

  @Test
  void shouldNotMatchAPendingLongPressThatStaysBeforeTheExposure() throws Exception {
    send(ev(LONG_PRESS, H10), ev(JOINED, H10 + 2 * MIN), ev(EXPOSED, H10 + MIN));
    assertThat(funnelTotals()).containsExactly(Map.entry(H10, List.of(1L, 1L, 0L, 0L, 1L)));

    // An exposure at the long-press's very time matches it, and the join after it.
    send(ev(EXPOSED, H10));
    assertThat(funnelTotals()).containsExactly(Map.entry(H10, List.of(1L, 1L, 1L, 1L, 1L)));
  }

  @Test
  void shouldDeadLetterNewEventsOfAJourneyPastItsCapAndKeepItsSessionsExact() throws Exception {
    reopen(HEAP, 3);
    send(ev(EXPOSED, H10), ev(LONG_PRESS, H10 + MIN), ev(JUMP, H10 + 2 * MIN));
    send(ev(JOINED, H10 + 3 * MIN), ev(JOINED, H10 + 4 * MIN)); // over the cap
    send(ev(EXPOSED, H10)); // a copy of a counted event: dropped silently, as always
    send(
        ev(
            JOINED,
            H10 + 3 * MIN)); // a resend of a refused one: refused again, under the same source
    send(
        new JourneyEvent("app", "code1", "trace2", JOINED, H10, H10, H10, null)); // another journey

    // trace1: exposure → long-press (depth 2), its joins refused; trace2: a join alone (depth 0).
    assertThat(funnelTotals()).containsExactly(Map.entry(H10, List.of(2L, 1L, 1L, 0L, 2L)));
    assertThat(eventDeltas()).hasSize(4);
    List<DeadLetter> refused = deadLetters();
    assertThat(refused)
        .extracting(DeadLetter::reason)
        .containsOnly(JourneySessionizer.JOURNEY_TOO_LARGE)
        .hasSize(3);
    assertThat(refused)
        .extracting(DeadLetter::source)
        .containsExactly(
            "journey/app/code1/trace1/" + JOINED + "@" + (H10 + 3 * MIN),
            "journey/app/code1/trace1/" + JOINED + "@" + (H10 + 4 * MIN),
            "journey/app/code1/trace1/" + JOINED + "@" + (H10 + 3 * MIN));
  }

  @Test
  void shouldAcceptAJourneysNewEventsAgainOnceItsSessionsEnd() throws Exception {
    reopen(HEAP, 2);
    send(ev(EXPOSED, H10), ev(JUMP, H11 + 40 * MIN));
    send(ev(LONG_PRESS, H10 + MIN));
    assertThat(deadLetters()).hasSize(1);

    harness.processWatermark(H10 + G + A); // the first session ends: one live event is left
    harness.getOutput().clear();
    send(ev(LONG_PRESS, H11 + 41 * MIN));
    assertThat(deadLetters()).hasSize(1);
    assertThat(eventDeltas()).hasSize(3);
    send(ev(JOINED, H11 + 42 * MIN));
    assertThat(deadLetters()).hasSize(2);
  }

  List<DeadLetter> deadLetters() {
    var out = harness.getSideOutput(JourneySessionizer.DEAD_LETTERS);
    return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {HEAP, ROCKSDB})
  void shouldKeepASmallJourneysNamesInOneValueAndDropItsCopies(String backend) throws Exception {
    reopen(backend, JourneySessionizer.DEFAULT_MAX_EVENTS);
    send(ev(EXPOSED, H10), ev(LONG_PRESS, H10 + MIN), ev(JOINED, H10 + 2 * MIN));
    // Same event_time, other event_id; same event_id, other event_time: distinct events.
    send(ev(LONG_PRESS, H10), ev(EXPOSED, H10 + MIN));
    List<Long> counted = funnelTotals().get(H10);

    send(ev(EXPOSED, H10), ev(JOINED, H10 + 2 * MIN), ev(LONG_PRESS, H10));

    assertThat(SessionizerHarness.namesOf(harness, JOURNEY)).containsExactly(5, 0);
    assertThat(eventDeltas()).hasSize(5);
    assertThat(funnelTotals()).containsExactly(Map.entry(H10, counted));
  }

  @ParameterizedTest
  @ValueSource(strings = {HEAP, ROCKSDB})
  void shouldMoveAJourneysNamesToTheMapWhenItPassesTheInlineLimit(String backend) throws Exception {
    harness.close();
    harness =
        SessionizerHarness.open(backend, G, A, JourneySessionizer.DEFAULT_MAX_EVENTS, 3, null);
    send(ev(EXPOSED, H10), ev(LONG_PRESS, H10 + MIN), ev(JUMP, H10 + 2 * MIN));
    assertThat(SessionizerHarness.namesOf(harness, JOURNEY)).containsExactly(3, 0);

    send(ev(JOINED, H10 + 3 * MIN), ev(JUMP, H10 + 4 * MIN));
    assertThat(SessionizerHarness.namesOf(harness, JOURNEY)).containsExactly(0, 5);
    harness.getOutput().clear();
    harness.getSideOutput(JourneySessionizer.EVENT_DELTAS).clear();

    // Copies of the names that moved, and of those added after, change nothing.
    send(ev(EXPOSED, H10), ev(JUMP, H10 + 2 * MIN), ev(JUMP, H10 + 4 * MIN));
    assertThat(funnelDeltas()).isEmpty();
    assertThat(eventDeltas()).isEmpty();

    // Once the journey ends, all goes; its next event starts a value again.
    harness.processWatermark(H10 + 4 * MIN + G + A);
    assertThat(SessionizerHarness.totalEntries(harness)).isZero();
    send(ev(EXPOSED, H11 + A + G));
    assertThat(SessionizerHarness.namesOf(harness, JOURNEY)).containsExactly(1, 0);
  }

  @ParameterizedTest
  @ValueSource(strings = {HEAP, ROCKSDB})
  void shouldGoOnInTheMapForAJourneyRestoredWithItsNamesThere(String backend) throws Exception {
    List<JourneyEvent> first = List.of(ev(EXPOSED, H10), ev(LONG_PRESS, H10 + MIN));
    List<JourneyEvent> then =
        List.of(ev(EXPOSED, H10), ev(JOINED, H10 + 2 * MIN), ev(LONG_PRESS, H10 + MIN));
    Map<Long, List<Long>> uninterrupted;
    reopen(backend, JourneySessionizer.DEFAULT_MAX_EVENTS);
    send(first.toArray(JourneyEvent[]::new));
    send(then.toArray(JourneyEvent[]::new));
    uninterrupted = funnelTotals();

    // Written as before journeys kept names in one value: every name in journey-events.
    harness.close();
    harness =
        SessionizerHarness.open(backend, G, A, JourneySessionizer.DEFAULT_MAX_EVENTS, 0, null);
    send(first.toArray(JourneyEvent[]::new));
    assertThat(SessionizerHarness.namesOf(harness, JOURNEY)).containsExactly(0, 2);
    List<FunnelDelta> before = new ArrayList<>(funnelDeltas());
    OperatorSubtaskState checkpoint = harness.snapshot(1, H10 + MIN);
    harness.close();

    harness =
        SessionizerHarness.open(backend, G, A, JourneySessionizer.DEFAULT_MAX_EVENTS, checkpoint);
    send(then.toArray(JourneyEvent[]::new));

    assertThat(SessionizerHarness.namesOf(harness, JOURNEY)).containsExactly(0, 3);
    List<FunnelDelta> all = new ArrayList<>(before);
    all.addAll(funnelDeltas());
    assertThat(sums(all)).isEqualTo(uninterrupted);
    harness.processWatermark(H10 + 2 * MIN + G + A);
    assertThat(SessionizerHarness.entriesOf(harness, JOURNEY)).containsExactly(0, 0, 0);
    assertThat(SessionizerHarness.namesOf(harness, JOURNEY)).containsExactly(0, 0);
    assertThat(harness.numEventTimeTimers()).isZero();
    // RocksDB's timer queue writes through a batch that a snapshot flushes: the restored timer is
    // in the database, its deletion still in the batch until then.
    harness.snapshot(2, H10 + 2 * MIN + G + A);
    assertThat(SessionizerHarness.totalEntries(harness)).isZero();
  }

  /** {@link #funnelTotals()} of a list of deltas. */
  static Map<Long, List<Long>> sums(List<FunnelDelta> deltas) {
    Map<Long, List<Long>> out = new TreeMap<>();
    for (FunnelDelta d : deltas) {
      List<Long> s = out.getOrDefault(d.bucketStart(), List.of(0L, 0L, 0L, 0L, 0L));
      out.put(
          d.bucketStart(),
          List.of(
              s.get(0) + d.sessions(),
              s.get(1) + d.exposed(),
              s.get(2) + d.longPressed(),
              s.get(3) + d.joined(),
              s.get(4) + d.liveSessions()));
    }
    return out;
  }
}
