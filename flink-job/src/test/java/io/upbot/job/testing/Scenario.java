package io.upbot.job.testing;

import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A random input for the job: journeys over a few appids, codes and traces, the funnel's stages and
 * other events, durations with ties, gaps around G (exactly G too), times around hour boundaries,
 * clocks in the future, late events and resends (same id and time as sent, other fields may differ;
 * from a clock in the future, whose copies get different capped times), delivered in received_at
 * order (which is not event-time order) give or take {@link #MAX_DISORDER}. Built from a seed so a
 * failure can be replayed.
 */
public record Scenario(long seed, List<MediaEvent> received, List<byte[]> garbage) {

  public static final long G = 30 * 60_000L;
  public static final long A = 2 * 3_600_000L;
  static final long MIN = 60_000L;

  /** Below the tests' watermark bound (30 s). */
  static final long MAX_DISORDER = 20_000L;

  static final long HOUR = 3_600_000L;
  static final long FUTURE_CAP = 5 * MIN;
  public static final long BASE = Instant.parse("2026-11-30T06:00:00Z").toEpochMilli();
  static final String[] IDS = {"1110201", "1110204", "1110205", "1100102"};

  public static Scenario generate(long seed, int maxJourneys, int maxEvents) {
    Random r = new Random(seed);
    // The users and dimensions of events come from their own generator, so the journeys, times and
    // orders a seed gave before these were varied stay the same.
    Random dims = new Random(seed * 31 + 7);
    List<MediaEvent> sent = new ArrayList<>();
    int journeys = 1 + r.nextInt(maxJourneys);
    for (int j = 0; j < journeys; j++) {
      String appid = "app" + r.nextInt(2);
      String code = pick(r, null, "c1", "c2");
      String traceId = pick(r, null, "tr" + r.nextInt(3), "tr" + r.nextInt(3));
      String openid = "o" + r.nextInt(2);
      long cursor = BASE + r.nextInt(4) * HOUR + (r.nextInt(120) - 20) * MIN;
      int events = 1 + r.nextInt(maxEvents);
      for (int e = 0; e < events; e++) {
        switch (r.nextInt(7)) {
          case 0 -> {} // equal time
          case 1 -> cursor += 1000;
          case 2 -> cursor += G - 1000;
          case 3 -> cursor += G;
          case 4 -> cursor += G + 1000;
          case 5 -> cursor = (Math.floorDiv(cursor, HOUR) + 1) * HOUR - r.nextInt(3) * 1000L;
          default -> cursor += r.nextInt((int) (2 * G));
        }
        if (r.nextInt(3) > 0) {
          cursor = cursor / 1000 * 1000; // whole seconds, as most clients send
        }
        long eventTime = cursor;
        String id = IDS[r.nextInt(IDS.length)];
        Integer duration = r.nextBoolean() ? null : r.nextInt(20);
        long receivedAt = eventTime + delay(r);
        sent.add(
            varied(
                dims,
                traceId,
                event(appid, openid, code, traceId, id, eventTime, receivedAt, duration)));
        // A clock in the future: each copy's t is its own receipt + 5 min, so copies differ in t.
        boolean fastClock = receivedAt + FUTURE_CAP < eventTime;
        if (r.nextInt(fastClock ? 2 : 5) == 0) {
          // A resend: same id and time as sent, received later, maybe with another duration.
          Integer d2 = r.nextBoolean() ? duration : Integer.valueOf(r.nextInt(20));
          sent.add(
              varied(
                  dims,
                  traceId,
                  event(
                      appid,
                      openid,
                      code,
                      traceId,
                      id,
                      eventTime,
                      receivedAt + r.nextInt((int) (30 * MIN)),
                      d2)));
        }
      }
    }
    weComJoins(new Random(seed * 131 + 17), sent);
    // Shuffle first so equal received_at values come in random order, then deliver in received_at
    // order.
    Collections.shuffle(sent, r);
    sent.sort(Comparator.comparingLong(MediaEvent::receivedAt));
    // Several endpoint instances write to one partition: received_at is out of order by a little
    // (within
    // the watermark bound).
    for (int i = 0; i + 1 < sent.size(); i++) {
      if (r.nextInt(4) == 0
          && sent.get(i + 1).receivedAt() - sent.get(i).receivedAt() < MAX_DISORDER) {
        sent.set(i, sent.set(i + 1, sent.get(i)));
        i++;
      }
    }
    List<byte[]> garbage = new ArrayList<>();
    for (int g = r.nextInt(3); g > 0; g--) {
      garbage.add(pick(r, "{not json", "{\"v\":2}", "[]").getBytes(StandardCharsets.UTF_8));
    }
    return new Scenario(seed, List.copyOf(sent), garbage);
  }

  /** The trace prefix of the journeys whose long-presses carry a unionid. */
  static final String UNION_TRACE = "utr";

  /**
   * Users who long-press with a unionid and join through WeCom (docs/semantics.md#wecom-joins): per
   * user an exposure and a long-press per journey (long-presses of one user at least G apart, so
   * each join's window holds at most one), and WeCom joins at, just after, G after, or before a
   * long-press, some without a unionid, some written twice. Long-presses received late (after the
   * join: early joins), or more than A late (dead letters: unattributable joins) included. From
   * their own generator, so the other journeys a seed gave stay the same.
   */
  private static void weComJoins(Random r, List<MediaEvent> sent) {
    for (int u = r.nextInt(4); u > 0; u--) {
      String appid = "app" + r.nextInt(2);
      String code = pick(r, "c1", "c2");
      String unionid = "u" + u; // one user per key: see above
      long cursor = BASE + r.nextInt(4) * HOUR + r.nextInt(60) * MIN;
      List<Long> presses = new ArrayList<>();
      for (int lp = r.nextInt(3); lp > 0; lp--) {
        String trace = UNION_TRACE + r.nextInt(1000);
        long p = cursor;
        presses.add(p);
        long received = p + pick(r, 0L, 2_000L, (long) r.nextInt((int) A), A + 1 + r.nextInt(1000));
        sent.add(
            withUnionid(
                event(appid, "o-" + unionid, code, trace, IDS[0], p - 1000, received, null),
                unionid));
        sent.add(
            withUnionid(
                event(appid, "o-" + unionid, code, trace, IDS[1], p, received, null), unionid));
        cursor += G + r.nextInt((int) G);
      }
      for (int jn = 1 + r.nextInt(2); jn > 0; jn--) {
        long base = presses.isEmpty() ? cursor : presses.get(r.nextInt(presses.size()));
        long j = base + pick(r, 0L, 1_000L, 60_000L, G - 1000, G, -1_000L);
        long received = j + pick(r, 1_000L, (long) r.nextInt((int) A), 10_000L);
        String joiner = r.nextInt(6) == 0 ? null : unionid;
        MediaEvent join = weComJoin(appid, code, joiner, j, received);
        sent.add(join);
        if (r.nextInt(4) == 0) {
          sent.add(weComJoin(appid, code, joiner, j, received + r.nextInt((int) (30 * MIN))));
        }
      }
    }
  }

  private static MediaEvent withUnionid(MediaEvent m, String unionid) {
    return new MediaEvent(
        m.v(),
        m.appid(),
        m.openid(),
        m.accountType(),
        m.deviceType(),
        m.uuid(),
        m.eventId(),
        m.eventTime(),
        m.receivedAt(),
        m.mediaType(),
        m.code(),
        m.traceId(),
        m.duration(),
        unionid,
        MediaEvent.SOURCE_CLIENT);
  }

  /** A join record as the WeCom receiver writes it (docs/wecom.md#join-records). */
  public static MediaEvent weComJoin(
      String appid, String code, String unionid, long joinTime, long receivedAt) {
    return new MediaEvent(
        MediaEvent.VERSION,
        appid,
        "wecom:wm-" + unionid,
        2,
        null,
        null,
        "1110205",
        joinTime,
        receivedAt,
        2,
        code,
        null,
        null,
        unionid,
        MediaEvent.SOURCE_WECOM);
  }

  /**
   * WeCom joins received before an on-time long-press of their user and code that is at or before
   * them and less than G before: joins that must wait for their long-press.
   */
  public long earlyJoins() {
    return received.stream()
        .filter(m -> MediaEvent.SOURCE_WECOM.equals(m.source()) && m.unionid() != null)
        .filter(
            j ->
                received.stream()
                    .anyMatch(
                        c ->
                            MediaEvent.SOURCE_CLIENT.equals(c.source())
                                && j.unionid().equals(c.unionid())
                                && c.appid().equals(j.appid())
                                && c.code().equals(j.code())
                                && c.eventId().equals(IDS[1])
                                && c.receivedAt() - t(c) <= A
                                && c.receivedAt() > j.receivedAt()
                                && t(c) <= t(j)
                                && t(j) - t(c) < G))
        .count();
  }

  /**
   * This scenario without its WeCom join records: for tests of the sessionizer alone, which sees
   * joins only once the attribution has moved them to a journey.
   */
  public Scenario withoutWeComJoins() {
    return new Scenario(
        seed,
        received.stream().filter(m -> !MediaEvent.SOURCE_WECOM.equals(m.source())).toList(),
        garbage);
  }

  /** Distinct on-time WeCom joins. */
  public long weComJoinCount() {
    return received.stream()
        .filter(m -> MediaEvent.SOURCE_WECOM.equals(m.source()) && m.receivedAt() - t(m) <= A)
        .map(m -> m.appid() + "|" + m.code() + "|" + m.unionid() + "|" + m.eventTime())
        .distinct()
        .count();
  }

  /**
   * {@code m} with random dimensions (absent ones too) and, where a trace_id keeps the journey
   * apart from the openid, maybe another user: a session takes its earliest event's, so events of
   * one session must differ in them for the rule to be tested.
   */
  private static MediaEvent varied(Random r, String traceId, MediaEvent m) {
    String openid = traceId != null && r.nextInt(3) == 0 ? "o" + r.nextInt(3) : m.openid();
    return new MediaEvent(
        m.v(),
        m.appid(),
        openid,
        1 + r.nextInt(3),
        pick(r, null, 1, 2),
        m.uuid(),
        m.eventId(),
        m.eventTime(),
        m.receivedAt(),
        pick(r, null, 0, 2, 5),
        m.code(),
        m.traceId(),
        m.duration());
  }

  private static long delay(Random r) {
    return switch (r.nextInt(8)) {
      case 0 -> -r.nextInt((int) (2 * HOUR)); // the device clock runs ahead, by up to two hours
      case 1 -> A + 1 + r.nextInt((int) (60 * MIN)); // late
      case 2 -> r.nextInt((int) A); // on time, up to A
      case 3 -> A; // exactly A: still on time
      default -> r.nextInt(5000);
    };
  }

  @SafeVarargs
  private static <T> T pick(Random r, T... options) {
    return options[r.nextInt(options.length)];
  }

  public static MediaEvent event(
      String appid,
      String openid,
      String code,
      String traceId,
      String eventId,
      long eventTime,
      long receivedAt,
      Integer duration) {
    return new MediaEvent(
        MediaEvent.VERSION,
        appid,
        openid,
        2,
        1,
        null,
        eventId,
        eventTime,
        receivedAt,
        2,
        code,
        traceId,
        duration);
  }

  /**
   * The encoded records of each of {@code partitions} partitions, keyed as the endpoint keys them.
   */
  public List<List<byte[]>> partitioned(int partitions) {
    List<List<byte[]>> out = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      out.add(new ArrayList<>());
    }
    for (MediaEvent m : received) {
      out.get(Math.floorMod(m.kafkaKey().hashCode(), partitions)).add(MediaEventCodec.encode(m));
    }
    for (int i = 0; i < garbage.size(); i++) {
      out.get(i % partitions).add(garbage.get(i));
    }
    return out;
  }

  /** Records received more than A after their time. */
  public long lateCount() {
    return received.stream().filter(m -> m.receivedAt() - t(m) > A).count();
  }

  /**
   * On-time events sent more than once whose copies got different times: resends from fast clocks.
   */
  public long fastClockResends() {
    Map<String, Set<Long>> times = new HashMap<>();
    for (MediaEvent m : received) {
      if (m.receivedAt() - t(m) <= A) {
        times
            .computeIfAbsent(
                m.kafkaKey() + "|" + m.code() + "|" + m.eventId() + "@" + m.eventTime(),
                k -> new HashSet<>())
            .add(t(m));
      }
    }
    return times.values().stream().filter(ts -> ts.size() > 1).count();
  }

  /** Consecutive on-time events of one journey exactly G apart: there the sessions rule splits. */
  public long gapsOfExactlyG() {
    Map<String, Set<Long>> times = new HashMap<>();
    for (MediaEvent m : received) {
      if (m.receivedAt() - t(m) <= A) {
        times.computeIfAbsent(m.kafkaKey() + "|" + m.code(), k -> new HashSet<>()).add(t(m));
      }
    }
    long n = 0;
    for (Set<Long> ts : times.values()) {
      List<Long> sorted = ts.stream().sorted().toList();
      for (int i = 0; i + 1 < sorted.size(); i++) {
        n += sorted.get(i + 1) - sorted.get(i) == G ? 1 : 0;
      }
    }
    return n;
  }

  private static long t(MediaEvent m) {
    return Math.min(m.eventTime(), m.receivedAt() + FUTURE_CAP);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("Scenario(seed=" + seed + ")\n");
    for (MediaEvent m : received) {
      b.append("  ").append(MediaEventCodec.encodeToString(m)).append('\n');
    }
    return b.toString();
  }
}
