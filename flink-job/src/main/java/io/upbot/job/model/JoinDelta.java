package io.upbot.job.model;

/**
 * A change to one {@code code_join_hourly} row (by the hour of the join's {@code t}): a new WeCom
 * join, and whether it was attributed to a journey or found unattributable.
 */
public record JoinDelta(
    long bucketStart,
    String appid,
    String code,
    int wecomJoins,
    int attributedJoins,
    int unattributedJoins) {

  public FunnelRowKey rowKey() {
    return new FunnelRowKey(bucketStart, appid, code);
  }
}
