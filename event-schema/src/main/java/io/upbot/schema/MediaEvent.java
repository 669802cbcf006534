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
  "duration",
  "unionid",
  "source"
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
    @JsonProperty("duration") Integer duration,
    @JsonProperty("unionid") String unionid,
    @JsonProperty("source") String source) {

  /** The record version this class writes and reads. */
  public static final int VERSION = 1;

  /** Separates appid from the trace part of the record key. */
  public static final String KEY_SEPARATOR = "|";

  /**
   * Prefix of the trace part of the key (and of the journey trace) when an item has no trace_id.
   */
  public static final String OPENID_TRACE_PREFIX = "openid:";

  /** {@code source} of records written by the ingest endpoint from client reports. */
  public static final String SOURCE_CLIENT = "client";

  /** {@code source} of join records written from WeCom's own member data (docs/wecom.md). */
  public static final String SOURCE_WECOM = "wecom";

  public MediaEvent {
    Objects.requireNonNull(appid, "appid");
    Objects.requireNonNull(openid, "openid");
    Objects.requireNonNull(eventId, "eventId");
    // Records written before the field existed came from clients (docs/stream.md).
    if (source == null) {
      source = SOURCE_CLIENT;
    }
  }

  /**
   * A client-reported record without a unionid: the form every writer used before {@code unionid}
   * and {@code source} were added, kept so that their call sites stay as they are.
   */
  public MediaEvent(
      int v,
      String appid,
      String openid,
      int accountType,
      Integer deviceType,
      String uuid,
      String eventId,
      long eventTime,
      long receivedAt,
      Integer mediaType,
      String code,
      String traceId,
      Integer duration) {
    this(
        v,
        appid,
        openid,
        accountType,
        deviceType,
        uuid,
        eventId,
        eventTime,
        receivedAt,
        mediaType,
        code,
        traceId,
        duration,
        null,
        SOURCE_CLIENT);
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
