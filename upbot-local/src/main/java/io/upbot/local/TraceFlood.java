package io.upbot.local;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Posts many distinct events on one journey (one appid, code and trace_id), as a looping client or
 * a bot would: every event has its own {@code event_time} (1 ms apart, ending now), so none is a
 * duplicate of another and the journey holds them all. Batches are posted as fast as the endpoint
 * answers, with a bounded number in flight.
 */
public final class TraceFlood {

  /** What to post: {@code events} items in batches of {@code batch}. */
  public record Options(
      int events, int batch, int maxInFlight, String appid, String code, String trace) {
    public Options {
      if (events < 1 || batch < 1 || batch > 500 || maxInFlight < 1) {
        throw new IllegalArgumentException("events >= 1, 1 <= batch <= 500, max in flight >= 1");
      }
    }
  }

  /** What came back; times in epoch ms. */
  public record Summary(
      long requests,
      long acceptedItems,
      Map<String, Long> answersByRet,
      long firstPostMs,
      long lastAnswerMs) {

    /** The summary as printed. */
    public String render() {
      return String.format(
          "requests: %d  accepted items: %d  answers by ret: %s%n"
              + "first post at %s, last post answered at %s (%.1f s)%n",
          requests,
          acceptedItems,
          answersByRet,
          Instant.ofEpochMilli(firstPostMs),
          Instant.ofEpochMilli(lastAnswerMs),
          (lastAnswerMs - firstPostMs) / 1000.0);
    }
  }

  private TraceFlood() {}

  /**
   * The batches to post, in order: {@code events} exposures 1 ms apart, the last at {@code nowMs}.
   */
  static List<ReportBody> batches(Options o, long nowMs) {
    List<ReportBody> out = new ArrayList<>();
    long first = nowMs - o.events() + 1;
    for (int start = 0; start < o.events(); start += o.batch()) {
      List<ReportBody.Item> items = new ArrayList<>();
      for (int i = start; i < Math.min(o.events(), start + o.batch()); i++) {
        items.add(
            new ReportBody.Item(JourneyGenerator.EXPOSURE, first + i, o.code(), o.trace(), 5));
      }
      out.add(new ReportBody(o.appid(), "flood-user", 1, items));
    }
    return out;
  }

  /** Posts every batch and waits for every answer. */
  public static Summary run(Options o, ReportPoster poster) throws InterruptedException {
    List<ReportBody> batches = batches(o, System.currentTimeMillis());
    Map<String, LongAdder> byRet = new ConcurrentHashMap<>();
    LongAdder accepted = new LongAdder();
    AtomicLong lastAnswer = new AtomicLong();
    Semaphore inFlight = new Semaphore(o.maxInFlight());
    long first = System.currentTimeMillis();
    for (ReportBody b : batches) {
      inFlight.acquire();
      poster
          .post(b.toJson())
          .whenComplete(
              (ret, err) -> {
                byRet.computeIfAbsent(ret, k -> new LongAdder()).increment();
                if (ReportPoster.ACCEPTED.equals(ret)) {
                  accepted.add(b.items().size());
                }
                lastAnswer.accumulateAndGet(System.currentTimeMillis(), Math::max);
                inFlight.release();
              });
    }
    inFlight.acquire(o.maxInFlight());
    Map<String, Long> answers = new TreeMap<>();
    byRet.forEach((k, v) -> answers.put(k, v.sum()));
    return new Summary(batches.size(), accepted.sum(), answers, first, lastAnswer.get());
  }
}
