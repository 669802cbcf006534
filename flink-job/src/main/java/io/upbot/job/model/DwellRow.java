package io.upbot.job.model;

/**
 * The totals of one {@code code_dwell_hourly} row, as upserted: over the distinct events carrying a
 * duration, their count, sum, maximum and exact nearest-rank percentiles (seconds).
 */
public record DwellRow(
    long bucketStart,
    String appid,
    String code,
    long events,
    long totalS,
    int maxS,
    int p50S,
    int p90S,
    int p99S,
    long updatedAt) {}
