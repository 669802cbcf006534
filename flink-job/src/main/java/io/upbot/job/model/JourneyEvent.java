package io.upbot.job.model;

/**
 * A decoded, on-time event as the sessionising step sees it.
 *
 * @param code the live code, {@code ""} when absent
 * @param trace the trace_id, or {@code openid:<openid>} when absent
 * @param eventTime the event_time as the client sent it, epoch ms: with {@code eventId} it names the
 *     event, so copies of it are one event whatever their {@code t} (docs/semantics.md#duplicates)
 * @param t the event's time: {@code min(event_time, received_at + 5 min)} (docs/semantics.md#time),
 *     epoch ms
 * @param receivedAt the server's receive time, epoch ms
 * @param duration dwell seconds, or {@code null} when the event carries none
 */
public record JourneyEvent(
    String appid,
    String code,
    String trace,
    String eventId,
    long eventTime,
    long t,
    long receivedAt,
    Integer duration) {

  public JourneyKey journeyKey() {
    return new JourneyKey(appid, code, trace);
  }
}
