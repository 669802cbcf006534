package io.upbot.job.model;

import java.util.Objects;

/**
 * The key of a daily row ({@code code_users_daily}, {@code code_convert_time_daily}).
 *
 * @param day the local date in the job's time zone, as days since 1970-01-01 ({@link
 *     java.time.LocalDate#toEpochDay()})
 */
public record DayRowKey(int day, String appid, String code) {

  // Flink places keys by hashCode, in every JVM that restores the state: a record's implicit
  // hashCode is unspecified (it may change between JDKs), this one is fixed.
  @Override
  public int hashCode() {
    return (31 * day + appid.hashCode()) * 31 + code.hashCode();
  }

  // Called on every heap state access of a row: a record's implicit equals goes through method
  // handles, which the JIT left uninlined (10-15 % of a row aggregator's samples,
  // docs/performance.md). Null-safe, as a record's is.
  @Override
  public boolean equals(Object o) {
    return o == this
        || (o instanceof DayRowKey k
            && day == k.day
            && Objects.equals(code, k.code)
            && Objects.equals(appid, k.appid));
  }
}
