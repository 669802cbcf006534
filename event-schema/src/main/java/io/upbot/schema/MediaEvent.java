package io.upbot.schema;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/**
 * One accepted report item as it travels on the stream (docs/stream.md), version {@value #VERSION}.
 *
 * <p>Optional fields are {@code null} when absent. {@code eventTime} and {@code receivedAt} are
 * epoch milliseconds; {@code eventTime} has already been normalised from seconds where the client
 * sent seconds.
 */
@JsonPropertyOrder({
  "v",
  "appid",
  "openid",
  "account_type",
  "device_type",
  "uuid",
  "event_id",
  "event_time",
  "received_at",
  "media_type",
  "code",
  "trace_id",
  "duration"
})
public record MediaEvent(
    @JsonProperty("v") int v,
    @JsonProperty("appid") String appid,
    @JsonProperty("openid") String openid,
    @JsonProperty("account_type") int accountType,
    @JsonProperty("device_type") Integer deviceType,
    @JsonProperty("uuid") String uuid,
    @JsonProperty("event_id") String eventId,
    @JsonProperty("event_time") long eventTime,
    @JsonProperty("received_at") long receivedAt,
    @JsonProperty("media_type") Integer mediaType,
    @JsonProperty("code") String code,
    @JsonProperty("trace_id") String traceId,
    @JsonProperty("duration") Integer duration) {

  /** The record version this class writes and reads. */
  public static final int VERSION = 1;

  /** Separates appid from the trace part of the record key. */
  public static final String KEY_SEPARATOR = "|";

  /**
   * Prefix of the trace part of the key (and of the journey trace) when an item has no trace_id.
   */
  public static final String OPENID_TRACE_PREFIX = "openid:";

  public MediaEvent {
    Objects.requireNonNull(appid, "appid");
    Objects.requireNonNull(openid, "openid");
    Objects.requireNonNull(eventId, "eventId");
  }

  /**
   * The trace this event belongs to: its trace_id, or {@code openid:<openid>} when it has none. The
   * record key and the job's journey key both use it.
   */
  public String trace() {
    return traceId != null ? traceId : OPENID_TRACE_PREFIX + openid;
  }

  /** The Kafka record key: {@code appid|trace}, so all events of one trace share a partition. */
  public String kafkaKey() {
    return appid + KEY_SEPARATOR + trace();
  }
}
