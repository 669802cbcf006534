package io.upbot.job.model;

/** A new distinct event carrying {@code durationS} for one {@code code_dwell_hourly} row. */
public record DwellDelta(long bucketStart, String appid, String code, int durationS, int count) {

  public FunnelRowKey rowKey() {
    return new FunnelRowKey(bucketStart, appid, code);
  }
}
