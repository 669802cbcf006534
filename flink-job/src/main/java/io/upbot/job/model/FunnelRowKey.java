package io.upbot.job.model;

/** The key of a {@code code_funnel_hourly} or {@code code_dwell_hourly} row. */
public record FunnelRowKey(long bucketStart, String appid, String code) implements HourlyRowKey {

  // Flink places keys by hashCode, in every JVM that restores the state: a record's implicit
  // hashCode is
  // unspecified (it may change between JDKs), this one is fixed.
  @Override
  public int hashCode() {
    return (31 * Long.hashCode(bucketStart) + appid.hashCode()) * 31 + code.hashCode();
  }
}
