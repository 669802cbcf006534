package io.upbot.job.model;

/**
 * A new distinct event for one {@code code_event_hourly} row (by the hour of the event's own time).
 */
public record EventDelta(long bucketStart, String appid, String code, String eventId, int events) {

  public EventRowKey rowKey() {
    return new EventRowKey(bucketStart, appid, code, eventId);
  }
}
