package io.upbot.job.testing;

import io.upbot.job.model.EventRowKey;
import io.upbot.job.model.FunnelRowKey;
import io.upbot.job.model.FunnelStages;
import io.upbot.schema.MediaEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * docs/semantics.md computed the plain way, over the whole input at once, independently of the
 * job's code: time, journey, late filter, dedup by (event_id, event_time as sent) with the first
 * received copy's time, sort, split by gap, brute-force depth, buckets.
 */
public final class Reference {

  private static final long HOUR = 3_600_000L;
  private static final long FUTURE_CAP = 5 * 60_000L;

  private Reference() {}

  private record Ev(String eventId, long t, Integer duration) {}

  private record Journey(String appid, String code, String trace) {}

  /** The tables for these records, in the order they were received. */
  public static Tables compute(
      List<MediaEvent> received, long gapMs, long latenessMs, FunnelStages st) {
    Map<Journey, Map<String, Ev>> journeys = new LinkedHashMap<>();
    for (MediaEvent m : received) {
      long t = Math.min(m.eventTime(), m.receivedAt() + FUTURE_CAP);
      if (m.receivedAt() - t > latenessMs) {
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
          .putIfAbsent(m.eventId() + "@" + m.eventTime(), new Ev(m.eventId(), t, m.duration()));
    }
    Tables out = Tables.empty();
    Map<FunnelRowKey, List<Integer>> dwellValues = new LinkedHashMap<>();
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
    return out;
  }

  private static int rank(int n, int percent) {
    return (int) Math.max(1, Math.ceil(n * percent / 100.0));
  }

  /** Brute force: the largest k with stage 1..k events at non-decreasing times. */
  private static int depth(List<Ev> s, FunnelStages st) {
    for (Ev a : s) {
      if (st.stageOf(a.eventId()) != 1) {
        continue;
      }
      for (Ev b : s) {
        if (st.stageOf(b.eventId()) != 2 || b.t() < a.t()) {
          continue;
        }
        for (Ev c : s) {
          if (st.stageOf(c.eventId()) == 3 && c.t() >= b.t()) {
            return 3;
          }
        }
      }
    }
    for (Ev a : s) {
      if (st.stageOf(a.eventId()) != 1) {
        continue;
      }
      for (Ev b : s) {
        if (st.stageOf(b.eventId()) == 2 && b.t() >= a.t()) {
          return 2;
        }
      }
    }
    for (Ev a : s) {
      if (st.stageOf(a.eventId()) == 1) {
        return 1;
      }
    }
    return 0;
  }

  private static long floorHour(long t) {
    return Math.floorDiv(t, HOUR) * HOUR;
  }
}
