package io.upbot.job.testing;

import io.upbot.job.model.DwellRow;
import io.upbot.job.model.EventRow;
import io.upbot.job.model.EventRowKey;
import io.upbot.job.model.FunnelRow;
import io.upbot.job.model.FunnelRowKey;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The content of the three output tables, without {@code updated_at}: funnel values are {@code
 * [sessions, exposed, long_pressed, joined]}, dwell values {@code [events, total_s, max_s, p50_s,
 * p90_s, p99_s]}. Sorted maps, so a failing comparison reads well.
 */
public record Tables(
    Map<FunnelRowKey, List<Long>> funnel,
    Map<EventRowKey, Long> events,
    Map<FunnelRowKey, List<Long>> dwell) {

  public static Tables empty() {
    return new Tables(
        new TreeMap<>(FUNNEL_ORDER), new TreeMap<>(EVENT_ORDER), new TreeMap<>(FUNNEL_ORDER));
  }

  public static final Comparator<FunnelRowKey> FUNNEL_ORDER =
      Comparator.comparingLong(FunnelRowKey::bucketStart)
          .thenComparing(FunnelRowKey::appid)
          .thenComparing(FunnelRowKey::code);
  public static final Comparator<EventRowKey> EVENT_ORDER =
      Comparator.comparingLong(EventRowKey::bucketStart)
          .thenComparing(EventRowKey::appid)
          .thenComparing(EventRowKey::code)
          .thenComparing(EventRowKey::eventId);

  /** Applies one upserted row: the last one per key wins, as in the database. */
  public void upsert(Object row) {
    if (row instanceof FunnelRow r) {
      funnel.put(
          new FunnelRowKey(r.bucketStart(), r.appid(), r.code()),
          List.of(r.sessions(), r.exposed(), r.longPressed(), r.joined()));
    } else if (row instanceof EventRow r) {
      events.put(new EventRowKey(r.bucketStart(), r.appid(), r.code(), r.eventId()), r.events());
    } else if (row instanceof DwellRow r) {
      dwell.put(
          new FunnelRowKey(r.bucketStart(), r.appid(), r.code()),
          List.of(
              r.events(),
              r.totalS(),
              (long) r.maxS(),
              (long) r.p50S(),
              (long) r.p90S(),
              (long) r.p99S()));
    } else {
      throw new IllegalArgumentException("not a row: " + row);
    }
  }

  /**
   * Funnel rows whose counts are all zero say nothing a missing row does not; they compare equal.
   */
  public Tables withoutZeroFunnelRows() {
    Tables t = empty();
    funnel.forEach(
        (k, v) -> {
          if (v.stream().anyMatch(x -> x != 0)) {
            t.funnel.put(k, v);
          }
        });
    t.events.putAll(events);
    t.dwell.putAll(dwell);
    return t;
  }
}
