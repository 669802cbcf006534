package io.upbot.job.model;

/** The totals of one {@code code_funnel_breakdown_hourly} row, as upserted. */
public record BreakdownRow(
    long bucketStart,
    String appid,
    String code,
    int deviceType,
    int accountType,
    int mediaType,
    long sessions,
    long exposed,
    long longPressed,
    long joined,
    long updatedAt) {}
