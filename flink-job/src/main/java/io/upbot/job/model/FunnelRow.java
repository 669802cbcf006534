package io.upbot.job.model;

/** The totals of one {@code code_funnel_hourly} row, as upserted. */
public record FunnelRow(
    long bucketStart,
    String appid,
    String code,
    long sessions,
    long exposed,
    long longPressed,
    long joined,
    long updatedAt) {}
