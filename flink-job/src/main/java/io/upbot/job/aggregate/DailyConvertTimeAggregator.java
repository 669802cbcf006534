package io.upbot.job.aggregate;

import io.upbot.job.model.ConvertTimeDailyRow;
import io.upbot.job.model.DayBuckets;
import io.upbot.job.model.DayRowKey;

/**
 * Keeps one {@code code_convert_time_daily} row: the sessions starting on one local day of the
 * job's time zone. Exact daily percentiles need every time of the day, which hourly percentiles do
 * not keep, so the job keeps the day's own counts.
 */
public final class DailyConvertTimeAggregator
    extends ConvertTimeAggregator<DayRowKey, ConvertTimeDailyRow> {
  private static final long serialVersionUID = 1L;

  private final DayBuckets days;

  public DailyConvertTimeAggregator(RowTiming timing, DayBuckets days) {
    super("convert-time-daily-row", timing);
    this.days = days;
  }

  @Override
  protected ConvertTimeDailyRow row(DayRowKey k, Acc acc, long nowMs) throws Exception {
    return new ConvertTimeDailyRow(k.day(), k.appid(), k.code(), times(acc), nowMs);
  }

  /** The end of the day's last hour + A: from then on no on-time event starts a session there. */
  @Override
  protected long retentionEnd(DayRowKey key) {
    return days.bucketsEnd(key.day()) + timing().allowedLatenessMs();
  }
}
