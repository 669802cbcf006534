package io.upbot.job.testing;

import io.upbot.job.model.BreakdownRowKey;
import io.upbot.job.model.DayRowKey;
import io.upbot.job.model.EventRowKey;
import io.upbot.job.model.FunnelRowKey;
import io.upbot.job.model.FunnelStages;
import io.upbot.schema.MediaEvent;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * docs/semantics.md computed the plain way, over the whole input at once, independently of the
 * job's code: time, journey, late filter, dedup by (event_id, event_time as sent) with the first
 * received copy's time, sort, split by gap, brute-force depth, buckets; per session its earliest
 * event's user and dimensions, and its matched stage times for the convert times.
 */
public final class Reference {

  private static final long HOUR = 3_600_000L;
  private static final long FUTURE_CAP = 5 * 60_000L;

  private Reference() {}

  /** The job's default time zone (--time-zone), for the daily tables. */
  public static final ZoneId DEFAULT_ZONE = ZoneId.of("Asia/Shanghai");

  private record Ev(
      String eventId,
      long eventTime,
      long t,
      Integer duration,
      String openid,
      int accountType,
      int deviceType,
      int mediaType,
      boolean fromWeCom) {}

  /** The session's earliest event: by t, then event_id, then event_time as sent. */
  private static final Comparator<Ev> EARLIEST =
      Comparator.comparingLong(Ev::t).thenComparing(Ev::eventId).thenComparingLong(Ev::eventTime);

  private record Journey(String appid, String code, String trace) {}

  /** The tables for these records, in the order they were received, days in Asia/Shanghai. */
  public static Tables compute(
      List<MediaEvent> received, long gapMs, long latenessMs, FunnelStages st) {
    return compute(received, gapMs, latenessMs, st, DEFAULT_ZONE);
  }

  /** The tables for these records, in the order they were received, days in {@code zone}. */
  public static Tables compute(
      List<MediaEvent> received, long gapMs, long latenessMs, FunnelStages st, ZoneId zone) {
    Map<Journey, Map<String, Ev>> journeys = new LinkedHashMap<>();
    List<MediaEvent> weComJoins = new ArrayList<>();
    for (MediaEvent m : received) {
      long t = Math.min(m.eventTime(), m.receivedAt() + FUTURE_CAP);
      if (m.receivedAt() - t > latenessMs) {
        continue;
      }
      if (MediaEvent.SOURCE_WECOM.equals(m.source())) {
        weComJoins.add(m);
        continue;
      }
      Journey j =
          new Journey(
              m.appid(),
              m.code() == null ? "" : m.code(),
              m.traceId() != null ? m.traceId() : "openid:" + m.openid());
      journeys
          .computeIfAbsent(j, k -> new LinkedHashMap<>())
          // One event per (event_id, event_time as sent): a later copy, even one whose receipt
          // gives it
          // another capped t, changes nothing.
          .putIfAbsent(
              m.eventId() + "@" + m.eventTime(),
              new Ev(
                  m.eventId(),
                  m.eventTime(),
                  t,
                  m.duration(),
                  m.openid(),
                  m.accountType(),
                  m.deviceType() == null ? 0 : m.deviceType(),
                  m.mediaType() == null ? 0 : m.mediaType(),
                  false));
    }
    Tables out = Tables.empty();
    attributeWeComJoins(received, weComJoins, journeys, out, gapMs, latenessMs, st);
    Map<FunnelRowKey, List<Integer>> dwellValues = new LinkedHashMap<>();
    // Per day row: each user's deepest session; per convert row: press and join times, ms.
    Map<DayRowKey, Map<String, Integer>> userDepths = new LinkedHashMap<>();
    Map<FunnelRowKey, List<List<Long>>> convertHourly = new LinkedHashMap<>();
    Map<DayRowKey, List<List<Long>>> convertDaily = new LinkedHashMap<>();
    for (Map.Entry<Journey, Map<String, Ev>> je : journeys.entrySet()) {
      Journey j = je.getKey();
      List<Ev> evs = new ArrayList<>(je.getValue().values());
      evs.sort((a, b) -> Long.compare(a.t(), b.t()));
      List<List<Ev>> sessions = new ArrayList<>();
      for (Ev e : evs) {
        List<Ev> last = sessions.isEmpty() ? null : sessions.get(sessions.size() - 1);
        if (last != null && e.t() - last.get(last.size() - 1).t() < gapMs) {
          last.add(e);
        } else {
          List<Ev> s = new ArrayList<>();
          s.add(e);
          sessions.add(s);
        }
      }
      for (List<Ev> s : sessions) {
        long bucket = floorHour(s.get(0).t());
        int depth = depth(s, st);
        FunnelRowKey k = new FunnelRowKey(bucket, j.appid(), j.code());
        List<Long> v = out.funnel().getOrDefault(k, List.of(0L, 0L, 0L, 0L));
        out.funnel()
            .put(
                k,
                List.of(
                    v.get(0) + 1,
                    v.get(1) + (depth >= 1 ? 1 : 0),
                    v.get(2) + (depth >= 2 ? 1 : 0),
                    v.get(3) + (depth >= 3 ? 1 : 0)));

        Ev first = s.stream().min(EARLIEST).orElseThrow();
        out.breakdown()
            .merge(
                new BreakdownRowKey(
                    bucket,
                    j.appid(),
                    j.code(),
                    first.deviceType(),
                    first.accountType(),
                    first.mediaType()),
                List.of(1L, depth >= 1 ? 1L : 0L, depth >= 2 ? 1L : 0L, depth >= 3 ? 1L : 0L),
                Reference::sum);
        DayRowKey day =
            new DayRowKey(
                (int) LocalDate.ofInstant(Instant.ofEpochMilli(bucket), zone).toEpochDay(),
                j.appid(),
                j.code());
        userDepths
            .computeIfAbsent(day, x -> new HashMap<>())
            .merge(first.openid(), depth, Math::max);
        long[] m = matches(s, st);
        if (depth >= 2) {
          List<List<Long>> hour = convertHourly.computeIfAbsent(k, x -> newTimes());
          List<List<Long>> d = convertDaily.computeIfAbsent(day, x -> newTimes());
          for (List<List<Long>> times : List.of(hour, d)) {
            times.get(0).add(m[1] - m[0]);
            if (depth == 3) {
              times.get(1).add(m[2] - m[1]);
            }
          }
        }
      }
      for (Ev e : evs) {
        long bucket = floorHour(e.t());
        out.events()
            .merge(new EventRowKey(bucket, j.appid(), j.code(), e.eventId()), 1L, Long::sum);
        if (e.duration() != null) {
          dwellValues
              .computeIfAbsent(
                  new FunnelRowKey(bucket, j.appid(), j.code()), k -> new ArrayList<>())
              .add(e.duration());
        }
      }
    }
    dwellValues.forEach(
        (k, values) -> {
          Collections.sort(values);
          int n = values.size();
          long total = values.stream().mapToLong(Integer::longValue).sum();
          out.dwell()
              .put(
                  k,
                  List.of(
                      (long) n,
                      total,
                      (long) values.get(n - 1),
                      (long) values.get(rank(n, 50) - 1),
                      (long) values.get(rank(n, 90) - 1),
                      (long) values.get(rank(n, 99) - 1)));
        });
    userDepths.forEach(
        (k, depths) ->
            out.usersDaily()
                .put(
                    k,
                    List.of(
                        (long) depths.size(),
                        depths.values().stream().filter(d -> d >= 1).count(),
                        depths.values().stream().filter(d -> d >= 2).count(),
                        depths.values().stream().filter(d -> d >= 3).count())));
    convertHourly.forEach((k, times) -> out.convertTime().put(k, convertValues(times)));
    convertDaily.forEach((k, times) -> out.convertTimeDaily().put(k, convertValues(times)));
    return out;
  }

  /**
   * docs/semantics.md#wecom-joins: each distinct on-time WeCom join (by appid, code, unionid and
   * event_time as sent) goes, as a stage-3 event, to the journey of the latest on-time long-press
   * with its unionid on its appid and code at or before it and less than G before it (the smallest
   * trace among equally late ones), and counts in code_join_hourly as attributed; without one, or
   * without a unionid, as unattributed. (The job attributes to the latest long-press present when
   * it decides; the scenarios keep a user's long-presses G apart, so there is never a choice.)
   */
  private static void attributeWeComJoins(
      List<MediaEvent> received,
      List<MediaEvent> joins,
      Map<Journey, Map<String, Ev>> journeys,
      Tables out,
      long gapMs,
      long latenessMs,
      FunnelStages st) {
    Map<String, Boolean> seen = new HashMap<>();
    for (MediaEvent m : joins) {
      String id = m.appid() + "|" + code(m) + "|" + m.unionid() + "|" + m.eventTime();
      if (seen.putIfAbsent(id, Boolean.TRUE) != null) {
        continue;
      }
      long j = Math.min(m.eventTime(), m.receivedAt() + FUTURE_CAP);
      MediaEvent press = null;
      long pressT = Long.MIN_VALUE;
      if (m.unionid() != null) {
        for (MediaEvent c : received) {
          long p = Math.min(c.eventTime(), c.receivedAt() + FUTURE_CAP);
          boolean candidate =
              MediaEvent.SOURCE_CLIENT.equals(c.source())
                  && m.unionid().equals(c.unionid())
                  && c.appid().equals(m.appid())
                  && code(c).equals(code(m))
                  && st.stageOf(c.eventId()) == 2
                  && c.receivedAt() - p <= latenessMs
                  && p <= j
                  && j - p < gapMs;
          if (candidate
              && (press == null
                  || p > pressT
                  || (p == pressT && c.trace().compareTo(press.trace()) < 0))) {
            press = c;
            pressT = p;
          }
        }
      }
      FunnelRowKey row = new FunnelRowKey(floorHour(j), m.appid(), code(m));
      out.joins()
          .merge(
              row, List.of(1L, press != null ? 1L : 0L, press != null ? 0L : 1L), Reference::sum);
      if (press != null) {
        String joinId =
            st.stageOf(m.eventId()) == 3
                ? m.eventId()
                : st.joined().stream().sorted().findFirst().orElseThrow();
        journeys
            .computeIfAbsent(
                new Journey(m.appid(), code(m), press.trace()), k -> new LinkedHashMap<>())
            .putIfAbsent(
                joinId + "@" + m.eventTime(),
                new Ev(
                    joinId,
                    m.eventTime(),
                    j,
                    m.duration(),
                    m.openid(),
                    m.accountType(),
                    m.deviceType() == null ? 0 : m.deviceType(),
                    m.mediaType() == null ? 0 : m.mediaType(),
                    true));
      }
    }
  }

  private static String code(MediaEvent m) {
    return m.code() == null ? "" : m.code();
  }

  private static List<Long> sum(List<Long> a, List<Long> b) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      out.add(a.get(i) + b.get(i));
    }
    return out;
  }

  private static List<List<Long>> newTimes() {
    return List.of(new ArrayList<>(), new ArrayList<>());
  }

  /** [count, p50, p90, p99] of the press times, then the same of the join times; null for none. */
  private static List<Long> convertValues(List<List<Long>> times) {
    List<Long> out = new ArrayList<>();
    for (List<Long> values : times) {
      Collections.sort(values);
      int n = values.size();
      out.add((long) n);
      for (int p : new int[] {50, 90, 99}) {
        out.add(n == 0 ? null : values.get(rank(n, p) - 1));
      }
    }
    return out;
  }

  /**
   * The matched stage times (docs/semantics.md#convert-times): the earliest exposure, the earliest
   * long-press at or after it, the earliest join at or after that; {@code Long.MAX_VALUE} for none.
   */
  private static long[] matches(List<Ev> s, FunnelStages st) {
    long[] m = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
    for (int stage = 1; stage <= 3; stage++) {
      long after = stage == 1 ? Long.MIN_VALUE : m[stage - 2];
      if (after == Long.MAX_VALUE) {
        break;
      }
      for (Ev e : s) {
        if (stage(e, st) == stage && e.t() >= after) {
          m[stage - 1] = Math.min(m[stage - 1], e.t());
        }
      }
    }
    return m;
  }

  private static int rank(int n, int percent) {
    return (int) Math.max(1, Math.ceil(n * percent / 100.0));
  }

  /**
   * An event's stage: its id's, except that with {@code --joins-from wecom} a client's join is in
   * no stage (docs/semantics.md#wecom-joins): it still counts as an event and in its session.
   */
  private static int stage(Ev e, FunnelStages st) {
    int stage = st.stageOf(e.eventId());
    return stage == 3 && st.wecomJoinsOnly() && !e.fromWeCom() ? 0 : stage;
  }

  /** Brute force: the largest k with stage 1..k events at non-decreasing times. */
  private static int depth(List<Ev> s, FunnelStages st) {
    for (Ev a : s) {
      if (stage(a, st) != 1) {
        continue;
      }
      for (Ev b : s) {
        if (stage(b, st) != 2 || b.t() < a.t()) {
          continue;
        }
        for (Ev c : s) {
          if (stage(c, st) == 3 && c.t() >= b.t()) {
            return 3;
          }
        }
      }
    }
    for (Ev a : s) {
      if (stage(a, st) != 1) {
        continue;
      }
      for (Ev b : s) {
        if (stage(b, st) == 2 && b.t() >= a.t()) {
          return 2;
        }
      }
    }
    for (Ev a : s) {
      if (stage(a, st) == 1) {
        return 1;
      }
    }
    return 0;
  }

  private static long floorHour(long t) {
    return Math.floorDiv(t, HOUR) * HOUR;
  }
}
