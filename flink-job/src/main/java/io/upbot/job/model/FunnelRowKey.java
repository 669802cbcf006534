package io.upbot.job.model;

/** The key of a {@code code_funnel_hourly} or {@code code_dwell_hourly} row. */
public record FunnelRowKey(long bucketStart, String appid, String code) {}
