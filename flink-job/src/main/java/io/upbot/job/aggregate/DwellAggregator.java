package io.upbot.job.aggregate;

import io.upbot.job.model.DwellDelta;
import io.upbot.job.model.DwellRow;
import io.upbot.job.model.FunnelRowKey;
import io.upbot.job.recovery.WatermarkGuardedFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.util.Collector;

/**
 * Keeps one {@code code_dwell_hourly} row: a count per distinct duration value, enough for exact
 * nearest-rank percentiles (the value at rank {@code ceil(p·N)}), plus total and max. Writes the row, as a
 * total, at most once per flush interval while it changes; drops it once the watermark passes hour end + A.
 */
public final class DwellAggregator
    extends WatermarkGuardedFunction<FunnelRowKey, DwellDelta, DwellRow> {
  private static final long serialVersionUID = 1L;

  /** The row's summary; the per-value counts are in a map state beside it. */
  public record Acc(long events, long totalS, int maxS, boolean dirty) {}

  private final RowTiming timing;
  private transient ValueState<Acc> summary;
  private transient MapState<Integer, Long> countsByDuration;
  private transient Counter dropped;

  public DwellAggregator(RowTiming timing) {
    this.timing = timing;
  }

  @Override
  public void open(OpenContext openContext) {
    summary =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("dwell-row", TypeInformation.of(Acc.class)));
    countsByDuration =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("dwell-counts", Types.INT, Types.LONG));
    dropped = getRuntimeContext().getMetricGroup().counter("deltasForDroppedRows");
  }

  @Override
  public void processElement(DwellDelta d, Context ctx, Collector<DwellRow> out) throws Exception {
    Acc acc = summary.value();
    if (acc == null) {
      long retentionEnd = timing.retentionEnd(d.bucketStart());
      if (observeWatermark(ctx.timerService()) >= retentionEnd) {
        // Normally impossible, as for event rows: an on-time event of this hour has received_at < hour
        // end + A and the watermark never passes an unseen record's received_at. Percentiles from a
        // partial distribution would overwrite the right ones, so the delta is kept aside instead.
        DroppedRows.divert(ctx, "dwell-row", d, dropped);
        return;
      }
      acc = new Acc(0, 0, 0, false);
      ctx.timerService().registerEventTimeTimer(retentionEnd);
    }
    if (d.count() == 0) {
      summary.update(acc);
      return;
    }
    Long c = countsByDuration.get(d.durationS());
    countsByDuration.put(d.durationS(), (c == null ? 0L : c) + d.count());
    summary.update(
        new Acc(
            acc.events() + d.count(),
            acc.totalS() + (long) d.durationS() * d.count(),
            Math.max(acc.maxS(), d.durationS()),
            true));
    ctx.timerService()
        .registerProcessingTimeTimer(timing.nextFlush(ctx.timerService().currentProcessingTime()));
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<DwellRow> out)
      throws Exception {
    // Recorded before the state is dropped: the restored guard must cover every drop.
    observeWatermark(ctx.timerService());
    Acc acc = summary.value();
    if (acc == null) {
      return;
    }
    if (acc.dirty()) {
      List<long[]> counts = new ArrayList<>();
      for (Map.Entry<Integer, Long> e : countsByDuration.entries()) {
        counts.add(new long[] {e.getKey(), e.getValue()});
      }
      FunnelRowKey k = ctx.getCurrentKey();
      out.collect(
          new DwellRow(
              k.bucketStart(), k.appid(), k.code(), acc.events(), acc.totalS(), acc.maxS(),
              Percentiles.nearestRank(counts, acc.events(), 50),
              Percentiles.nearestRank(counts, acc.events(), 90),
              Percentiles.nearestRank(counts, acc.events(), 99),
              ctx.timerService().currentProcessingTime()));
    }
    if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
      summary.clear();
      countsByDuration.clear();
    } else if (acc.dirty()) {
      summary.update(new Acc(acc.events(), acc.totalS(), acc.maxS(), false));
    }
  }
}
