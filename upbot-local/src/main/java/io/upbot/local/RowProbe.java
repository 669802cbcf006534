package io.upbot.local;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Measures how long one event of a fresh user takes from its answer to its row: posts one exposure
 * with an appid and code used by nobody else and polls {@code code_event_hourly} until the row
 * counts it. A pipeline held up by someone else's traffic shows here.
 */
public final class RowProbe {

  private final ReportPoster poster;
  private final TableCounts tables;
  private final String appid;
  private final String code;
  private long answeredAtNanos;

  public RowProbe(ReportPoster poster, TableCounts tables) {
    this.poster = poster;
    this.tables = tables;
    String tag = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
    this.appid = "upbot-probe";
    this.code = "probe-" + tag;
  }

  /** Posts the probe event; fails unless it is answered 0. */
  public RowProbe post() {
    ReportBody body =
        new ReportBody(
            appid,
            "probe-user-" + code,
            1,
            List.of(
                new ReportBody.Item(
                    JourneyGenerator.EXPOSURE,
                    System.currentTimeMillis(),
                    code,
                    "tr-" + code,
                    null)));
    String ret = poster.postAndWait(body.toJson());
    if (!ReportPoster.ACCEPTED.equals(ret)) {
      throw new IllegalStateException("the probe event was answered " + ret + ", not 0");
    }
    answeredAtNanos = System.nanoTime();
    return this;
  }

  /** Whether the probe's row counts it yet (a table not created yet counts as not yet). */
  public boolean arrived() {
    try {
      return tables.countedEvents(appid, code) >= 1;
    } catch (SQLException notYet) {
      return false;
    }
  }

  /** Time since the probe's answer. */
  public Duration sinceAnswer() {
    return Duration.ofNanos(System.nanoTime() - answeredAtNanos);
  }

  /** Posts the probe and polls every 50 ms until its row appears: the time from answer to row. */
  public Optional<Duration> postAndAwait(Duration timeout) throws InterruptedException {
    post();
    while (sinceAnswer().compareTo(timeout) < 0) {
      if (arrived()) {
        return Optional.of(sinceAnswer());
      }
      Thread.sleep(50);
    }
    return Optional.empty();
  }
}
