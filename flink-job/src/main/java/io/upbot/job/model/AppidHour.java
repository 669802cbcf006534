package io.upbot.job.model;

/** One appid's events whose time {@code t} falls in one UTC hour: the scope of the cardinality caps. */
public record AppidHour(String appid, long hourStart) {

  public static AppidHour of(JourneyEvent e) {
    return new AppidHour(e.appid(), HourBuckets.bucketStart(e.t()));
  }

  // Flink places keys by hashCode, in every JVM that restores the state: a record's implicit hashCode is
  // unspecified, this one is fixed.
  @Override
  public int hashCode() {
    return 31 * appid.hashCode() + Long.hashCode(hourStart);
  }
}
