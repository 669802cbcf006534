package io.upbot.job.aggregate;

/**
 * The accumulator of a live row that counts sessions, or users, at each funnel depth: all of them,
 * and those reaching depth ≥ 1, ≥ 2 and 3, in its record's component order.
 */
public interface DepthCounts<A> extends LiveRowAggregator.LiveAccumulator<A> {

  /** These counts plus {@code d0} … {@code d3} and {@code liveChange}, with these flags. */
  A plus(
      long d0,
      long d1,
      long d2,
      long d3,
      long liveChange,
      boolean newDirty,
      boolean newRetentionPassed);

  @Override
  default A withFlags(boolean dirty, boolean retentionPassed) {
    return plus(0, 0, 0, 0, 0, dirty, retentionPassed);
  }

  /** These counts plus the changes, dirty. */
  default A add(long d0, long d1, long d2, long d3, long liveChange) {
    return plus(d0, d1, d2, d3, liveChange, true, retentionPassed());
  }

  /** These counts plus {@code n} sessions of {@code depth}, counted at each depth up to theirs. */
  default A addSessions(int depth, long n, long liveChange) {
    return add(n, depth >= 1 ? n : 0, depth >= 2 ? n : 0, depth >= 3 ? n : 0, liveChange);
  }
}
