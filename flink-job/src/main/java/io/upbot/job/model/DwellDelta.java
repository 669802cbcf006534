package io.upbot.job.model;

/** A new distinct event carrying {@code durationS} for one {@code code_dwell_hourly} row. */
public record DwellDelta(long bucketStart, String appid, String code, int durationS, int count) {

  public FunnelRowKey rowKey() {
    return new FunnelRowKey(bucketStart, appid, code);
  }

  /** The same row and duration with another count. */
  public DwellDelta withCount(int count) {
    return new DwellDelta(bucketStart, appid, code, durationS, count);
  }
}
