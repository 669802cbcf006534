package io.upbot.job.model;

/**
 * A decoded, on-time event as the sessionising step sees it.
 *
 * @param code the live code, {@code ""} when absent
 * @param trace the trace_id, or {@code openid:<openid>} when absent
 * @param eventTime the event_time as the client sent it, epoch ms: with {@code eventId} it names
 *     the event, so copies of it are one event whatever their {@code t}
 *     (docs/semantics.md#duplicates)
 * @param t the event's time: {@code min(event_time, received_at + 5 min)} (docs/semantics.md#time),
 *     epoch ms
 * @param receivedAt the server's receive time, epoch ms
 * @param duration dwell seconds, or {@code null} when the event carries none
 * @param openid the user's openid
 * @param accountType the account type as sent (1, 2 or 3)
 * @param deviceType the device type as sent, {@link #ABSENT} when not sent
 * @param mediaType the media type as sent, {@link #ABSENT} when not sent
 * @param unionid the user's WeChat unionid as sent ({@code head.account_info.unionid}), or in a
 *     WeCom join the member's; {@code null} when absent
 * @param source who wrote the record: {@link #SOURCE_CLIENT} or {@link #SOURCE_WECOM}
 *     (docs/stream.md#value)
 */
public record JourneyEvent(
    String appid,
    String code,
    String trace,
    String eventId,
    long eventTime,
    long t,
    long receivedAt,
    Integer duration,
    String openid,
    int accountType,
    int deviceType,
    int mediaType,
    String unionid,
    String source) {

  /** {@code source} of a client's report, written by the ingest endpoint. */
  public static final String SOURCE_CLIENT = "client";

  /** {@code source} of a join record written by the WeCom receiver (docs/wecom.md). */
  public static final String SOURCE_WECOM = "wecom";

  /**
   * An optional dimension that was not sent (docs/tables.md#code_funnel_breakdown_hourly): 0, which
   * no enumerated value uses (device types are 1 and 2, account types 1 to 3).
   */
  public static final int ABSENT = 0;

  /** A client's event without a unionid: the form every event had before unionids were sent. */
  public JourneyEvent(
      String appid,
      String code,
      String trace,
      String eventId,
      long eventTime,
      long t,
      long receivedAt,
      Integer duration,
      String openid,
      int accountType,
      int deviceType,
      int mediaType) {
    this(
        appid,
        code,
        trace,
        eventId,
        eventTime,
        t,
        receivedAt,
        duration,
        openid,
        accountType,
        deviceType,
        mediaType,
        null,
        SOURCE_CLIENT);
  }

  /**
   * An event without the user's dimensions (openid {@code ""}, every dimension {@link #ABSENT}):
   * for callers that only need the journey, time and duration.
   */
  public JourneyEvent(
      String appid,
      String code,
      String trace,
      String eventId,
      long eventTime,
      long t,
      long receivedAt,
      Integer duration) {
    this(
        appid,
        code,
        trace,
        eventId,
        eventTime,
        t,
        receivedAt,
        duration,
        "",
        ABSENT,
        ABSENT,
        ABSENT);
  }

  /** The value stored for an optional dimension: as sent, or {@link #ABSENT}. */
  public static int dimension(Integer sent) {
    return sent == null ? ABSENT : sent;
  }

  /** Whether WeCom wrote this record (a confirmed join), rather than a client. */
  public boolean fromWeCom() {
    return SOURCE_WECOM.equals(source);
  }

  /** This event moved to another trace of its appid and code (an attributed WeCom join). */
  public JourneyEvent inTrace(String otherTrace, String otherEventId) {
    return new JourneyEvent(
        appid,
        code,
        otherTrace,
        otherEventId,
        eventTime,
        t,
        receivedAt,
        duration,
        openid,
        accountType,
        deviceType,
        mediaType,
        unionid,
        source);
  }

  public JourneyKey journeyKey() {
    return new JourneyKey(appid, code, trace);
  }

  /**
   * Names this distinct event, {@code journey/<appid>/<code>/<trace>/<event_id>@<event_time>}, for
   * a dead letter's source: the same on a replay and for every copy of the event (copies share
   * their event_time as sent, not their t: docs/semantics.md#duplicates), and different for
   * distinct events, as {@code %}, {@code /} and {@code @} in the parts are escaped ({@code %25},
   * {@code %2F}, {@code %40}).
   */
  public String sourceName() {
    return "journey/"
        + escaped(appid)
        + "/"
        + escaped(code)
        + "/"
        + escaped(trace)
        + "/"
        + escaped(eventId)
        + "@"
        + eventTime;
  }

  private static String escaped(String part) {
    return part.replace("%", "%25").replace("/", "%2F").replace("@", "%40");
  }
}
