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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code ./upbot local --demo}: posts realistic journeys through the HTTP API, like clients would,
 * including resent batches (duplicates) and joins reported before the page's own batch (out of
 * order), and prints a progress line every few seconds so a newcomer can watch the funnel rows
 * move.
 *
 * <p>With {@link LocalWeCom} ({@code --wecom-demo}) the joins come from WeCom instead, as in
 * docs/wecom.md: every batch carries the user's unionid, no client reports a join, and when a
 * journey's join is due (its time comes) the user becomes a member of the code's group in the mock
 * WeCom and WeCom's callback is posted to the receiver, now and then twice (WeCom resends a
 * callback it got no timely answer for). A few users join without having long-pressed on this phone
 * (another device scanned the code): those joins find no journey and end up in {@code
 * unattributed_joins}.
 */
public final class DemoGenerator implements AutoCloseable {

  /** Counts of what the demo sent and what came back. */
  public record Progress(
      long journeys,
      long requests,
      long duplicates,
      long outOfOrder,
      Map<String, Long> answersByRet,
      long weComJoins,
      long weComResends,
      Map<String, Long> weComAnswers) {}

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
  private final AtomicLong weComJoinCount = new AtomicLong();
  private final AtomicLong weComResendCount = new AtomicLong();
  private final Map<String, LongAdder> weComAnswers = new ConcurrentHashMap<>();
  private final LocalWeCom wecom;
  private final ScheduledExecutorService joins;
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * @param journeysPerSecond how many new journeys start each second
   */
  public DemoGenerator(
      URI url, String token, String appid, double journeysPerSecond, long seed, PrintStream out) {
    this(url, token, appid, journeysPerSecond, seed, out, null);
  }

  /**
   * @param journeysPerSecond how many new journeys start each second
   * @param wecom where joins come from, or {@code null}: from the clients' own reports
   */
  public DemoGenerator(
      URI url,
      String token,
      String appid,
      double journeysPerSecond,
      long seed,
      PrintStream out,
      LocalWeCom wecom) {
    this.url = url;
    this.token = token;
    this.journeys =
        new JourneyGenerator(seed, appid, List.of("spring-campaign", "vip-group", "store-qr"));
    this.random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    this.out = out;
    this.wecom = wecom;
    this.joins =
        wecom == null
            ? null
            : Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "upbot-demo-wecom");
                  t.setDaemon(true);
                  return t;
                });
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
    Map<String, Long> w = new TreeMap<>();
    weComAnswers.forEach((k, v) -> w.put(k, v.sum()));
    return new Progress(
        journeyCount.get(),
        requestCount.get(),
        duplicateCount.get(),
        outOfOrderCount.get(),
        m,
        weComJoinCount.get(),
        weComResendCount.get(),
        w);
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
            "demo: %d journeys, %d requests (%d resent, %d out of order), answers by ret %s%s%n",
            p.journeys(),
            p.requests(),
            p.duplicates(),
            p.outOfOrder(),
            p.answersByRet(),
            wecom == null
                ? ""
                : String.format(
                    "; WeCom: %d joins, %d callbacks resent, answers %s",
                    p.weComJoins(), p.weComResends(), p.weComAnswers()));
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
    if (wecom != null) {
      postJourneyJoinedInWeCom(batches);
      return;
    }
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

  /**
   * The journey's batches with its user's unionid, all but the client's join; the join, if any,
   * happens in WeCom at its time.
   */
  private void postJourneyJoinedInWeCom(List<ReportBody> batches) {
    ReportBody page = batches.get(0);
    String unionid = "union-" + page.openid();
    post(page.withUnionid(unionid));
    if (random.nextInt(15) == 0) {
      // A client that timed out resends the same batch: it must not count twice.
      post(page.withUnionid(unionid));
      duplicateCount.incrementAndGet();
    }
    String code = page.items().get(0).code();
    Long joinAt = null;
    if (batches.size() > 1) {
      joinAt = batches.get(1).items().get(0).eventTimeMs();
    } else if (random.nextInt(40) == 0) {
      // Joined without a long-press on this phone: a join no journey explains.
      joinAt = page.items().get(page.items().size() - 1).eventTimeMs() + 5_000;
    }
    if (joinAt != null) {
      long joinTimeSeconds = joinAt / 1000;
      String userid = "wm-" + page.openid();
      joins.schedule(
          () -> weComJoin(code, userid, unionid, joinTimeSeconds),
          Math.max(0, joinAt - System.currentTimeMillis()),
          TimeUnit.MILLISECONDS);
    }
  }

  private void weComJoin(String code, String userid, String unionid, long joinTimeSeconds) {
    try {
      String msg = wecom.addMember(code, userid, unionid, joinTimeSeconds);
      String answer = wecom.post(msg);
      weComJoinCount.incrementAndGet();
      weComAnswers.computeIfAbsent(answer, k -> new LongAdder()).increment();
      // Not the posting thread's random: SplittableRandom is not to be shared between threads.
      if (java.util.concurrent.ThreadLocalRandom.current().nextInt(10) == 0) {
        // WeCom resends, re-encrypted: the receiver recognises the change and stores it once.
        String again = wecom.post(msg);
        weComResendCount.incrementAndGet();
        weComAnswers.computeIfAbsent(again, k -> new LongAdder()).increment();
      }
    } catch (RuntimeException e) {
      weComAnswers.computeIfAbsent("error", k -> new LongAdder()).increment();
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
    if (joins != null) {
      joins.shutdownNow();
    }
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
