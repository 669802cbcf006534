package io.upbot.job.aggregate;

import io.upbot.job.model.EventDelta;
import io.upbot.job.model.EventRow;
import io.upbot.job.model.EventRowKey;

/**
 * Keeps the distinct-event count of one {@code code_event_hourly} row and writes it, as a total, at
 * most once per flush interval while it changes; drops the row once the watermark passes hour end +
 * A.
 */
public final class EventAggregator
    extends RowAggregator<EventRowKey, EventDelta, EventAggregator.Acc, EventRow> {
  private static final long serialVersionUID = 1L;

  /** The row's state: its count and whether it changed since the last write. */
  public record Acc(long events, boolean dirty) implements RowAggregator.Accumulator<Acc> {
    @Override
    public Acc written() {
      return new Acc(events, false);
    }

    @Override
    public Acc touched() {
      return new Acc(events, true);
    }
  }

  public EventAggregator(RowTiming timing) {
    super("event-row", new Acc(0, false), timing);
  }

  @Override
  protected Acc apply(Acc acc, EventDelta d) {
    return new Acc(acc.events() + d.events(), true);
  }

  @Override
  protected EventRow row(EventRowKey k, Acc acc, long nowMs) {
    return new EventRow(k.bucketStart(), k.appid(), k.code(), k.eventId(), acc.events(), nowMs);
  }
}
