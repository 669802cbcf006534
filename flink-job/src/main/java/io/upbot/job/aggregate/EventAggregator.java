package io.upbot.job.aggregate;

import io.upbot.job.model.EventDelta;
import io.upbot.job.model.EventRow;
import io.upbot.job.model.EventRowKey;
import io.upbot.job.recovery.WatermarkGuardedFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.util.Collector;

/**
 * Keeps the distinct-event count of one {@code code_event_hourly} row and writes it, as a total, at most
 * once per flush interval while it changes; drops the row once the watermark passes hour end + A.
 */
public final class EventAggregator
    extends WatermarkGuardedFunction<EventRowKey, EventDelta, EventRow> {
  private static final long serialVersionUID = 1L;

  /** The row's state: its count and whether it changed since the last write. */
  public record Acc(long events, boolean dirty) {}

  private final RowTiming timing;
  private transient ValueState<Acc> state;
  private transient Counter dropped;

  public EventAggregator(RowTiming timing) {
    this.timing = timing;
  }

  @Override
  public void open(OpenContext openContext) {
    state =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("event-row", TypeInformation.of(Acc.class)));
    dropped = getRuntimeContext().getMetricGroup().counter("deltasForDroppedRows");
  }

  @Override
  public void processElement(EventDelta d, Context ctx, Collector<EventRow> out) throws Exception {
    Acc acc = state.value();
    if (acc == null) {
      long retentionEnd = timing.retentionEnd(d.bucketStart());
      if (observeWatermark(ctx.timerService()) >= retentionEnd) {
        // Normally impossible: an event of this hour that is on time has received_at < hour end + A, and
        // the watermark never passes an unseen record's received_at. A total from zero would overwrite
        // the right one, so the delta is kept aside instead.
        DroppedRows.divert(ctx, "event-row", d, dropped);
        return;
      }
      acc = new Acc(0, false);
      ctx.timerService().registerEventTimeTimer(retentionEnd);
    }
    if (d.events() == 0) {
      return;
    }
    state.update(new Acc(acc.events() + d.events(), true));
    ctx.timerService()
        .registerProcessingTimeTimer(timing.nextFlush(ctx.timerService().currentProcessingTime()));
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<EventRow> out)
      throws Exception {
    // Recorded before the state is dropped: the restored guard must cover every drop.
    observeWatermark(ctx.timerService());
    Acc acc = state.value();
    if (acc == null) {
      return;
    }
    if (acc.dirty()) {
      EventRowKey k = ctx.getCurrentKey();
      out.collect(
          new EventRow(
              k.bucketStart(), k.appid(), k.code(), k.eventId(), acc.events(),
              ctx.timerService().currentProcessingTime()));
    }
    if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
      state.clear();
    } else if (acc.dirty()) {
      state.update(new Acc(acc.events(), false));
    }
  }
}
