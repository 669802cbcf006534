package io.upbot.job.model;

/**
 * The key of the join attribution (docs/semantics.md#wecom-joins): one user, by unionid, on one
 * live code of one appid; {@code unionid} is {@code ""} for a WeCom join without one.
 */
public record AttributionKey(String appid, String code, String unionid) {

  /** The key of an event routed to the attribution. */
  public static AttributionKey of(JourneyEvent e) {
    return new AttributionKey(e.appid(), e.code(), e.unionid() == null ? "" : e.unionid());
  }

  // Flink places keys by hashCode, in every JVM that restores the state: a record's implicit
  // hashCode is unspecified (it may change between JDKs), this one is fixed.
  @Override
  public int hashCode() {
    return (31 * appid.hashCode() + code.hashCode()) * 31 + unionid.hashCode();
  }
}
