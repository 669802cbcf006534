package io.upbot.job.model;

import java.util.Objects;

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

  // Called on every heap state access of a row: a record's implicit equals goes through method
  // handles, which the JIT left uninlined (10-15 % of a row aggregator's samples,
  // docs/performance.md). Null-safe, as a record's is.
  @Override
  public boolean equals(Object o) {
    return o == this
        || (o instanceof BreakdownRowKey k
            && bucketStart == k.bucketStart
            && deviceType == k.deviceType
            && accountType == k.accountType
            && mediaType == k.mediaType
            && Objects.equals(code, k.code)
            && Objects.equals(appid, k.appid));
  }
}
