package io.upbot.job.aggregate;

import io.upbot.job.model.HourBuckets;
import java.io.Serializable;

/**
 * When the row aggregators flush and how long they keep a row.
 *
 * @param flushIntervalMs a dirty row is written at most this long after its first change
 * @param allowedLatenessMs A: no on-time event can reach an hour's rows once the watermark is past
 *     the hour's end + A
 */
public record RowTiming(long flushIntervalMs, long allowedLatenessMs) implements Serializable {

  /** The next flush tick after {@code nowMs}; rounding lets the rows of one tick share a time. */
  public long nextFlush(long nowMs) {
    return (Math.floorDiv(nowMs, flushIntervalMs) + 1) * flushIntervalMs;
  }

  /**
   * The event time from which no on-time event can change a row of this hour: an on-time event of
   * the hour has {@code t < end} and {@code received_at ≤ t + A}, and the watermark never passes an
   * unseen record's received_at.
   */
  public long retentionEnd(long bucketStart) {
    return bucketStart + HourBuckets.HOUR_MS + allowedLatenessMs;
  }
}
