package io.upbot.job.testing;

import io.upbot.job.model.BreakdownRow;
import io.upbot.job.model.BreakdownRowKey;
import io.upbot.job.model.ConvertTimeDailyRow;
import io.upbot.job.model.ConvertTimeRow;
import io.upbot.job.model.ConvertTimes;
import io.upbot.job.model.DayRowKey;
import io.upbot.job.model.DwellRow;
import io.upbot.job.model.EventRow;
import io.upbot.job.model.EventRowKey;
import io.upbot.job.model.FunnelRow;
import io.upbot.job.model.FunnelRowKey;
import io.upbot.job.model.JoinRow;
import io.upbot.job.model.UsersDailyRow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The content of the output tables, without {@code updated_at}: funnel and breakdown values are
 * {@code [sessions, exposed, long_pressed, joined]}, dwell values {@code [events, total_s, max_s,
 * p50_s, p90_s, p99_s]}, daily users {@code [users, exposed_users, long_pressed_users,
 * joined_users]}, convert times {@code [pressed_sessions, press_p50, press_p90, press_p99,
 * joined_sessions, join_p50, join_p90, join_p99]} with times in ms and {@code null} for NULL, joins
 * {@code [wecom_joins, attributed_joins, unattributed_joins]}. Sorted maps, so a failing comparison
 * reads well.
 */
public record Tables(
    Map<FunnelRowKey, List<Long>> funnel,
    Map<EventRowKey, Long> events,
    Map<FunnelRowKey, List<Long>> dwell,
    Map<BreakdownRowKey, List<Long>> breakdown,
    Map<DayRowKey, List<Long>> usersDaily,
    Map<FunnelRowKey, List<Long>> convertTime,
    Map<DayRowKey, List<Long>> convertTimeDaily,
    Map<FunnelRowKey, List<Long>> joins) {

  public static Tables empty() {
    return new Tables(
        new TreeMap<>(FUNNEL_ORDER),
        new TreeMap<>(EVENT_ORDER),
        new TreeMap<>(FUNNEL_ORDER),
        new TreeMap<>(BREAKDOWN_ORDER),
        new TreeMap<>(DAY_ORDER),
        new TreeMap<>(FUNNEL_ORDER),
        new TreeMap<>(DAY_ORDER),
        new TreeMap<>(FUNNEL_ORDER));
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
  public static final Comparator<BreakdownRowKey> BREAKDOWN_ORDER =
      Comparator.comparingLong(BreakdownRowKey::bucketStart)
          .thenComparing(BreakdownRowKey::appid)
          .thenComparing(BreakdownRowKey::code)
          .thenComparingInt(BreakdownRowKey::deviceType)
          .thenComparingInt(BreakdownRowKey::accountType)
          .thenComparingInt(BreakdownRowKey::mediaType);
  public static final Comparator<DayRowKey> DAY_ORDER =
      Comparator.comparingInt(DayRowKey::day)
          .thenComparing(DayRowKey::appid)
          .thenComparing(DayRowKey::code);

  /** Convert-time values as this class holds them: nulls allowed. */
  public static List<Long> convertValues(ConvertTimes t) {
    return Arrays.asList(
        t.pressedSessions(),
        t.pressP50Ms(),
        t.pressP90Ms(),
        t.pressP99Ms(),
        t.joinedSessions(),
        t.joinP50Ms(),
        t.joinP90Ms(),
        t.joinP99Ms());
  }

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
    } else if (row instanceof BreakdownRow r) {
      breakdown.put(
          new BreakdownRowKey(
              r.bucketStart(), r.appid(), r.code(), r.deviceType(), r.accountType(), r.mediaType()),
          List.of(r.sessions(), r.exposed(), r.longPressed(), r.joined()));
    } else if (row instanceof UsersDailyRow r) {
      usersDaily.put(
          new DayRowKey(r.day(), r.appid(), r.code()),
          List.of(r.users(), r.exposedUsers(), r.longPressedUsers(), r.joinedUsers()));
    } else if (row instanceof ConvertTimeRow r) {
      convertTime.put(
          new FunnelRowKey(r.bucketStart(), r.appid(), r.code()), convertValues(r.times()));
    } else if (row instanceof ConvertTimeDailyRow r) {
      convertTimeDaily.put(new DayRowKey(r.day(), r.appid(), r.code()), convertValues(r.times()));
    } else if (row instanceof JoinRow r) {
      joins.put(
          new FunnelRowKey(r.bucketStart(), r.appid(), r.code()),
          List.of(r.wecomJoins(), r.attributedJoins(), r.unattributedJoins()));
    } else {
      throw new IllegalArgumentException("not a row: " + row);
    }
  }

  /**
   * Rows whose counts are all zero (rows that can go down: funnel, breakdown, users, convert times)
   * say nothing a missing row does not; they compare equal.
   */
  public Tables withoutZeroFunnelRows() {
    Tables t = empty();
    copyNonZero(funnel, t.funnel, List.of(0, 1, 2, 3));
    t.events.putAll(events);
    t.dwell.putAll(dwell);
    copyNonZero(breakdown, t.breakdown, List.of(0, 1, 2, 3));
    copyNonZero(usersDaily, t.usersDaily, List.of(0, 1, 2, 3));
    copyNonZero(convertTime, t.convertTime, List.of(0, 4));
    copyNonZero(convertTimeDaily, t.convertTimeDaily, List.of(0, 4));
    t.joins.putAll(joins);
    return t;
  }

  /**
   * These tables with {@code unattributed_joins} set to 0: a live job decides a join is
   * unattributable only once the watermark passes its time + A (docs/semantics.md#wecom-joins), so
   * a test that stops before then compares the rest.
   */
  public Tables withoutUnattributedJoins() {
    Tables t = withoutZeroFunnelRows();
    t.joins.replaceAll((k, v) -> List.of(v.get(0), v.get(1), 0L));
    return t;
  }

  private static <K> void copyNonZero(
      Map<K, List<Long>> from, Map<K, List<Long>> to, List<Integer> counts) {
    from.forEach(
        (k, v) -> {
          if (counts.stream().anyMatch(i -> v.get(i) != 0)) {
            to.put(k, v);
          }
        });
  }

  /**
   * The rows in which these tables differ from {@code expected}, one line each, {@code null} for a
   * missing row: a failure then names the few wrong rows rather than printing every table whole.
   */
  public List<String> differencesFrom(Tables expected) {
    List<String> out = new ArrayList<>();
    differences("funnel", funnel, expected.funnel, out);
    differences("events", events, expected.events, out);
    differences("dwell", dwell, expected.dwell, out);
    differences("breakdown", breakdown, expected.breakdown, out);
    differences("usersDaily", usersDaily, expected.usersDaily, out);
    differences("convertTime", convertTime, expected.convertTime, out);
    differences("convertTimeDaily", convertTimeDaily, expected.convertTimeDaily, out);
    differences("joins", joins, expected.joins, out);
    return out;
  }

  private static <K, V> void differences(
      String table, Map<K, V> actual, Map<K, V> expected, List<String> out) {
    actual.forEach(
        (k, v) -> {
          if (!Objects.equals(v, expected.get(k))) {
            out.add(table + " " + k + ": " + v + ", expected " + expected.get(k));
          }
        });
    expected.forEach(
        (k, v) -> {
          if (!actual.containsKey(k)) {
            out.add(table + " " + k + ": null, expected " + v);
          }
        });
  }

  /**
   * The breakdown rows summed over device_type, account_type and media_type, per hour, appid and
   * code: what code_funnel_hourly must hold.
   */
  public Map<FunnelRowKey, List<Long>> breakdownSummed() {
    Map<FunnelRowKey, List<Long>> out = new TreeMap<>(FUNNEL_ORDER);
    breakdown.forEach(
        (k, v) ->
            out.merge(
                new FunnelRowKey(k.bucketStart(), k.appid(), k.code()),
                v,
                (a, b) ->
                    List.of(
                        a.get(0) + b.get(0),
                        a.get(1) + b.get(1),
                        a.get(2) + b.get(2),
                        a.get(3) + b.get(3))));
    return out;
  }
}
