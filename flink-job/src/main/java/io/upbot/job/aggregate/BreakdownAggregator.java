package io.upbot.job.aggregate;

import io.upbot.job.model.BreakdownRow;
import io.upbot.job.model.BreakdownRowKey;
import io.upbot.job.model.SessionDelta;

/**
 * Keeps the totals of one {@code code_funnel_breakdown_hourly} row (an hour, code and the
 * dimensions of the sessions' earliest events) from signed session deltas and writes the row, as a
 * total, at most once per flush interval while it changes.
 *
 * <p>Retention as {@link FunnelAggregator}'s: the row can change while a session counted in it is
 * live or an on-time event can still start one in its hour; when both are over, its state is
 * dropped, after a last flush.
 */
public final class BreakdownAggregator
    extends RowAggregator<BreakdownRowKey, SessionDelta, BreakdownAggregator.Acc, BreakdownRow> {
  private static final long serialVersionUID = 1L;

  /**
   * The row's state.
   *
   * @param live sessions counted in this row that can still change
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
      boolean retentionPassed)
      implements RowAggregator.Accumulator<Acc> {
    @Override
    public Acc written() {
      return new Acc(sessions, exposed, longPressed, joined, live, false, retentionPassed);
    }
  }

  public BreakdownAggregator(RowTiming timing) {
    super("funnel-breakdown-row", new Acc(0, 0, 0, 0, 0, false, false), timing);
  }

  /** A session's end changes only the live count: the row is not written for it. */
  @Override
  protected Acc apply(Acc acc, SessionDelta d) {
    int n = d.sessions();
    return new Acc(
        acc.sessions() + n,
        acc.exposed() + (d.depth() >= 1 ? n : 0),
        acc.longPressed() + (d.depth() >= 2 ? n : 0),
        acc.joined() + (d.depth() >= 3 ? n : 0),
        acc.live() + d.live(),
        acc.dirty() || n != 0,
        acc.retentionPassed());
  }

  @Override
  protected BreakdownRow row(BreakdownRowKey k, Acc a, long nowMs) {
    return new BreakdownRow(
        k.bucketStart(),
        k.appid(),
        k.code(),
        k.deviceType(),
        k.accountType(),
        k.mediaType(),
        a.sessions(),
        a.exposed(),
        a.longPressed(),
        a.joined(),
        nowMs);
  }

  /** Not while a session counted in the row is live: that session can still change it. */
  @Override
  protected boolean mayDrop(Acc acc) {
    return acc.live() <= 0;
  }

  @Override
  protected Acc pastRetention(Acc a) {
    return new Acc(
        a.sessions(), a.exposed(), a.longPressed(), a.joined(), a.live(), a.dirty(), true);
  }

  @Override
  protected boolean isPastRetention(Acc acc) {
    return acc.retentionPassed();
  }
}
