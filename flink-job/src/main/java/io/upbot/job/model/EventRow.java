package io.upbot.job.model;

/** The totals of one {@code code_event_hourly} row, as upserted. */
public record EventRow(
    long bucketStart, String appid, String code, String eventId, long events, long updatedAt) {}
