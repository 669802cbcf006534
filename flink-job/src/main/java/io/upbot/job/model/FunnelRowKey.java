package io.upbot.job.model;

import java.util.Objects;

/** The key of a {@code code_funnel_hourly} or {@code code_dwell_hourly} row. */
public record FunnelRowKey(long bucketStart, String appid, String code) implements HourlyRowKey {

  // Flink places keys by hashCode, in every JVM that restores the state: a record's implicit
  // hashCode is unspecified (it may change between JDKs), this one is fixed.
  @Override
  public int hashCode() {
    return (31 * Long.hashCode(bucketStart) + appid.hashCode()) * 31 + code.hashCode();
  }

  // Called on every heap state access of a row: a record's implicit equals goes through method
  // handles, which the JIT left uninlined (10-15 % of a row aggregator's samples,
  // docs/performance.md). Null-safe, as a record's is.
  @Override
  public boolean equals(Object o) {
    return o == this
        || (o instanceof FunnelRowKey k
            && bucketStart == k.bucketStart
            && Objects.equals(code, k.code)
            && Objects.equals(appid, k.appid));
  }
}
