package io.upbot.job.model;

/** The key of a {@code code_event_hourly} row. */
public record EventRowKey(long bucketStart, String appid, String code, String eventId) {}
