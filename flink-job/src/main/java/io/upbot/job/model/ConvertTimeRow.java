package io.upbot.job.model;

/** The totals of one {@code code_convert_time_hourly} row, as upserted. */
public record ConvertTimeRow(
    long bucketStart, String appid, String code, ConvertTimes times, long updatedAt) {}
