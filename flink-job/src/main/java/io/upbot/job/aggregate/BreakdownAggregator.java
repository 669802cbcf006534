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
    extends LiveRowAggregator<
        BreakdownRowKey, SessionDelta, BreakdownAggregator.Acc, BreakdownRow> {
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

  public BreakdownAggregator(RowTiming timing) {
    super("funnel-breakdown-row", new Acc(0, 0, 0, 0, 0, false, false), timing);
  }

  @Override
  protected Acc apply(Acc acc, SessionDelta d) {
    return acc.addSessions(d.depth(), d.sessions(), d.live());
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
}
