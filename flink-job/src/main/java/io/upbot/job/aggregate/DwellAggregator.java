package io.upbot.job.aggregate;

import io.upbot.job.model.DwellDelta;
import io.upbot.job.model.DwellRow;
import io.upbot.job.model.FunnelRowKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Keeps one {@code code_dwell_hourly} row: a count per distinct duration value, enough for exact
 * nearest-rank percentiles (the value at rank {@code ceil(p·N)}), plus total and max. Writes the
 * row, as a total, at most once per flush interval while it changes; drops it once the watermark
 * passes hour end + A.
 */
public final class DwellAggregator
    extends RowAggregator<FunnelRowKey, DwellDelta, DwellAggregator.Acc, DwellRow> {
  private static final long serialVersionUID = 1L;

  /** The row's summary; the per-value counts are in a map state beside it. */
  public record Acc(long events, long totalS, int maxS, boolean dirty)
      implements RowAggregator.Accumulator<Acc> {
    @Override
    public Acc written() {
      return new Acc(events, totalS, maxS, false);
    }

    @Override
    public Acc touched() {
      return new Acc(events, totalS, maxS, true);
    }
  }

  private transient MapState<Integer, Long> countsByDuration;

  public DwellAggregator(RowTiming timing) {
    super("dwell-row", new Acc(0, 0, 0, false), timing);
  }

  @Override
  public void open(OpenContext openContext) throws Exception {
    super.open(openContext);
    countsByDuration = mapState("dwell-counts", Types.INT, Types.LONG);
  }

  @Override
  protected Acc apply(Acc acc, DwellDelta d) throws Exception {
    if (d.count() == 0) {
      return acc;
    }
    Long c = countsByDuration.get(d.durationS());
    countsByDuration.put(d.durationS(), (c == null ? 0L : c) + d.count());
    return new Acc(
        acc.events() + d.count(),
        acc.totalS() + (long) d.durationS() * d.count(),
        Math.max(acc.maxS(), d.durationS()),
        true);
  }

  @Override
  protected DwellRow row(FunnelRowKey k, Acc acc, long nowMs) throws Exception {
    List<long[]> counts = new ArrayList<>();
    for (Map.Entry<Integer, Long> e : countsByDuration.entries()) {
      counts.add(new long[] {e.getKey(), e.getValue()});
    }
    return new DwellRow(
        k.bucketStart(),
        k.appid(),
        k.code(),
        acc.events(),
        acc.totalS(),
        acc.maxS(),
        Percentiles.nearestRank(counts, acc.events(), 50),
        Percentiles.nearestRank(counts, acc.events(), 90),
        Percentiles.nearestRank(counts, acc.events(), 99),
        nowMs);
  }

  @Override
  protected void clearExtraState() {
    countsByDuration.clear();
  }
}
