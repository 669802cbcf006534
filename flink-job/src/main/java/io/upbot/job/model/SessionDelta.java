package io.upbot.job.model;

/**
 * A signed change of one session as the per-session tables see it ({@code
 * code_funnel_breakdown_hourly}, {@code code_users_daily}, {@code code_convert_time_*}): sent by
 * the sessionising step as −1 for a session as it was and +1 for what it became (a pair that would
 * cancel is not sent), and with {@code sessions = 0, live = −1} when a session ends.
 *
 * @param bucketStart the hour of the session's start, epoch ms
 * @param openid the user of the session's earliest event
 * @param accountType the account type of the earliest event
 * @param deviceType the device type of the earliest event, {@link JourneyEvent#ABSENT} if not sent
 * @param mediaType the media type of the earliest event, {@link JourneyEvent#ABSENT} if not sent
 * @param depth the session's funnel depth, 0..3
 * @param pressMs ms from the matched exposure to the matched long-press; −1 below depth 2
 * @param joinMs ms from the matched long-press to the matched join; −1 below depth 3
 * @param sessions −1, +1, or 0 (the session ended: only its liveness changes)
 * @param live change in live sessions: the rows of this session keep their state while above zero
 */
public record SessionDelta(
    long bucketStart,
    String appid,
    String code,
    String openid,
    int accountType,
    int deviceType,
    int mediaType,
    int depth,
    long pressMs,
    long joinMs,
    int sessions,
    int live) {

  public BreakdownRowKey breakdownKey() {
    return new BreakdownRowKey(bucketStart, appid, code, deviceType, accountType, mediaType);
  }

  public FunnelRowKey hourKey() {
    return new FunnelRowKey(bucketStart, appid, code);
  }

  /** The same session's figures with another sign: for finding pairs that cancel. */
  public SessionDelta withSigns(int sessions, int live) {
    return new SessionDelta(
        bucketStart,
        appid,
        code,
        openid,
        accountType,
        deviceType,
        mediaType,
        depth,
        pressMs,
        joinMs,
        sessions,
        live);
  }
}
