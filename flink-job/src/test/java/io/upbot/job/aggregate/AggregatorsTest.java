package io.upbot.job.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.DwellDelta;
import io.upbot.job.model.DwellRow;
import io.upbot.job.model.EventDelta;
import io.upbot.job.model.EventRow;
import io.upbot.job.model.EventRowKey;
import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.FunnelRow;
import io.upbot.job.model.FunnelRowKey;
import io.upbot.job.model.FunnelStages;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.model.JourneyKey;
import io.upbot.job.session.JourneySessionizer;
import io.upbot.job.testing.Tables;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try") // the harnesses close() throws Exception, as Flink declares it
class AggregatorsTest {

  static final long A = Duration.ofHours(24).toMillis();
  static final long FLUSH = 1000;
  static final long H10 = Instant.parse("2026-11-30T10:00:00Z").toEpochMilli();
  static final long H10_RETENTION_END = H10 + 3_600_000L + A;
  static final long NOW = 1_000_000_500L;
  static final RowTiming TIMING = new RowTiming(FLUSH, A);

  static KeyedOneInputStreamOperatorTestHarness<FunnelRowKey, FunnelDelta, FunnelRow> funnel()
      throws Exception {
    var h =
        ProcessFunctionTestHarnesses.forKeyedProcessFunction(
            new FunnelAggregator(TIMING),
            FunnelDelta::rowKey,
            TypeInformation.of(FunnelRowKey.class));
    h.setProcessingTime(NOW);
    return h;
  }

  static KeyedOneInputStreamOperatorTestHarness<EventRowKey, EventDelta, EventRow> events()
      throws Exception {
    var h =
        ProcessFunctionTestHarnesses.forKeyedProcessFunction(
            new EventAggregator(TIMING), EventDelta::rowKey, TypeInformation.of(EventRowKey.class));
    h.setProcessingTime(NOW);
    return h;
  }

  static KeyedOneInputStreamOperatorTestHarness<FunnelRowKey, DwellDelta, DwellRow> dwell()
      throws Exception {
    var h =
        ProcessFunctionTestHarnesses.forKeyedProcessFunction(
            new DwellAggregator(TIMING),
            DwellDelta::rowKey,
            TypeInformation.of(FunnelRowKey.class));
    h.setProcessingTime(NOW);
    return h;
  }

  static FunnelDelta fd(int sessions, int exposed, int longPressed, int joined, int live) {
    return new FunnelDelta(H10, "app", "c", sessions, exposed, longPressed, joined, live);
  }

  @Test
  void shouldWriteEachDirtyRowOnceAsTotalWhenFlushTimerFires() throws Exception {
    try (var h = funnel()) {
      h.processElement(fd(1, 1, 0, 0, 1), 0);
      h.processElement(fd(0, 0, 1, 0, 0), 0);
      h.processElement(fd(1, 0, 0, 0, 1), 0);
      assertThat(h.extractOutputValues()).isEmpty();

      h.setProcessingTime(NOW + FLUSH);
      assertThat(h.extractOutputValues())
          .containsExactly(new FunnelRow(H10, "app", "c", 2, 1, 1, 0, NOW + FLUSH));

      // Nothing reached the row since: the next ticks write nothing.
      h.setProcessingTime(NOW + 5 * FLUSH);
      assertThat(h.extractOutputValues()).hasSize(1);
    }
  }

  /**
   * A failed attempt wrote the session's hour (+1) and then sent its move to an earlier hour (−1)
   * in the next sum; the replay from the checkpoint before both summed them in one flush (0,
   * DeltaCombiner sends it): the stale row must be written again, as zeros.
   */
  @Test
  void shouldRewriteARowTheFailedAttemptWroteWhenTheReplaySumsItsChangesToNothing()
      throws Exception {
    FunnelDelta starts = fd(1, 1, 0, 0, 1);
    FunnelDelta movesAway = fd(-1, -1, 0, 0, -1);
    Tables database = Tables.empty(); // the last write of a row wins, as in the database
    OperatorSubtaskState checkpoint;
    try (var h =
        restorable(new FunnelAggregator(TIMING), FunnelDelta::rowKey, FunnelRowKey.class, null)) {
      checkpoint = h.snapshot(1, NOW);
      h.processElement(starts, 0);
      h.setProcessingTime(NOW + FLUSH);
      h.extractOutputValues().forEach(database::upsert);
      // The attempt fails here, before the row with the move is written.
      h.processElement(movesAway, 0);
    }
    try (var h =
        restorable(
            new FunnelAggregator(TIMING), FunnelDelta::rowKey, FunnelRowKey.class, checkpoint)) {
      for (FunnelDelta sum : combinedInOneFlush(starts, movesAway)) {
        h.processElement(sum, 0);
      }
      h.setProcessingTime(NOW + 3 * FLUSH);
      h.extractOutputValues().forEach(database::upsert);
    }
    assertThat(database.funnel().values()).containsExactly(List.of(0L, 0L, 0L, 0L));
  }

  private static List<FunnelDelta> combinedInOneFlush(FunnelDelta... deltas) throws Exception {
    try (var combiner =
        new OneInputStreamOperatorTestHarness<>(new DeltaCombiner<>(new DeltaSums.Funnel(), 500))) {
      combiner.open();
      for (FunnelDelta d : deltas) {
        combiner.processElement(d, 0);
      }
      combiner.prepareSnapshotPreBarrier(1);
      return combiner.extractOutputValues();
    }
  }

  @Test
  void shouldWriteARowAgainWhenOnlyItsLiveCountChanged() throws Exception {
    try (var h = funnel()) {
      h.processElement(fd(1, 1, 0, 0, 1), 0);
      h.setProcessingTime(NOW + FLUSH);
      h.processElement(fd(0, 0, 0, 0, -1), 0);
      h.setProcessingTime(NOW + 3 * FLUSH);
      assertThat(h.extractOutputValues())
          .hasSize(2)
          .allSatisfy(r -> assertThat(r.sessions()).isOne());
    }
  }

  @Test
  void shouldFlushDirtyRowsAndDropStateAtFinalWatermark() throws Exception {
    try (var h = funnel()) {
      h.processElement(fd(1, 1, 1, 0, 1), 0);
      h.processElement(fd(0, 0, 0, 0, -1), 0);
      // A bounded input ends with the final watermark; pending processing-time timers never fire.
      h.processWatermark(Watermark.MAX_WATERMARK);
      assertThat(h.extractOutputValues())
          .containsExactly(new FunnelRow(H10, "app", "c", 1, 1, 1, 0, NOW));
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void shouldKeepFunnelRowWhileSessionIsLivePastRetentionAndDropItWhenLastEnds() throws Exception {
    try (var h = funnel()) {
      h.processElement(fd(1, 1, 0, 0, 1), 0);
      h.processWatermark(H10_RETENTION_END);
      assertThat(h.extractOutputValues()).hasSize(1);
      assertThat(h.numKeyedStateEntries()).isEqualTo(1);

      // The live session deepens, then ends.
      h.processElement(fd(0, 0, 1, 0, 0), 0);
      h.processElement(fd(0, 0, 0, 0, -1), 0);
      assertThat(h.extractOutputValues())
          .containsExactly(
              new FunnelRow(H10, "app", "c", 1, 1, 0, 0, NOW),
              new FunnelRow(H10, "app", "c", 1, 1, 1, 0, NOW));
      assertThat(h.numKeyedStateEntries()).isZero();
    }
  }

  @Test
  void shouldDropFunnelRowStateAfterRetentionWhenNoSessionIsLive() throws Exception {
    try (var h = funnel()) {
      h.processElement(fd(1, 1, 0, 0, 1), 0);
      h.processElement(fd(0, 0, 0, 0, -1), 0);
      h.setProcessingTime(NOW + FLUSH);
      h.processWatermark(H10_RETENTION_END - 1);
      assertThat(h.numKeyedStateEntries()).isEqualTo(1);

      h.processWatermark(H10_RETENTION_END);
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numEventTimeTimers()).isZero();
      assertThat(h.extractOutputValues()).hasSize(1);
    }
  }

  @Test
  void shouldNeverWriteFunnelRowFromZeroAfterItsStateWasDropped() throws Exception {
    try (var h = funnel()) {
      h.processElement(fd(1, 1, 0, 0, 1), 0);
      h.processElement(fd(0, 0, 0, 0, -1), 0);
      h.processWatermark(H10_RETENTION_END);
      int written = h.extractOutputValues().size();

      h.processElement(fd(0, 0, 1, 0, 0), 0);
      h.setProcessingTime(NOW + 10 * FLUSH);
      h.processWatermark(Watermark.MAX_WATERMARK);

      assertThat(h.extractOutputValues()).hasSize(written);
      assertThat(deadLetterReasons(h.getSideOutput(DroppedRows.DEAD_LETTERS)))
          .containsExactly(DroppedRows.REASON);
      assertThat(h.numKeyedStateEntries()).isZero();
    }
  }

  @Test
  void shouldCountEventsAndDropRowAfterRetention() throws Exception {
    try (var h = events()) {
      EventDelta d = new EventDelta(H10, "app", "c", "1110201", 1);
      h.processElement(d, 0);
      h.processElement(d, 0);
      h.setProcessingTime(NOW + FLUSH);
      assertThat(h.extractOutputValues())
          .containsExactly(new EventRow(H10, "app", "c", "1110201", 2, NOW + FLUSH));

      h.processElement(d, 0);
      h.processWatermark(H10_RETENTION_END);
      assertThat(h.extractOutputValues())
          .last()
          .isEqualTo(new EventRow(H10, "app", "c", "1110201", 3, NOW + FLUSH));
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numEventTimeTimers()).isZero();

      h.processElement(d, 0);
      h.processWatermark(Watermark.MAX_WATERMARK);
      assertThat(h.extractOutputValues()).hasSize(2);
      assertThat(deadLetterReasons(h.getSideOutput(DroppedRows.DEAD_LETTERS)))
          .containsExactly(DroppedRows.REASON);
    }
  }

  @Test
  void shouldComputeExactNearestRankPercentiles() throws Exception {
    // 1..100 once each plus 7 three more times: N = 103.
    List<Integer> durations = new ArrayList<>();
    for (int i = 100; i >= 1; i--) {
      durations.add(i);
    }
    durations.addAll(List.of(7, 7, 7));
    try (var h = dwell()) {
      for (int d : durations) {
        h.processElement(new DwellDelta(H10, "app", "c", d, 1), 0);
      }
      h.setProcessingTime(NOW + FLUSH);

      // Sorted: 1..6, 7×4, 8..100. Rank ceil(.5·103)=52 → 49; ceil(.9·103)=93 → 90;
      // ceil(.99·103)=102 → 99.
      assertThat(h.extractOutputValues())
          .containsExactly(
              new DwellRow(H10, "app", "c", 103, 5050 + 21, 100, 49, 90, 99, NOW + FLUSH));
    }
  }

  @Test
  void shouldTakePercentilesOfASingleValue() throws Exception {
    try (var h = dwell()) {
      h.processElement(new DwellDelta(H10, "app", "c", 0, 1), 0);
      h.processWatermark(Watermark.MAX_WATERMARK);
      assertThat(h.extractOutputValues())
          .containsExactly(new DwellRow(H10, "app", "c", 1, 0, 0, 0, 0, 0, NOW));
      assertThat(h.numKeyedStateEntries()).isZero();
    }
  }

  @Test
  void shouldDropDwellRowAfterRetentionAndNeverWriteItFromZero() throws Exception {
    try (var h = dwell()) {
      h.processElement(new DwellDelta(H10, "app", "c", 30, 1), 0);
      h.processElement(new DwellDelta(H10, "app", "c", 10, 1), 0);
      h.processWatermark(H10_RETENTION_END);
      assertThat(h.extractOutputValues())
          .containsExactly(new DwellRow(H10, "app", "c", 2, 40, 30, 10, 30, 30, NOW));
      assertThat(h.numKeyedStateEntries()).isZero();

      h.processElement(new DwellDelta(H10, "app", "c", 5, 1), 0);
      h.processWatermark(Watermark.MAX_WATERMARK);
      assertThat(h.extractOutputValues()).hasSize(1);
      assertThat(deadLetterReasons(h.getSideOutput(DroppedRows.DEAD_LETTERS)))
          .containsExactly(DroppedRows.REASON);
    }
  }

  @Test
  void shouldGiveADroppedRowDeltaTheSameDeadLetterSourceOnReplay() throws Exception {
    EventDelta straggler = new EventDelta(H10, "app", "c", "1110201", 1);
    EventDelta other = new EventDelta(H10, "app", "c", "1110204", 1);
    List<String> firstRun = droppedRowSources(NOW, H10_RETENTION_END, straggler, other);
    // A replay reaches the same deltas at another processing time and watermark.
    List<String> replay =
        droppedRowSources(NOW + 3_600_000, H10_RETENTION_END + 60_000, straggler, other);

    assertThat(firstRun).hasSize(2).doesNotHaveDuplicates();
    assertThat(replay).isEqualTo(firstRun);
  }

  private static List<String> droppedRowSources(long now, long watermark, EventDelta... deltas)
      throws Exception {
    try (var h = events()) {
      h.setProcessingTime(now);
      h.processWatermark(watermark);
      for (EventDelta d : deltas) {
        h.processElement(d, 0);
      }
      List<String> sources = new ArrayList<>();
      h.getSideOutput(DroppedRows.DEAD_LETTERS).forEach(r -> sources.add(r.getValue().source()));
      return sources;
    }
  }

  /** A keyed harness that can start from a snapshot, as a restored job does. */
  static <K, I, O> KeyedOneInputStreamOperatorTestHarness<K, I, O> restorable(
      KeyedProcessFunction<K, I, O> f,
      KeySelector<I, K> key,
      Class<K> keyType,
      OperatorSubtaskState restore)
      throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(f), key, TypeInformation.of(keyType));
    h.setup();
    if (restore != null) {
      h.initializeState(restore);
    }
    h.open();
    h.setProcessingTime(NOW);
    return h;
  }

  /**
   * Keeps a row until its state is dropped (the watermark passes hour end + A), checkpoints,
   * restores, then sends one more delta for it: it must go to the dead letters, never start the row
   * from zero.
   */
  private static <K, I, O> void assertDeltaForRowDroppedBeforeRestoreIsDeadLettered(
      Function<RowTiming, KeyedProcessFunction<K, I, O>> function,
      KeySelector<I, K> key,
      Class<K> keyType,
      List<I> before,
      I straggler)
      throws Exception {
    OperatorSubtaskState checkpoint;
    try (var h = restorable(function.apply(TIMING), key, keyType, null)) {
      for (I d : before) {
        h.processElement(d, 0);
      }
      h.processWatermark(H10_RETENTION_END);
      assertThat(h.extractOutputValues()).as("the row's final total").hasSize(1);
      assertThat(h.numKeyedStateEntries()).as("the row's state is dropped").isZero();
      checkpoint = h.snapshot(1, NOW);
    }
    try (var h = restorable(function.apply(TIMING), key, keyType, checkpoint)) {
      // After a restore the operator's watermark starts again at MIN, until the sources emit one.
      h.processElement(straggler, 0);
      h.setProcessingTime(NOW + 10 * FLUSH);
      assertThat(h.extractOutputValues()).as("no total written from zero").isEmpty();
      assertThat(deadLetterReasons(h.getSideOutput(DroppedRows.DEAD_LETTERS)))
          .containsExactly(DroppedRows.REASON);
      assertThat(h.numKeyedStateEntries()).isZero();
    }
  }

  @Test
  void shouldDeadLetterADeltaForARowDroppedBeforeTheRestoreInEveryAggregator() throws Exception {
    assertDeltaForRowDroppedBeforeRestoreIsDeadLettered(
        FunnelAggregator::new,
        FunnelDelta::rowKey,
        FunnelRowKey.class,
        List.of(fd(1, 1, 0, 0, 1), fd(0, 0, 0, 0, -1)),
        fd(0, 0, 1, 0, 0));
    EventDelta e = new EventDelta(H10, "app", "c", "1110201", 1);
    assertDeltaForRowDroppedBeforeRestoreIsDeadLettered(
        EventAggregator::new, EventDelta::rowKey, EventRowKey.class, List.of(e, e), e);
    assertDeltaForRowDroppedBeforeRestoreIsDeadLettered(
        DwellAggregator::new,
        DwellDelta::rowKey,
        FunnelRowKey.class,
        List.of(new DwellDelta(H10, "app", "c", 30, 1)),
        new DwellDelta(H10, "app", "c", 5, 1));
  }

  @Test
  void shouldNeverOverwriteARowFromZeroAfterRestore() throws Exception {
    long g = Duration.ofMinutes(30).toMillis();
    String jump = "1100102";
    List<EventRow> written = new ArrayList<>();
    List<String> deadLetters = new ArrayList<>();
    KeySelector<JourneyEvent, JourneyKey> journey = JourneyEvent::journeyKey;
    OperatorSubtaskState sessionsCheckpoint;
    OperatorSubtaskState rowsCheckpoint;
    try (var sessions =
            restorable(
                new JourneySessionizer(FunnelStages.DEFAULT, g, A, 10_000),
                journey,
                JourneyKey.class,
                null);
        var rows =
            restorable(new EventAggregator(TIMING), EventDelta::rowKey, EventRowKey.class, null)) {
      sessionise(
          sessions,
          rows,
          new JourneyEvent("app", "c", "tr1", jump, H10 + 60_000, H10 + 60_000, H10 + 61_000, null),
          deadLetters);
      sessionise(
          sessions,
          rows,
          new JourneyEvent(
              "app", "c", "tr1", jump, H10 + 120_000, H10 + 120_000, H10 + 121_000, null),
          deadLetters);
      long w = H10_RETENTION_END + 60_000; // the journey and the 10:00 rows are retired
      sessions.processWatermark(w);
      rows.processWatermark(w);
      written.addAll(rows.extractOutputValues());
      sessionsCheckpoint = sessions.snapshot(1, NOW);
      rowsCheckpoint = rows.snapshot(1, NOW);
    }
    try (var sessions =
            restorable(
                new JourneySessionizer(FunnelStages.DEFAULT, g, A, 10_000),
                journey,
                JourneyKey.class,
                sessionsCheckpoint);
        var rows =
            restorable(
                new EventAggregator(TIMING),
                EventDelta::rowKey,
                EventRowKey.class,
                rowsCheckpoint)) {
      // On time (received exactly A after t) but appended beyond the bound, right after the
      // restore.
      long t = H10 + 180_000;
      sessionise(
          sessions,
          rows,
          new JourneyEvent("app", "c", "tr1", jump, t, t, t + A, null),
          deadLetters);
      rows.setProcessingTime(NOW + 10 * FLUSH);
      written.addAll(rows.extractOutputValues());
    }
    assertThat(written)
        .as("the totals written for (10:00, c, 1100102)")
        .extracting(EventRow::events)
        .containsExactly(2L);
    assertThat(deadLetters).containsExactly(JourneySessionizer.BEHIND_WATERMARK);
  }

  private static void sessionise(
      KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta> sessions,
      KeyedOneInputStreamOperatorTestHarness<EventRowKey, EventDelta, EventRow> rows,
      JourneyEvent e,
      List<String> deadLetters)
      throws Exception {
    sessions.processElement(e, e.t());
    var deltas = sessions.getSideOutput(JourneySessionizer.EVENT_DELTAS);
    for (StreamRecord<EventDelta> d; deltas != null && (d = deltas.poll()) != null; ) {
      rows.processElement(d);
    }
    deadLetters.addAll(deadLetterReasons(sessions.getSideOutput(JourneySessionizer.DEAD_LETTERS)));
    deadLetters.addAll(deadLetterReasons(rows.getSideOutput(DroppedRows.DEAD_LETTERS)));
    if (sessions.getSideOutput(JourneySessionizer.DEAD_LETTERS) != null) {
      sessions.getSideOutput(JourneySessionizer.DEAD_LETTERS).clear();
    }
    if (rows.getSideOutput(DroppedRows.DEAD_LETTERS) != null) {
      rows.getSideOutput(DroppedRows.DEAD_LETTERS).clear();
    }
  }

  static List<String> deadLetterReasons(Iterable<StreamRecord<DeadLetter>> out) {
    List<String> reasons = new ArrayList<>();
    if (out != null) {
      out.forEach(r -> reasons.add(r.getValue().reason()));
    }
    return reasons;
  }
}
