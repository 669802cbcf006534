package io.upbot.job.model;

/** UTC hour buckets (docs/semantics.md#buckets). */
public final class HourBuckets {
  public static final long HOUR_MS = 3_600_000L;

  private HourBuckets() {}

  /** The start of the UTC hour holding {@code epochMs}. */
  public static long bucketStart(long epochMs) {
    return epochMs - Math.floorMod(epochMs, HOUR_MS);
  }
}
