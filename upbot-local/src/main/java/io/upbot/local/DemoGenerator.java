package io.upbot.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code ./upbot local --demo}: posts realistic journeys through the HTTP API, like clients would,
 * including resent batches (duplicates) and joins reported before the page's own batch (out of
 * order), and prints a progress line every few seconds so a newcomer can watch the funnel rows
 * move.
 */
public final class DemoGenerator implements AutoCloseable {

  /** Counts of what the demo sent and what came back. */
  public record Progress(
      long journeys,
      long requests,
      long duplicates,
      long outOfOrder,
      Map<String, Long> answersByRet) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TICK = Duration.ofMillis(250);
  private static final Duration REPORT_EVERY = Duration.ofSeconds(5);

  private final URI url;
  private final String token;
  private final JourneyGenerator journeys;
  private final SplittableRandom random;
  private final PrintStream out;
  private final HttpClient client =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .version(HttpClient.Version.HTTP_1_1)
          .build();
  private final AtomicLong journeyCount = new AtomicLong();
  private final AtomicLong requestCount = new AtomicLong();
  private final AtomicLong duplicateCount = new AtomicLong();
  private final AtomicLong outOfOrderCount = new AtomicLong();
  private final Map<String, LongAdder> byRet = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * @param journeysPerSecond how many new journeys start each second
   */
  public DemoGenerator(
      URI url, String token, String appid, double journeysPerSecond, long seed, PrintStream out) {
    this.url = url;
    this.token = token;
    this.journeys =
        new JourneyGenerator(seed, appid, List.of("spring-campaign", "vip-group", "store-qr"));
    this.random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    this.out = out;
    this.thread = new Thread(() -> loop(journeysPerSecond), "upbot-demo");
    this.thread.setDaemon(true);
  }

  /** Starts posting in the background. */
  public DemoGenerator start() {
    thread.start();
    return this;
  }

  public Progress progress() {
    Map<String, Long> m = new TreeMap<>();
    byRet.forEach((k, v) -> m.put(k, v.sum()));
    return new Progress(
        journeyCount.get(), requestCount.get(), duplicateCount.get(), outOfOrderCount.get(), m);
  }

  private void loop(double journeysPerSecond) {
    double perTick = journeysPerSecond * TICK.toMillis() / 1000.0;
    double carry = 0;
    long nextReport = System.nanoTime() + REPORT_EVERY.toNanos();
    while (running) {
      carry += perTick;
      while (carry >= 1 && running) {
        carry -= 1;
        postJourney();
      }
      if (System.nanoTime() >= nextReport) {
        Progress p = progress();
        out.printf(
            "demo: %d journeys, %d requests (%d resent, %d out of order), answers by ret %s%n",
            p.journeys(), p.requests(), p.duplicates(), p.outOfOrder(), p.answersByRet());
        nextReport += REPORT_EVERY.toNanos();
      }
      try {
        Thread.sleep(TICK.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void postJourney() {
    List<ReportBody> batches = new ArrayList<>(journeys.journey(System.currentTimeMillis()));
    journeyCount.incrementAndGet();
    if (batches.size() > 1 && random.nextInt(10) == 0) {
      // The join confirmation can reach the server before the page's own report.
      java.util.Collections.reverse(batches);
      outOfOrderCount.incrementAndGet();
    }
    for (ReportBody b : batches) {
      post(b);
      if (random.nextInt(15) == 0) {
        // A client that timed out resends the same batch: it must not count twice.
        post(b);
        duplicateCount.incrementAndGet();
      }
    }
  }

  private void post(ReportBody body) {
    HttpRequest req =
        HttpRequest.newBuilder(url)
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .header("Authorization", token)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body.toJson()))
            .build();
    requestCount.incrementAndGet();
    String ret;
    try {
      HttpResponse<byte[]> resp = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
      ret = JSON.readTree(resp.body()).path("ret").asText("no-ret");
    } catch (java.io.IOException e) {
      ret = "error";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ret = "interrupted";
    }
    byRet.computeIfAbsent(ret, k -> new LongAdder()).increment();
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
