package io.upbot.job.aggregate;

import io.upbot.job.model.ConvertTimes;
import io.upbot.job.model.SessionDelta;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Keeps one row of convert times (docs/tables.md#code_convert_time_hourly): a count per distinct
 * time, in ms, from the matched exposure to the matched long-press of the sessions of depth ≥ 2,
 * and from the long-press to the matched join of those of depth 3; enough for exact nearest-rank
 * percentiles, corrected by the sessions' −1/+1 deltas. The hourly and the daily table differ only
 * in their key and retention ({@link HourlyConvertTimeAggregator}, {@link
 * DailyConvertTimeAggregator}).
 *
 * <p>Retention as {@link FunnelAggregator}'s: the row can change while a session counted in it is
 * live or an on-time event can still start one in its span; then its state, the per-time counts
 * included, is dropped after a last flush.
 *
 * @param <K> the row's key
 * @param <R> the row written
 */
public abstract class ConvertTimeAggregator<K, R>
    extends LiveRowAggregator<K, SessionDelta, ConvertTimeAggregator.Acc, R> {
  private static final long serialVersionUID = 1L;

  /**
   * The row's counts; the per-time counts are in two map states beside it.
   *
   * @param pressed sessions of depth ≥ 2
   * @param joined sessions of depth 3
   * @param live sessions counted in this row that can still change
   * @param dirty changed since the last write
   * @param retentionPassed the watermark passed the row's retention end while sessions were live
   */
  public record Acc(long pressed, long joined, long live, boolean dirty, boolean retentionPassed)
      implements LiveRowAggregator.LiveAccumulator<Acc> {
    @Override
    public Acc withFlags(boolean newDirty, boolean newPassed) {
      return new Acc(pressed, joined, live, newDirty, newPassed);
    }
  }

  private final String stateName;
  private transient MapState<Long, Long> pressCounts;
  private transient MapState<Long, Long> joinCounts;

  /**
   * @param stateName the row's state name; the per-time counts are {@code <stateName>-press-ms} and
   *     {@code <stateName>-join-ms}. Never change them: a savepoint's state is found by them.
   */
  protected ConvertTimeAggregator(String stateName, RowTiming timing) {
    super(stateName, new Acc(0, 0, 0, false, false), timing);
    this.stateName = stateName;
  }

  @Override
  public void open(OpenContext openContext) throws Exception {
    super.open(openContext);
    pressCounts = mapState(stateName + "-press-ms", Types.LONG, Types.LONG);
    joinCounts = mapState(stateName + "-join-ms", Types.LONG, Types.LONG);
  }

  /**
   * Sessions that never reached a long-press have no convert times: their changes never make the
   * row dirty, so a code-hour without a long-press gets no row of zeros.
   */
  @Override
  protected final boolean touches(SessionDelta d) {
    return d.depth() >= 2;
  }

  @Override
  protected final Acc apply(Acc acc, SessionDelta d) throws Exception {
    int n = d.sessions();
    boolean pressed = n != 0 && d.depth() >= 2;
    boolean joined = n != 0 && d.depth() == 3;
    if (pressed) {
      add(pressCounts, d.pressMs(), n);
    }
    if (joined) {
      add(joinCounts, d.joinMs(), n);
    }
    return new Acc(
        acc.pressed() + (pressed ? n : 0),
        acc.joined() + (joined ? n : 0),
        acc.live() + d.live(),
        acc.dirty() || pressed,
        acc.retentionPassed());
  }

  private static void add(MapState<Long, Long> counts, long ms, int n) throws Exception {
    Long c = counts.get(ms);
    long next = (c == null ? 0 : c) + n;
    if (next == 0) {
      counts.remove(ms);
    } else {
      counts.put(ms, next);
    }
  }

  /** The row's figures: counts and percentiles (null when the count is 0). */
  protected final ConvertTimes times(Acc acc) throws Exception {
    List<long[]> press = counts(pressCounts);
    List<long[]> join = counts(joinCounts);
    return new ConvertTimes(
        acc.pressed(),
        percentile(press, acc.pressed(), 50),
        percentile(press, acc.pressed(), 90),
        percentile(press, acc.pressed(), 99),
        acc.joined(),
        percentile(join, acc.joined(), 50),
        percentile(join, acc.joined(), 90),
        percentile(join, acc.joined(), 99));
  }

  private static List<long[]> counts(MapState<Long, Long> state) throws Exception {
    List<long[]> out = new ArrayList<>();
    for (Map.Entry<Long, Long> e : state.entries()) {
      out.add(new long[] {e.getKey(), e.getValue()});
    }
    return out;
  }

  private static Long percentile(List<long[]> counts, long n, int percent) {
    return n == 0 ? null : Percentiles.nearestRankLong(counts, n, percent);
  }

  @Override
  protected final void clearExtraState() {
    pressCounts.clear();
    joinCounts.clear();
  }
}
