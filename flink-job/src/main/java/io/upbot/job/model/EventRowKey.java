package io.upbot.job.model;

import java.util.Objects;

/** The key of a {@code code_event_hourly} row. */
public record EventRowKey(long bucketStart, String appid, String code, String eventId)
    implements HourlyRowKey {

  // Flink places keys by hashCode, in every JVM that restores the state: a record's implicit
  // hashCode is unspecified (it may change between JDKs), this one is fixed.
  @Override
  public int hashCode() {
    return ((31 * Long.hashCode(bucketStart) + appid.hashCode()) * 31 + code.hashCode()) * 31
        + eventId.hashCode();
  }

  // Called on every heap state access of a row: a record's implicit equals goes through method
  // handles, which the JIT left uninlined (10-15 % of a row aggregator's samples,
  // docs/performance.md). Null-safe, as a record's is.
  @Override
  public boolean equals(Object o) {
    return o == this
        || (o instanceof EventRowKey k
            && bucketStart == k.bucketStart
            && Objects.equals(eventId, k.eventId)
            && Objects.equals(code, k.code)
            && Objects.equals(appid, k.appid));
  }
}
