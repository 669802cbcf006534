package io.upbot.job.model;

import java.util.Objects;

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

  // Called on every heap state access of a row: a record's implicit equals goes through method
  // handles, which the JIT left uninlined (10-15 % of a row aggregator's samples,
  // docs/performance.md). Null-safe, as a record's is.
  @Override
  public boolean equals(Object o) {
    return o == this
        || (o instanceof AttributionKey k
            && Objects.equals(unionid, k.unionid)
            && Objects.equals(code, k.code)
            && Objects.equals(appid, k.appid));
  }
}
