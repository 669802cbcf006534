package io.upbot.job.aggregate;

import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.FunnelRow;
import io.upbot.job.model.FunnelRowKey;

/**
 * Keeps the totals of one {@code code_funnel_hourly} row from signed deltas and writes the row, as
 * a total, at most once per flush interval while it changes.
 *
 * <p>Retention: the row can change while a session starting in its hour is live (its live count is
 * above zero) or an on-time event can still start one there (the watermark is before hour end + A).
 * When both are over, its state is dropped, after a last flush.
 */
public final class FunnelAggregator
    extends RowAggregator<FunnelRowKey, FunnelDelta, FunnelAggregator.Acc, FunnelRow> {
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
      boolean retentionPassed)
      implements RowAggregator.Accumulator<Acc> {
    @Override
    public Acc written() {
      return new Acc(sessions, exposed, longPressed, joined, live, false, retentionPassed);
    }
  }

  public FunnelAggregator(RowTiming timing) {
    super("funnel-row", new Acc(0, 0, 0, 0, 0, false, false), timing);
  }

  /** A change of the live count alone does not make the row dirty: it is not written. */
  @Override
  protected Acc apply(Acc acc, FunnelDelta d) {
    boolean changed =
        d.sessions() != 0 || d.exposed() != 0 || d.longPressed() != 0 || d.joined() != 0;
    return new Acc(
        acc.sessions() + d.sessions(),
        acc.exposed() + d.exposed(),
        acc.longPressed() + d.longPressed(),
        acc.joined() + d.joined(),
        acc.live() + d.liveSessions(),
        acc.dirty() || changed,
        acc.retentionPassed());
  }

  @Override
  protected FunnelRow row(FunnelRowKey k, Acc a, long nowMs) {
    return new FunnelRow(
        k.bucketStart(),
        k.appid(),
        k.code(),
        a.sessions(),
        a.exposed(),
        a.longPressed(),
        a.joined(),
        nowMs);
  }

  /** Not while a session starting in its hour is live: that session can still change it. */
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
