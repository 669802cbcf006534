package io.upbot.job.aggregate;

import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.FunnelRow;
import io.upbot.job.model.FunnelRowKey;
import io.upbot.job.recovery.WatermarkGuardedFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.util.Collector;

/**
 * Keeps the totals of one {@code code_funnel_hourly} row from signed deltas and writes the row, as a
 * total, at most once per flush interval while it changes.
 *
 * <p>Retention: the row can change while a session starting in its hour is live (its live count is
 * above zero) or an on-time event can still start one there (the watermark is before hour end + A). When
 * both are over, its state is dropped, after a last flush.
 */
public final class FunnelAggregator
    extends WatermarkGuardedFunction<FunnelRowKey, FunnelDelta, FunnelRow> {
  private static final long serialVersionUID = 1L;

  /**
   * The row's state.
   *
   * @param live sessions starting in this hour that can still change
   * @param dirty changed since the last write
   * @param retentionPassed the watermark passed hour end + A while sessions were live
   */
  public record Acc(
      long sessions,
      long exposed,
      long longPressed,
      long joined,
      long live,
      boolean dirty,
      boolean retentionPassed) {}

  private final RowTiming timing;
  private transient ValueState<Acc> state;
  private transient Counter dropped;

  public FunnelAggregator(RowTiming timing) {
    this.timing = timing;
  }

  @Override
  public void open(OpenContext openContext) {
    state =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("funnel-row", TypeInformation.of(Acc.class)));
    dropped = getRuntimeContext().getMetricGroup().counter("deltasForDroppedRows");
  }

  @Override
  public void processElement(FunnelDelta d, Context ctx, Collector<FunnelRow> out)
      throws Exception {
    Acc acc = state.value();
    long retentionEnd = timing.retentionEnd(d.bucketStart());
    if (acc == null) {
      if (observeWatermark(ctx.timerService()) >= retentionEnd) {
        // Normally impossible: the row is dropped only when no session starting in its hour is live and
        // no on-time event can start one there (the watermark never passes an unseen record's
        // received_at, and an on-time event of this hour has received_at < hour end + A). A total built
        // from zero would overwrite the right one, so the delta is kept aside instead.
        DroppedRows.divert(ctx, "funnel-row", d, dropped);
        return;
      }
      acc = new Acc(0, 0, 0, 0, 0, false, false);
      ctx.timerService().registerEventTimeTimer(retentionEnd);
    }
    boolean changed = d.sessions() != 0 || d.exposed() != 0 || d.longPressed() != 0 || d.joined() != 0;
    acc =
        new Acc(
            acc.sessions() + d.sessions(),
            acc.exposed() + d.exposed(),
            acc.longPressed() + d.longPressed(),
            acc.joined() + d.joined(),
            acc.live() + d.liveSessions(),
            acc.dirty() || changed,
            acc.retentionPassed());
    if (acc.retentionPassed() && acc.live() <= 0) {
      // Its last live session just ended, after the hour's retention: nothing can change it any more.
      if (acc.dirty()) {
        out.collect(row(ctx.getCurrentKey(), acc, ctx.timerService().currentProcessingTime()));
      }
      state.clear();
      return;
    }
    if (changed) {
      ctx.timerService()
          .registerProcessingTimeTimer(timing.nextFlush(ctx.timerService().currentProcessingTime()));
    }
    state.update(acc);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<FunnelRow> out)
      throws Exception {
    // Recorded before the state is dropped: the restored guard must cover every drop.
    observeWatermark(ctx.timerService());
    Acc acc = state.value();
    if (acc == null) {
      return;
    }
    // Flush on any timer: processing-time timers do not fire at the end of a bounded input, event-time
    // ones do (the final watermark), so the retention timer also writes the final totals.
    if (acc.dirty()) {
      out.collect(row(ctx.getCurrentKey(), acc, ctx.timerService().currentProcessingTime()));
      acc = new Acc(acc.sessions(), acc.exposed(), acc.longPressed(), acc.joined(), acc.live(), false,
          acc.retentionPassed());
    }
    if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
      if (acc.live() <= 0) {
        state.clear();
        return;
      }
      acc = new Acc(acc.sessions(), acc.exposed(), acc.longPressed(), acc.joined(), acc.live(),
          acc.dirty(), true);
    }
    state.update(acc);
  }

  private static FunnelRow row(FunnelRowKey k, Acc a, long now) {
    return new FunnelRow(
        k.bucketStart(), k.appid(), k.code(), a.sessions(), a.exposed(), a.longPressed(), a.joined(),
        now);
  }
}
