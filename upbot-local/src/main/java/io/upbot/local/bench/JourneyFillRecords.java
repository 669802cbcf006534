package io.upbot.local.bench;

import io.upbot.local.JourneyGenerator;
import io.upbot.local.ReportBody;
import io.upbot.schema.MediaEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * The stream records of realistic journeys, in the order an endpoint would have written them: what
 * {@code ./upbot bench job} fills its topic with. Seeded, so two runs read the same input.
 *
 * <p>A journey is one to three sessions of {@link JourneyGenerator} on one (appid, code, trace),
 * the sessions 35 minutes to 3 hours apart (more than the default session gap). Each batch is
 * received a little after its last event, some much later (a phone offline), so a journey's events
 * reach the topic out of their time order; records of different journeys interleave, and the topic
 * order is {@code received_at} shuffled by up to {@link #SHUFFLE_MS} (within the job's default
 * watermark bound of 2 minutes). Some batches are sent twice (a client's retry): duplicates. Some
 * journeys have no trace_id (the openid is their trace), some no code, and a few a clock an hour
 * ahead.
 */
public final class JourneyFillRecords implements Iterator<JourneyFillRecords.FillRecord> {

  /** How far the topic order strays from {@code received_at} order. */
  public static final long SHUFFLE_MS = 30_000;

  /** The shortest gap between two sessions of one journey: above the default session gap. */
  public static final long SESSION_GAP_MIN_MS = 35 * 60_000L;

  /** Average stream records per journey, duplicates included (measured on the seeded mix). */
  static final double RECORDS_PER_JOURNEY = 4.06;

  /**
   * One stream record: its key, its value's fields, when it is written and, among records written
   * at the same time, in which order.
   */
  public record FillRecord(long sendAt, long seq, MediaEvent event) {
    public String key() {
      return event.kafkaKey();
    }
  }

  private final SplittableRandom random;
  private final JourneyGenerator sessions;
  private final List<String> appids;
  private final List<List<String>> codes;
  private final long target;
  private final long maxJourneys;
  private final double meanArrivalMs;
  private final PriorityQueue<FillRecord> queue =
      new PriorityQueue<>(
          Comparator.comparingLong(FillRecord::sendAt).thenComparingLong(FillRecord::seq));
  private long nextStart;
  private long generated;
  private long emitted;
  private long journeys;
  private long duplicates;

  /**
   * @param seed the randomness
   * @param events how many records to produce, exactly
   * @param startMs when the first journey starts, epoch ms
   * @param spanMs over how long journeys start (hour buckets, sessions ending)
   * @param appids how many appids
   * @param codesPerAppid how many live codes each appid has
   */
  public JourneyFillRecords(
      long seed, long events, long startMs, long spanMs, int appids, int codesPerAppid) {
    this(
        seed,
        events,
        Long.MAX_VALUE,
        startMs,
        positive(spanMs) / Math.max(1.0, events / RECORDS_PER_JOURNEY),
        appids,
        codesPerAppid);
  }

  /**
   * The records of exactly {@code journeys} whole journeys, however many records they make, their
   * starts spread over {@code spanMs}.
   */
  public static JourneyFillRecords ofJourneys(
      long seed, long journeys, long startMs, long spanMs, int appids, int codesPerAppid) {
    return new JourneyFillRecords(
        seed,
        Long.MAX_VALUE,
        journeys,
        startMs,
        positive(spanMs) / (double) Math.max(1, journeys),
        appids,
        codesPerAppid);
  }

  private JourneyFillRecords(
      long seed,
      long events,
      long maxJourneys,
      long startMs,
      double meanArrivalMs,
      int appids,
      int codesPerAppid) {
    if (events < 1 || maxJourneys < 1 || appids < 1 || codesPerAppid < 1) {
      throw new IllegalArgumentException("events, journeys, appids and codes must be positive");
    }
    this.random = new SplittableRandom(seed);
    this.sessions = new JourneyGenerator(seed ^ 0x5DEECE66DL, "unused", List.of("unused"));
    List<String> ids = new ArrayList<>();
    List<List<String>> c = new ArrayList<>();
    for (int a = 0; a < appids; a++) {
      ids.add("wx-bench-" + a);
      List<String> mine = new ArrayList<>();
      for (int k = 0; k < codesPerAppid; k++) {
        mine.add("code-" + a + "-" + k);
      }
      c.add(List.copyOf(mine));
    }
    this.appids = List.copyOf(ids);
    this.codes = List.copyOf(c);
    this.target = events;
    this.maxJourneys = maxJourneys;
    this.meanArrivalMs = meanArrivalMs;
    this.nextStart = startMs;
  }

  private static long positive(long spanMs) {
    if (spanMs < 1) {
      throw new IllegalArgumentException("the span must be positive");
    }
    return spanMs;
  }

  /** Journeys started so far. */
  public long journeys() {
    return journeys;
  }

  /** Copies of earlier records (a retried batch) produced so far. */
  public long duplicates() {
    return duplicates;
  }

  @Override
  public boolean hasNext() {
    return emitted < target && (!queue.isEmpty() || moreJourneys());
  }

  private boolean moreJourneys() {
    return generated < target && journeys < maxJourneys;
  }

  @Override
  public FillRecord next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    // A journey's records are all written at or after its start, and journeys start in order: once
    // the queue's head is due before the next start, no journey still to come can precede it.
    while (moreJourneys() && (queue.isEmpty() || queue.peek().sendAt() > nextStart)) {
      addJourney(nextStart);
      nextStart += Math.max(1, Math.round(-meanArrivalMs * Math.log(1 - random.nextDouble())));
    }
    emitted++;
    return queue.poll();
  }

  private void addJourney(long start) {
    journeys++;
    int a = random.nextInt(appids.size());
    String appid = appids.get(a);
    String code =
        random.nextInt(100) < 3 ? null : codes.get(a).get(random.nextInt(codes.get(a).size()));
    String openid = "u-" + journeys + "-" + Integer.toHexString(random.nextInt());
    String trace = random.nextInt(100) < 10 ? null : "tr-" + Long.toHexString(random.nextLong());
    long clockAhead = random.nextInt(100) == 0 ? 3_600_000L : 0;
    int device = 1 + random.nextInt(2);
    int sessionCount = 1 + (random.nextInt(100) < 35 ? 1 : 0) + (random.nextInt(100) < 10 ? 1 : 0);
    long t = start;
    for (int s = 0; s < sessionCount; s++) {
      long last = t;
      for (ReportBody batch : sessions.journey(t)) {
        last = Math.max(last, addBatch(appid, openid, device, code, trace, clockAhead, batch));
      }
      t = last + SESSION_GAP_MIN_MS + random.nextLong(3 * 3_600_000L - SESSION_GAP_MIN_MS);
    }
  }

  /** Queues one batch (and maybe its retry); returns the latest true time of its events. */
  private long addBatch(
      String appid,
      String openid,
      int device,
      String code,
      String trace,
      long clockAhead,
      ReportBody batch) {
    long last = Long.MIN_VALUE;
    for (ReportBody.Item i : batch.items()) {
      last = Math.max(last, i.eventTimeMs());
    }
    long receivedAt = last + delay();
    long sentAt =
        queueBatch(appid, openid, device, code, trace, clockAhead, batch, receivedAt, 0, false);
    if (random.nextInt(100) < 3) {
      // The answer was lost and the client sent the batch again; the copy reaches the topic after
      // the first one, which the endpoint had already written when it failed to answer.
      queueBatch(
          appid,
          openid,
          device,
          code,
          trace,
          clockAhead,
          batch,
          receivedAt + 1_000 + random.nextInt(29_000),
          sentAt,
          true);
    }
    return last;
  }

  /** Queues a batch's records, written at or after {@code notBefore}; returns when. */
  private long queueBatch(
      String appid,
      String openid,
      int device,
      String code,
      String trace,
      long clockAhead,
      ReportBody batch,
      long receivedAt,
      long notBefore,
      boolean copy) {
    long sendAt = Math.max(notBefore, receivedAt + random.nextLong(SHUFFLE_MS));
    for (ReportBody.Item i : batch.items()) {
      if (generated >= target) {
        break;
      }
      generated++;
      duplicates += copy ? 1 : 0;
      queue.add(
          new FillRecord(
              sendAt,
              generated,
              new MediaEvent(
                  MediaEvent.VERSION,
                  appid,
                  openid,
                  2,
                  device,
                  "dev-" + openid,
                  i.eventId(),
                  i.eventTimeMs() + clockAhead,
                  receivedAt,
                  2,
                  code,
                  trace,
                  i.duration())));
    }
    return sendAt;
  }

  /** From the last event of a batch until the endpoint has it: mostly quick, sometimes offline. */
  private long delay() {
    int r = random.nextInt(100);
    if (r < 90) {
      return 50 + random.nextInt(1_950);
    }
    if (r < 98) {
      return 2_000 + random.nextInt(58_000);
    }
    return 5 * 60_000L + random.nextLong(115 * 60_000L);
  }
}
