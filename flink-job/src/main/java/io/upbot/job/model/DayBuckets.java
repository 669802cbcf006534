package io.upbot.job.model;

import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * Local days of the job's time zone over UTC hour buckets, as the daily views count them
 * (docs/tables.md#daily-views-and-the-time-zone): a day holds the hourly buckets that start in it.
 */
public record DayBuckets(ZoneId zone) implements Serializable {

  /** The local day (epoch day) in which the hour bucket starting at {@code bucketStart} starts. */
  public int day(long bucketStart) {
    return (int) LocalDate.ofInstant(Instant.ofEpochMilli(bucketStart), zone).toEpochDay();
  }

  /** The key of the daily row holding the hour bucket starting at {@code bucketStart}. */
  public DayRowKey key(long bucketStart, String appid, String code) {
    return new DayRowKey(day(bucketStart), appid, code);
  }

  /**
   * The end of the last hour bucket that starts in {@code day}, epoch ms: past it plus A, no
   * on-time event can start a session counted on that day.
   */
  public long bucketsEnd(int day) {
    long nextMidnight =
        LocalDate.ofEpochDay(day + 1L).atStartOfDay(zone).toInstant().toEpochMilli();
    return HourBuckets.bucketStart(nextMidnight - 1) + HourBuckets.HOUR_MS;
  }
}
