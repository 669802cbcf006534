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
    extends LiveRowAggregator<FunnelRowKey, FunnelDelta, FunnelAggregator.Acc, FunnelRow> {
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
      implements DepthCounts<Acc> {
    @Override
    public Acc plus(
        long d0, long d1, long d2, long d3, long liveChange, boolean newDirty, boolean newPassed) {
      return new Acc(
          sessions + d0,
          exposed + d1,
          longPressed + d2,
          joined + d3,
          live + liveChange,
          newDirty,
          newPassed);
    }
  }

  public FunnelAggregator(RowTiming timing) {
    super("funnel-row", new Acc(0, 0, 0, 0, 0, false, false), timing);
  }

  @Override
  protected Acc apply(Acc acc, FunnelDelta d) {
    return acc.add(d.sessions(), d.exposed(), d.longPressed(), d.joined(), d.liveSessions());
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
}
