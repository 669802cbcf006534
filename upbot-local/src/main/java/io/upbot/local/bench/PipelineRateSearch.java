package io.upbot.local.bench;

import java.util.List;
import java.util.OptionalDouble;

/**
 * The search for the pipeline's sustained rate, as a pure function of the steps run so far: a
 * bisection on the offered rate between the highest rate the pipeline kept up with and the lowest
 * it did not, starting at half the endpoint's maximum. A step that kept up above one that did not
 * (noise on a shared machine) is ignored: the bracket only narrows.
 *
 * @param ceiling the endpoint's maximum rate: no step offers more
 * @param resolution the search stops once the bracket is narrower than this fraction of the ceiling
 * @param maxSteps the search stops after this many steps
 */
public record PipelineRateSearch(double ceiling, double resolution, int maxSteps) {

  /** One step: the rate offered, the distinct events accepted per second, and the verdict. */
  public record Step(double offered, double acceptedPerSecond, boolean keptUp) {}

  public PipelineRateSearch {
    if (!(ceiling > 0) || !(resolution > 0 && resolution < 1) || maxSteps < 1) {
      throw new IllegalArgumentException("ceiling > 0, 0 < resolution < 1, maxSteps >= 1");
    }
  }

  /** The rate the next step should offer, or empty when the search is over. */
  public OptionalDouble next(List<Step> steps) {
    if (steps.size() >= maxSteps) {
      return OptionalDouble.empty();
    }
    if (steps.isEmpty()) {
      return OptionalDouble.of(ceiling / 2);
    }
    double hi = lowestFailed(steps);
    double lo = highestKeptUpBelow(steps, hi);
    if (lo >= ceiling || hi - lo < resolution * ceiling) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of((lo + hi) / 2);
  }

  /**
   * The sustained rate found: the most distinct events per second accepted by a step that kept up
   * and offered less than the lowest rate that did not; 0 when none kept up.
   */
  public static double sustained(List<Step> steps) {
    double hi = Double.POSITIVE_INFINITY;
    for (Step s : steps) {
      if (!s.keptUp()) {
        hi = Math.min(hi, s.offered());
      }
    }
    double best = 0;
    for (Step s : steps) {
      if (s.keptUp() && s.offered() < hi) {
        best = Math.max(best, s.acceptedPerSecond());
      }
    }
    return best;
  }

  /** The lowest rate offered by a step that did not keep up, or the ceiling when none. */
  private double lowestFailed(List<Step> steps) {
    double hi = ceiling;
    for (Step s : steps) {
      if (!s.keptUp()) {
        hi = Math.min(hi, s.offered());
      }
    }
    return hi;
  }

  /** The highest rate below {@code hi} offered by a step that kept up, or 0 when none. */
  private static double highestKeptUpBelow(List<Step> steps, double hi) {
    double lo = 0;
    for (Step s : steps) {
      if (s.keptUp() && s.offered() <= hi) {
        lo = Math.max(lo, s.offered());
      }
    }
    return lo;
  }
}
