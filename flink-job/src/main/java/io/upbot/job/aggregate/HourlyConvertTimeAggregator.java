package io.upbot.job.aggregate;

import io.upbot.job.model.ConvertTimeRow;
import io.upbot.job.model.FunnelRowKey;

/** Keeps one {@code code_convert_time_hourly} row: the sessions starting in one hour. */
public final class HourlyConvertTimeAggregator
    extends ConvertTimeAggregator<FunnelRowKey, ConvertTimeRow> {
  private static final long serialVersionUID = 1L;

  public HourlyConvertTimeAggregator(RowTiming timing) {
    super("convert-time-row", timing);
  }

  @Override
  protected ConvertTimeRow row(FunnelRowKey k, Acc acc, long nowMs) throws Exception {
    return new ConvertTimeRow(k.bucketStart(), k.appid(), k.code(), times(acc), nowMs);
  }
}
