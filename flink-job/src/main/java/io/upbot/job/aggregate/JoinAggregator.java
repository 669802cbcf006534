package io.upbot.job.aggregate;

import io.upbot.job.model.FunnelRowKey;
import io.upbot.job.model.JoinDelta;
import io.upbot.job.model.JoinRow;

/**
 * Keeps the WeCom join counts of one {@code code_join_hourly} row (docs/tables.md#code_join_hourly)
 * and writes them, as totals, at most once per flush interval while they change; drops the row once
 * the watermark passes hour end + A, after which no join of the hour can still be decided.
 */
public final class JoinAggregator
    extends RowAggregator<FunnelRowKey, JoinDelta, JoinAggregator.Acc, JoinRow> {
  private static final long serialVersionUID = 1L;

  /** The row's state: its counts and whether they changed since the last write. */
  public record Acc(long joins, long attributed, long unattributed, boolean dirty)
      implements RowAggregator.Accumulator<Acc> {
    @Override
    public Acc written() {
      return new Acc(joins, attributed, unattributed, false);
    }

    @Override
    public Acc touched() {
      return new Acc(joins, attributed, unattributed, true);
    }
  }

  public JoinAggregator(RowTiming timing) {
    super("join-row", new Acc(0, 0, 0, false), timing);
  }

  @Override
  protected Acc apply(Acc acc, JoinDelta d) {
    if (d.wecomJoins() == 0 && d.attributedJoins() == 0 && d.unattributedJoins() == 0) {
      return acc;
    }
    return new Acc(
        acc.joins() + d.wecomJoins(),
        acc.attributed() + d.attributedJoins(),
        acc.unattributed() + d.unattributedJoins(),
        true);
  }

  @Override
  protected JoinRow row(FunnelRowKey k, Acc acc, long nowMs) {
    return new JoinRow(
        k.bucketStart(),
        k.appid(),
        k.code(),
        acc.joins(),
        acc.attributed(),
        acc.unattributed(),
        nowMs);
  }
}
