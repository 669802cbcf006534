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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
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
            new FunnelAggregator(TIMING), FunnelDelta::rowKey, TypeInformation.of(FunnelRowKey.class));
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
            new DwellAggregator(TIMING), DwellDelta::rowKey, TypeInformation.of(FunnelRowKey.class));
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

      // Nothing changed since: the next tick writes nothing.
      h.processElement(fd(0, 0, 0, 0, 0), 0);
      h.setProcessingTime(NOW + 5 * FLUSH);
      assertThat(h.extractOutputValues()).hasSize(1);
    }
  }

  @Test
  void shouldNotMarkRowDirtyForLiveCountChangeOnly() throws Exception {
    try (var h = funnel()) {
      h.processElement(fd(1, 1, 0, 0, 1), 0);
      h.setProcessingTime(NOW + FLUSH);
      h.processElement(fd(0, 0, 0, 0, -1), 0);
      h.setProcessingTime(NOW + 3 * FLUSH);
      assertThat(h.extractOutputValues()).hasSize(1);
    }
  }

  @Test
  void shouldFlushDirtyRowsAndDropStateAtFinalWatermark() throws Exception {
    try (var h = funnel()) {
      h.processElement(fd(1, 1, 1, 0, 1), 0);
      h.processElement(fd(0, 0, 0, 0, -1), 0);
      // A bounded input ends with the final watermark; pending processing-time timers never fire.
      h.processWatermark(Watermark.MAX_WATERMARK);
      assertThat(h.extractOutputValues()).containsExactly(new FunnelRow(H10, "app", "c", 1, 1, 1, 0, NOW));
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
      assertThat(h.extractOutputValues()).last().isEqualTo(new EventRow(H10, "app", "c", "1110201", 3, NOW + FLUSH));
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

      // Sorted: 1..6, 7×4, 8..100. Rank ceil(.5·103)=52 → 49; ceil(.9·103)=93 → 90; ceil(.99·103)=102 → 99.
      assertThat(h.extractOutputValues())
          .containsExactly(new DwellRow(H10, "app", "c", 103, 5050 + 21, 100, 49, 90, 99, NOW + FLUSH));
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

  static List<String> deadLetterReasons(Iterable<StreamRecord<DeadLetter>> out) {
    List<String> reasons = new ArrayList<>();
    if (out != null) {
      out.forEach(r -> reasons.add(r.getValue().reason()));
    }
    return reasons;
  }
}
