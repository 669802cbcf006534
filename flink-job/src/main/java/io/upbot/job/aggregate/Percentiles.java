package io.upbot.job.aggregate;

import java.util.Comparator;
import java.util.List;

/** Exact nearest-rank percentiles over a count per distinct value. */
public final class Percentiles {

  private Percentiles() {}

  /**
   * The value at rank {@code ceil(percent/100 · n)} (1-based) of the sorted values, in integer
   * arithmetic so no rounding can move the rank.
   *
   * @param valueCounts pairs {@code {value, count}}, in any order (sorted here)
   * @param n the total count, > 0
   * @param percent 1..100
   */
  public static int nearestRank(List<long[]> valueCounts, long n, int percent) {
    return Math.toIntExact(nearestRankLong(valueCounts, n, percent));
  }

  /** As {@link #nearestRank}, for values beyond the int range. */
  public static long nearestRankLong(List<long[]> valueCounts, long n, int percent) {
    long rank = Math.max(1, (percent * n + 99) / 100);
    valueCounts.sort(Comparator.comparingLong(vc -> vc[0]));
    long seen = 0;
    for (long[] vc : valueCounts) {
      seen += vc[1];
      if (seen >= rank) {
        return vc[0];
      }
    }
    throw new IllegalStateException("counts sum to " + seen + ", below n=" + n);
  }
}
