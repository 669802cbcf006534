package io.upbot.job.model;

/**
 * The journey of docs/semantics.md#journey: {@code (appid, code, trace)}, with {@code code = ""}
 * when absent and {@code trace} the trace_id or {@code openid:<openid>}.
 */
public record JourneyKey(String appid, String code, String trace) {

  // Flink places keys by hashCode, in every JVM that restores the state: a record's implicit
  // hashCode is
  // unspecified (it may change between JDKs), this one is fixed.
  @Override
  public int hashCode() {
    return (31 * appid.hashCode() + code.hashCode()) * 31 + trace.hashCode();
  }
}
