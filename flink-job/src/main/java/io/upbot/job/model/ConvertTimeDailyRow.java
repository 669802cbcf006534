package io.upbot.job.model;

/**
 * The totals of one {@code code_convert_time_daily} row, as upserted.
 *
 * @param day epoch day of the local date
 */
public record ConvertTimeDailyRow(
    int day, String appid, String code, ConvertTimes times, long updatedAt) {}
