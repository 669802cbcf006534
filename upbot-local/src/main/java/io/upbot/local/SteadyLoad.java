package io.upbot.local;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Posts batches of fresh journeys at a fixed rate until closed, counting the answers. Every event
 * is distinct (each journey has its own trace), so the events counted in the tables must equal the
 * events answered 0, plus at most those answered otherwise (a batch answered 1005 may still have
 * been stored).
 */
public final class SteadyLoad implements AutoCloseable {

  /** Told of every answer, on an HTTP client thread. */
  @FunctionalInterface
  public interface Listener {
    void answered(ReportBody batch, String ret, long latencyNanos);
  }

  private final ScheduledExecutorService scheduler;
  private final ReportPoster poster;
  private final JourneyGenerator journeys;
  private final int batch;
  private final int maxInFlight;
  private final Semaphore inFlight;
  private final Listener listener;
  private final Map<String, LongAdder> answers = new ConcurrentHashMap<>();
  private final LongAdder accepted = new LongAdder();
  private final LongAdder unsure = new LongAdder();

  private SteadyLoad(
      ReportPoster poster,
      JourneyGenerator journeys,
      int batch,
      int maxInFlight,
      Listener listener) {
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "steady-load");
              t.setDaemon(true);
              return t;
            });
    this.poster = poster;
    this.journeys = journeys;
    this.batch = batch;
    this.maxInFlight = maxInFlight;
    this.inFlight = new Semaphore(maxInFlight);
    this.listener = listener;
  }

  /**
   * Starts posting {@code eventsPerSecond} events in batches of {@code batch}; at most {@code
   * maxInFlight} requests wait for an answer (a tick finding none free is counted as {@code
   * client-overload}).
   */
  public static SteadyLoad start(
      ReportPoster poster,
      JourneyGenerator journeys,
      double eventsPerSecond,
      int batch,
      int maxInFlight,
      Listener listener) {
    SteadyLoad load = new SteadyLoad(poster, journeys, batch, maxInFlight, listener);
    long periodNanos = Math.max(1, (long) (1e9 * batch / eventsPerSecond));
    load.scheduler.scheduleAtFixedRate(load::postOne, 0, periodNanos, TimeUnit.NANOSECONDS);
    return load;
  }

  private void postOne() {
    if (!inFlight.tryAcquire()) {
      answers.computeIfAbsent("client-overload", k -> new LongAdder()).increment();
      return;
    }
    ReportBody body = journeys.batch(System.currentTimeMillis(), batch);
    long sent = System.nanoTime();
    poster
        .post(body.toJson())
        .whenComplete(
            (ret, err) -> {
              answers.computeIfAbsent(ret, k -> new LongAdder()).increment();
              if (ReportPoster.ACCEPTED.equals(ret)) {
                accepted.add(body.items().size());
              } else {
                unsure.add(body.items().size());
              }
              listener.answered(body, ret, System.nanoTime() - sent);
              inFlight.release();
            });
  }

  /** Events answered 0 so far. */
  public long accepted() {
    return accepted.sum();
  }

  /** Events answered otherwise (not stored, or stored without the client knowing). */
  public long unsure() {
    return unsure.sum();
  }

  /** Answers by ret so far. */
  public Map<String, Long> answers() {
    Map<String, Long> m = new TreeMap<>();
    answers.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  /** Stops posting and waits (up to 60 s) for the requests in flight to be answered. */
  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(10, TimeUnit.SECONDS);
      if (inFlight.tryAcquire(maxInFlight, 60, TimeUnit.SECONDS)) {
        inFlight.release(maxInFlight);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
