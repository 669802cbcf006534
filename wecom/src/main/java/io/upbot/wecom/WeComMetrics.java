package io.upbot.wecom;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The receiver's counters, served as Prometheus text at {@code /metrics} (docs/wecom.md). */
public final class WeComMetrics {

  private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
  private final AtomicLong lookupFailingSince = new AtomicLong();
  private volatile boolean resolverReady;

  /** One callback answered; {@code answer} is the answer's name (docs/wecom.md#answers). */
  public void callback(String answer) {
    inc("upbot_wecom_callbacks_total{answer=\"" + answer + "\"}");
  }

  /** One API call's outcome. */
  public void apiCall(String api, String result) {
    inc("upbot_wecom_api_calls_total{api=\"" + api + "\",result=\"" + result + "\"}");
  }

  /** Join records written. */
  public void joinRecords(int n) {
    counters
        .computeIfAbsent("upbot_wecom_join_records_total", k -> new LongAdder())
        .add(Math.max(0, n));
  }

  /** A member of an add_member change that made no join record, and why. */
  public void memberSkipped(String reason) {
    inc("upbot_wecom_members_skipped_total{reason=\"" + reason + "\"}");
  }

  /** A join record written without a unionid (it counts, but matches no journey). */
  public void joinWithoutUnionid() {
    inc("upbot_wecom_join_records_without_unionid_total");
  }

  /** A pending callback whose lookup failed and will be tried again. */
  public void lookupRetry() {
    inc("upbot_wecom_lookup_retries_total");
  }

  /** A pending callback moved to the dead-letter topic. */
  public void deadLettered(String reason) {
    inc("upbot_wecom_dead_letters_total{reason=\"" + reason + "\"}");
  }

  /** Marks the lookups failing from {@code sinceMillis} (0: they succeed). */
  public void lookupFailingSince(long sinceMillis) {
    lookupFailingSince.set(sinceMillis);
  }

  /** Marks the lookups failing from {@code sinceMillis} unless already marked. */
  public void lookupFailingSinceIfUnset(long sinceMillis) {
    lookupFailingSince.compareAndSet(0, sinceMillis);
  }

  /**
   * Whether the resolver holds its transactional id: set once its transactions are initialised,
   * cleared when it stops. Until then a second resolver may still take the id over.
   */
  public void resolverReady(boolean ready) {
    resolverReady = ready;
  }

  /** Whether the resolver holds its transactional id and is working. */
  public boolean resolverReady() {
    return resolverReady;
  }

  /** A counter's value (tests). */
  public long get(String series) {
    LongAdder a = counters.get(series);
    return a == null ? 0 : a.sum();
  }

  private void inc(String series) {
    counters.computeIfAbsent(series, k -> new LongAdder()).increment();
  }

  /** Prometheus text exposition. */
  public String render(long nowMillis) {
    StringBuilder b = new StringBuilder();
    String lastName = null;
    for (Map.Entry<String, LongAdder> e : new TreeMap<>(counters).entrySet()) {
      int brace = e.getKey().indexOf('{');
      String name = brace < 0 ? e.getKey() : e.getKey().substring(0, brace);
      if (!name.equals(lastName)) {
        b.append("# TYPE ").append(name).append(" counter\n");
        lastName = name;
      }
      b.append(e.getKey()).append(' ').append(e.getValue().sum()).append('\n');
    }
    long since = lookupFailingSince.get();
    b.append("# TYPE upbot_wecom_lookup_failing_seconds gauge\n")
        .append("upbot_wecom_lookup_failing_seconds ")
        .append(since == 0 ? 0 : Math.max(0, (nowMillis - since) / 1000))
        .append('\n');
    b.append("# TYPE upbot_wecom_resolver_ready gauge\n")
        .append("upbot_wecom_resolver_ready ")
        .append(resolverReady ? 1 : 0)
        .append('\n');
    return b.toString();
  }
}
