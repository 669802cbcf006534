package io.upbot.local.bench;

import io.upbot.job.sink.JdbcSettings;
import io.upbot.local.JourneyGenerator;
import io.upbot.local.ReportBody;
import io.upbot.local.ReportPoster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Measures freshness: the time from an event's {@code ret 0} to its row in {@code
 * code_event_hourly}. Posts one probe event every {@code every}, each on a code of its own under an
 * appid of this run, notes when it was answered 0, and polls the table every {@code pollEvery} with
 * one query for all the probes still waiting, so many probes are in flight at once (the poll
 * interval is the resolution of each figure).
 */
final class FreshnessProbes implements AutoCloseable {

  /** The figures: latencies in milliseconds; {@code missing} probes never reached their row. */
  record Result(long probes, long missing, long rejected, Histogram millis) {}

  private static final Duration LONGEST = Duration.ofMinutes(10);

  private final ReportPoster poster;
  private final JdbcSettings db;
  private final String appid;
  private final ScheduledExecutorService timers;
  private final Map<String, Long> answeredAt = new ConcurrentHashMap<>();
  private final Histogram millis = new Histogram(LONGEST.toMillis(), 3);
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private volatile boolean posting = true;

  private FreshnessProbes(ReportPoster poster, JdbcSettings db, String appid) {
    this.poster = poster;
    this.db = db;
    this.appid = appid;
    this.timers =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "freshness-probes");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts posting a probe every {@code every} and polling every {@code pollEvery}. */
  static FreshnessProbes start(
      ReportPoster poster, JdbcSettings db, String appid, Duration every, Duration pollEvery) {
    FreshnessProbes p = new FreshnessProbes(poster, db, appid);
    p.timers.scheduleAtFixedRate(p::postOne, 0, every.toNanos(), TimeUnit.NANOSECONDS);
    p.timers.scheduleWithFixedDelay(
        p::pollOnce, pollEvery.toNanos(), pollEvery.toNanos(), TimeUnit.NANOSECONDS);
    return p;
  }

  private void postOne() {
    if (!posting) {
      return;
    }
    String code = "fresh-" + sent.incrementAndGet();
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
                    "tr-" + appid + "-" + code,
                    null)));
    poster
        .post(body.toJson())
        .thenAccept(
            ret -> {
              if (ReportPoster.ACCEPTED.equals(ret)) {
                answeredAt.put(code, System.nanoTime());
              } else {
                rejected.incrementAndGet();
              }
            });
  }

  /** One query for every probe's count; records the probes whose row now counts them. */
  private void pollOnce() {
    if (answeredAt.isEmpty()) {
      return;
    }
    try (Connection c = db.connect();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT code, SUM(events) FROM code_event_hourly WHERE appid = ? GROUP BY code")) {
      s.setString(1, appid);
      try (ResultSet rs = s.executeQuery()) {
        long now = System.nanoTime();
        while (rs.next()) {
          Long at = rs.getLong(2) >= 1 ? answeredAt.remove(rs.getString(1)) : null;
          if (at != null) {
            record(now - at);
          }
        }
      }
    } catch (SQLException notYet) {
      // The table is created at the job's start; a busy database is asked again at the next poll.
    }
  }

  private synchronized void record(long nanos) {
    millis.recordValue(Math.min(LONGEST.toMillis(), Math.max(0, nanos / 1_000_000)));
  }

  /**
   * Stops posting, waits up to {@code grace} for the probes in flight to reach their rows, and
   * returns the figures.
   */
  Result finish(Duration grace) throws InterruptedException {
    stopPosting();
    long deadline = System.nanoTime() + grace.toNanos();
    // An answer may still be on its way: wait for it, then for the rows.
    while (System.nanoTime() < deadline && (!answeredAt.isEmpty() || answered() < sent.get())) {
      Thread.sleep(50);
    }
    synchronized (this) {
      return new Result(sent.get(), answeredAt.size(), rejected.get(), millis.copy());
    }
  }

  private synchronized long answered() {
    return millis.getTotalCount() + answeredAt.size() + rejected.get();
  }

  /** Posts no more probes; those posted are still awaited. */
  void stopPosting() {
    posting = false;
  }

  @Override
  public void close() {
    posting = false;
    timers.shutdownNow();
  }
}
