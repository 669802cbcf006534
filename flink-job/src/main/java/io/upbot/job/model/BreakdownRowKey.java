package io.upbot.job.model;

/** The key of a {@code code_funnel_breakdown_hourly} row. */
public record BreakdownRowKey(
    long bucketStart, String appid, String code, int deviceType, int accountType, int mediaType)
    implements HourlyRowKey {

  // Flink places keys by hashCode, in every JVM that restores the state: a record's implicit
  // hashCode is unspecified (it may change between JDKs), this one is fixed.
  @Override
  public int hashCode() {
    int h = (31 * Long.hashCode(bucketStart) + appid.hashCode()) * 31 + code.hashCode();
    return ((h * 31 + deviceType) * 31 + accountType) * 31 + mediaType;
  }
}
