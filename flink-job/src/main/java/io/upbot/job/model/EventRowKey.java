package io.upbot.job.model;

/** The key of a {@code code_event_hourly} row. */
public record EventRowKey(long bucketStart, String appid, String code, String eventId)
    implements HourlyRowKey {

  // Flink places keys by hashCode, in every JVM that restores the state: a record's implicit
  // hashCode is
  // unspecified (it may change between JDKs), this one is fixed.
  @Override
  public int hashCode() {
    return ((31 * Long.hashCode(bucketStart) + appid.hashCode()) * 31 + code.hashCode()) * 31
        + eventId.hashCode();
  }
}
