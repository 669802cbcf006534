package io.upbot.job.model;

/**
 * A signed change to one {@code code_funnel_hourly} row, sent by the sessionising step when a
 * session starts, grows, deepens, merges, moves its start, or ends.
 *
 * @param sessions change in sessions started in the hour
 * @param exposed change in sessions of depth ≥ 1
 * @param longPressed change in sessions of depth ≥ 2
 * @param joined change in sessions of depth ≥ 3
 * @param liveSessions change in sessions starting in this hour that can still change; the row keeps
 *     its state while this is above zero
 */
public record FunnelDelta(
    long bucketStart,
    String appid,
    String code,
    int sessions,
    int exposed,
    int longPressed,
    int joined,
    int liveSessions) {

  public FunnelRowKey rowKey() {
    return new FunnelRowKey(bucketStart, appid, code);
  }
}
