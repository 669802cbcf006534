package io.upbot.local;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * An open-loop HTTP load generator for ReportMediaEvent. Requests are scheduled at a fixed rate;
 * latency is measured from each request's scheduled time, so a stalled server shows as latency
 * instead of silently lowering the offered load (coordinated omission).
 */
public final class LoadGenerator {

  /**
   * What to send. {@code eventsPerSecond} counts items, so requests/s = eventsPerSecond / batch.
   */
  public record Options(
      URI url,
      String token,
      double eventsPerSecond,
      Duration duration,
      int batch,
      String appid,
      int maxInFlight) {
    public Options {
      if (eventsPerSecond <= 0
          || batch < 1
          || batch > 500
          || duration.isNegative()
          || maxInFlight < 1) {
        throw new IllegalArgumentException(
            "rate > 0, 1 <= batch <= 500, duration >= 0, max in flight >= 1");
      }
    }
  }

  /** What came back. Latencies in microseconds. */
  public record Summary(
      long requests,
      long items,
      Map<String, Long> answersByRet,
      double seconds,
      long acceptedItems,
      Histogram latencyMicros) {

    public double acceptedEventsPerSecond() {
      return seconds <= 0 ? 0 : acceptedItems / seconds;
    }

    /** The summary as printed at the end of a run. */
    public String render() {
      StringBuilder b = new StringBuilder();
      b.append(String.format("requests: %d  items: %d  in %.1f s%n", requests, items, seconds));
      b.append("answers by ret: ").append(answersByRet).append('\n');
      b.append(String.format("accepted events/s: %.0f%n", acceptedEventsPerSecond()));
      b.append(
          String.format(
              "latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
              ms(50), ms(90), ms(99), ms(99.9), latencyMicros.getMaxValue() / 1000.0));
      return b.toString();
    }

    private double ms(double p) {
      return latencyMicros.getValueAtPercentile(p) / 1000.0;
    }
  }

  private LoadGenerator() {}

  /**
   * Runs the load for the configured duration, printing a progress line to {@code progress} each
   * second.
   */
  public static Summary run(Options o, PrintStream progress) throws InterruptedException {
    HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    JourneyGenerator gen =
        new JourneyGenerator(
            System.nanoTime(), o.appid(), List.of("demo-code-a", "demo-code-b", "demo-code-c"));
    Recorder recorder = new Recorder(3);
    Histogram total = new Histogram(3);
    Map<String, LongAdder> byRet = new ConcurrentHashMap<>();
    LongAdder accepted = new LongAdder();
    AtomicLong requests = new AtomicLong();
    Semaphore inFlight = new Semaphore(o.maxInFlight());

    long intervalNanos = (long) (1e9 * o.batch() / o.eventsPerSecond());
    long start = System.nanoTime();
    long end = start + o.duration().toNanos();
    long nextProgress = start + TimeUnit.SECONDS.toNanos(1);
    long scheduled = start;
    while (scheduled < end) {
      long now = System.nanoTime();
      if (now < scheduled) {
        LockSupport.parkNanos(Math.min(scheduled - now, 5_000_000L));
        continue;
      }
      if (now >= nextProgress) {
        total.add(recorder.getIntervalHistogram());
        progress.printf(
            "\r%5.0fs  requests %d  accepted items %d  answers %s   ",
            (now - start) / 1e9, requests.get(), accepted.sum(), snapshot(byRet));
        nextProgress += TimeUnit.SECONDS.toNanos(1);
      }
      if (!inFlight.tryAcquire()) {
        // Too many outstanding: count it as a client-side drop rather than queueing without bound.
        byRet.computeIfAbsent("client-overload", k -> new LongAdder()).increment();
        scheduled += intervalNanos;
        continue;
      }
      final long intended = scheduled;
      ReportBody body = gen.batch(System.currentTimeMillis(), o.batch());
      HttpRequest req =
          HttpRequest.newBuilder(o.url())
              .timeout(Duration.ofSeconds(10))
              .header("Content-Type", "application/json")
              .header("Authorization", o.token())
              .POST(HttpRequest.BodyPublishers.ofByteArray(body.toJson()))
              .build();
      requests.incrementAndGet();
      client
          .sendAsync(req, HttpResponse.BodyHandlers.ofByteArray())
          .whenComplete(
              (resp, err) -> {
                long micros = Math.max(1, (System.nanoTime() - intended) / 1000);
                recorder.recordValue(Math.min(micros, TimeUnit.MINUTES.toMicros(10)));
                String ret =
                    err != null
                        ? "error:" + err.getClass().getSimpleName()
                        : ReportPoster.retOf(resp.body());
                byRet.computeIfAbsent(ret, k -> new LongAdder()).increment();
                if ("0".equals(ret)) {
                  accepted.add(o.batch());
                }
                inFlight.release();
              });
      scheduled += intervalNanos;
    }
    // Let outstanding requests finish (bounded by the request timeout).
    inFlight.tryAcquire(o.maxInFlight(), 15, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - start) / 1e9;
    total.add(recorder.getIntervalHistogram());
    progress.println();
    return new Summary(
        requests.get(),
        requests.get() * o.batch(),
        snapshot(byRet),
        seconds,
        accepted.sum(),
        total);
  }

  private static Map<String, Long> snapshot(Map<String, LongAdder> byRet) {
    Map<String, Long> m = new TreeMap<>();
    byRet.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }
}
