package io.upbot.job.model;

import java.util.Objects;

/**
 * The journey of docs/semantics.md#journey: {@code (appid, code, trace)}, with {@code code = ""}
 * when absent and {@code trace} the trace_id or {@code openid:<openid>}.
 */
public record JourneyKey(String appid, String code, String trace) {

  // Flink places keys by hashCode, in every JVM that restores the state: a record's implicit
  // hashCode is unspecified (it may change between JDKs), this one is fixed.
  @Override
  public int hashCode() {
    return (31 * appid.hashCode() + code.hashCode()) * 31 + trace.hashCode();
  }

  // Called on every heap state access of a journey. The implicit equals of a record goes through
  // method handles, which the JIT left uninlined in the sessionizer's thread (2 % of its samples,
  // docs/performance.md); the trace first, as it differs between most keys.
  @Override
  public boolean equals(Object o) {
    return o == this
        || (o instanceof JourneyKey k
            && Objects.equals(trace, k.trace)
            && Objects.equals(code, k.code)
            && Objects.equals(appid, k.appid));
  }
}
