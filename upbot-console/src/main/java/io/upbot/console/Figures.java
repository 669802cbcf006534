package io.upbot.console;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Every figure the console shows, each one SQL statement over the job's tables: its id (used in
 * URLs and the JSON API), title, columns and query. The same statement serves the page, the chart
 * and the "SQL" link, so what an analyst copies is what produced the figure.
 */
public final class Figures {

  /** What a figure needs from the request. */
  public enum Needs {
    NOTHING,
    APPID,
    CODE
  }

  /** One figure: how to build its query for a scope. */
  public record Figure(
      String id, String title, Needs needs, List<String> columns, Function<Scope, Query> query) {}

  private static final String FUNNEL_SUMS =
      "CAST(SUM(sessions) AS BIGINT) AS sessions, CAST(SUM(exposed) AS BIGINT) AS exposed,"
          + " CAST(SUM(long_pressed) AS BIGINT) AS long_pressed,"
          + " CAST(SUM(joined) AS BIGINT) AS joined";

  /** Joined over exposed sessions, 0-1; NULL when none was exposed (as the daily views). */
  private static final String CONVERSION =
      "CAST(SUM(joined) AS DOUBLE PRECISION) / NULLIF(SUM(exposed), 0) AS conversion";

  private static final List<String> FUNNEL_COLUMNS =
      List.of("sessions", "exposed", "long_pressed", "joined");

  /**
   * code_join_hourly summed: the joins, those attributed and unattributed, those still waiting for
   * their long-press (neither yet), and the attributed share of all joins (NULL without joins).
   */
  private static final String JOIN_SUMS =
      "CAST(COALESCE(SUM(wecom_joins), 0) AS BIGINT) AS wecom_joins,\n"
          + "  CAST(COALESCE(SUM(attributed_joins), 0) AS BIGINT) AS attributed_joins,\n"
          + "  CAST(COALESCE(SUM(unattributed_joins), 0) AS BIGINT) AS unattributed_joins,\n"
          + "  CAST(COALESCE(SUM(wecom_joins - attributed_joins - unattributed_joins), 0) AS BIGINT)"
          + " AS waiting_joins,\n"
          + "  CAST(SUM(attributed_joins) AS DOUBLE PRECISION) / NULLIF(SUM(wecom_joins), 0)"
          + " AS attributed_share";

  /** The columns of {@link #JOIN_SUMS}. */
  public static final List<String> JOIN_COLUMNS =
      List.of(
          "wecom_joins",
          "attributed_joins",
          "unattributed_joins",
          "waiting_joins",
          "attributed_share");

  private static final List<String> CONVERT_TIME_COLUMNS =
      List.of(
          "pressed_sessions",
          "press_p50_s",
          "press_p90_s",
          "press_p99_s",
          "joined_sessions",
          "join_p50_s",
          "join_p90_s",
          "join_p99_s");

  /** The breakdown dimensions of code_funnel_breakdown_hourly. */
  public static final List<String> DIMENSIONS =
      List.of("device_type", "account_type", "media_type");

  private final Dialect dialect;
  private final ZoneId zone;
  private final Map<String, Figure> figures = new LinkedHashMap<>();

  public Figures(Dialect dialect, ZoneId zone) {
    this.dialect = dialect;
    this.zone = zone;
    define();
  }

  public ZoneId zone() {
    return zone;
  }

  public Dialect dialect() {
    return dialect;
  }

  /** The figure with this id, or null. */
  public Figure get(String id) {
    return figures.get(id);
  }

  public List<Figure> all() {
    return List.copyOf(figures.values());
  }

  /** Which rows of its table a figure reads: the scope's days as a range of hours, or of days. */
  private enum Span {
    /** Hourly rows: their UTC buckets from the scope's first day's start to its last day's end. */
    HOURS("bucket_start >= ? AND bucket_start < ?"),
    /** Dead letters recorded within the scope's days, as {@link #HOURS}. */
    RECORDED("recorded_at >= ? AND recorded_at < ?"),
    /** Daily rows: the scope's days themselves, both ends included. */
    DAYS("day >= ? AND day <= ?");

    final String where;

    Span(String where) {
      this.where = where;
    }
  }

  private void add(
      String id, String title, Needs needs, List<String> columns, Function<Scope, Query> q) {
    figures.put(id, new Figure(id, title, needs, columns, q));
  }

  /**
   * A figure of one table: {@code SELECT select FROM table WHERE} the scope's appid and code (as
   * far as {@code needs} goes) and its {@code span}, then {@code rest} (grouping, order).
   */
  private void add(
      String id,
      String title,
      Needs needs,
      List<String> columns,
      String select,
      String table,
      Span span,
      String rest) {
    String where =
        switch (needs) {
          case NOTHING -> "";
          case APPID -> "appid = ? AND ";
          case CODE -> "appid = ? AND code = ? AND ";
        };
    add(
        id,
        title,
        needs,
        columns,
        s ->
            new Query(
                "SELECT " + select + "\nFROM " + table + "\nWHERE " + where + span.where + rest,
                params(s, needs, span),
                List.of(table)));
  }

  private static List<String> cols(String first, List<String> rest, String... more) {
    List<String> c = new ArrayList<>();
    if (first != null) {
      c.add(first);
    }
    c.addAll(rest);
    c.addAll(List.of(more));
    return c;
  }

  /** Parameters: the scope's appid and code as far as {@code needs} goes, then its span. */
  private List<Object> params(Scope s, Needs needs, Span span) {
    List<Object> p = new ArrayList<>();
    if (needs != Needs.NOTHING) {
      p.add(s.appid());
    }
    if (needs == Needs.CODE) {
      p.add(s.code());
    }
    if (span == Span.DAYS) {
      p.add(s.from());
      p.add(s.to());
    } else {
      p.add(dialect.startOfDay(s.from(), zone));
      p.add(dialect.startOfDay(s.to().plusDays(1), zone));
    }
    return p;
  }

  private void define() {
    String day = dialect.localDay("bucket_start", zone);
    String hour = dialect.localHourOfDay("bucket_start", zone);
    String minute = dialect.localMinute("bucket_start", zone);
    String byDay = "\nGROUP BY 1\nORDER BY 1";
    String funnel = "code_funnel_hourly";

    add(
        "apps",
        "Apps",
        Needs.NOTHING,
        cols("appid", FUNNEL_COLUMNS),
        "appid, " + FUNNEL_SUMS,
        funnel,
        Span.HOURS,
        "\nGROUP BY appid\nORDER BY sessions DESC, appid");
    add(
        "codes",
        "Codes: sessions and conversion",
        Needs.APPID,
        cols("code", FUNNEL_COLUMNS, "conversion"),
        "code, " + FUNNEL_SUMS + ",\n  " + CONVERSION,
        funnel,
        Span.HOURS,
        "\nGROUP BY code\nORDER BY sessions DESC, code");
    add(
        "code_users",
        "Codes: users (sum of each day's distinct users)",
        Needs.APPID,
        List.of("code", "users", "exposed_users", "long_pressed_users", "joined_users"),
        "code, CAST(SUM(users) AS BIGINT) AS users,"
            + " CAST(SUM(exposed_users) AS BIGINT) AS exposed_users,\n"
            + "  CAST(SUM(long_pressed_users) AS BIGINT) AS long_pressed_users,"
            + " CAST(SUM(joined_users) AS BIGINT) AS joined_users",
        "code_users_daily",
        Span.DAYS,
        "\nGROUP BY code\nORDER BY users DESC, code");
    add(
        "codes_daily",
        "Codes: sessions per day",
        Needs.APPID,
        List.of("code", "day", "sessions"),
        "code, " + day + " AS day, CAST(SUM(sessions) AS BIGINT) AS sessions",
        funnel,
        Span.HOURS,
        "\nGROUP BY code, 2\nORDER BY code, day");
    add(
        "funnel",
        "Funnel",
        Needs.CODE,
        FUNNEL_COLUMNS,
        "CAST(COALESCE(SUM(sessions), 0) AS BIGINT) AS sessions,"
            + " CAST(COALESCE(SUM(exposed), 0) AS BIGINT) AS exposed,\n"
            + "  CAST(COALESCE(SUM(long_pressed), 0) AS BIGINT) AS long_pressed,"
            + " CAST(COALESCE(SUM(joined), 0) AS BIGINT) AS joined",
        funnel,
        Span.HOURS,
        "");
    // WeCom's joins (code_join_hourly): how many there were and how many the job matched to the
    // journey whose long-press led to them (docs/tables.md#code_join_hourly).
    add(
        "wecom_joins",
        "WeCom joins",
        Needs.CODE,
        JOIN_COLUMNS,
        JOIN_SUMS,
        "code_join_hourly",
        Span.HOURS,
        "");
    add(
        "wecom_joins_daily",
        "WeCom joins per day",
        Needs.CODE,
        cols("day", JOIN_COLUMNS),
        day + " AS day,\n  " + JOIN_SUMS,
        "code_join_hourly",
        Span.HOURS,
        byDay);
    add(
        "daily",
        "Daily trend",
        Needs.CODE,
        cols("day", FUNNEL_COLUMNS, "conversion"),
        day + " AS day, " + FUNNEL_SUMS + ",\n  " + CONVERSION,
        funnel,
        Span.HOURS,
        byDay);
    add(
        "users_daily",
        "Users per day",
        Needs.CODE,
        List.of("day", "users", "exposed_users", "long_pressed_users", "joined_users"),
        "day, users, exposed_users, long_pressed_users, joined_users",
        "code_users_daily",
        Span.DAYS,
        "\nORDER BY day");
    add(
        "hour_of_day",
        "Hour of day",
        Needs.CODE,
        cols("hour", FUNNEL_COLUMNS),
        hour + " AS hour, " + FUNNEL_SUMS,
        funnel,
        Span.HOURS,
        byDay);
    add(
        "dwell_hourly",
        "Dwell percentiles per hour",
        Needs.CODE,
        List.of("hour_start", "events", "p50_s", "p90_s", "p99_s", "max_s"),
        minute + " AS hour_start, events, p50_s, p90_s, p99_s, max_s",
        "code_dwell_hourly",
        Span.HOURS,
        " AND events > 0\nORDER BY bucket_start");
    add(
        "dwell_daily",
        "Dwell per day",
        Needs.CODE,
        List.of("day", "events", "total_s", "avg_s", "max_s"),
        day
            + " AS day, CAST(SUM(events) AS BIGINT) AS events,"
            + " CAST(SUM(total_s) AS BIGINT) AS total_s,\n"
            + "  CAST(SUM(total_s) AS DOUBLE PRECISION) / NULLIF(SUM(events), 0) AS avg_s,"
            + " CAST(MAX(max_s) AS BIGINT) AS max_s",
        "code_dwell_hourly",
        Span.HOURS,
        byDay);
    String convertTimes =
        " pressed_sessions, press_p50_s, press_p90_s, press_p99_s,\n"
            + "  joined_sessions, join_p50_s, join_p90_s, join_p99_s";
    String converted = "\n  AND (pressed_sessions > 0 OR joined_sessions > 0)\nORDER BY ";
    add(
        "convert_time",
        "Time to convert per hour",
        Needs.CODE,
        cols("hour_start", CONVERT_TIME_COLUMNS),
        minute + " AS hour_start," + convertTimes,
        "code_convert_time_hourly",
        Span.HOURS,
        converted + "bucket_start");
    add(
        "convert_time_daily",
        "Time to convert per day",
        Needs.CODE,
        cols("day", CONVERT_TIME_COLUMNS),
        "day," + convertTimes,
        "code_convert_time_daily",
        Span.DAYS,
        converted + "day");
    for (String dim : DIMENSIONS) {
      add(
          "by_" + dim,
          "By " + dim.replace('_', ' '),
          Needs.CODE,
          cols(dim, FUNNEL_COLUMNS, "conversion"),
          dim + ", " + FUNNEL_SUMS + ",\n  " + CONVERSION,
          "code_funnel_breakdown_hourly",
          Span.HOURS,
          "\nGROUP BY " + dim + "\nORDER BY sessions DESC, " + dim);
    }
    add(
        "events",
        "Distinct events by event id",
        Needs.CODE,
        List.of("event_id", "events"),
        "event_id, CAST(SUM(events) AS BIGINT) AS events",
        "code_event_hourly",
        Span.HOURS,
        "\nGROUP BY event_id\nORDER BY events DESC, event_id");

    String recordedMinute = dialect.localMinute("recorded_at", zone);
    add(
        "dead_letters_daily",
        "Dead letters by reason per day",
        Needs.NOTHING,
        List.of("day", "reason", "dead_letters"),
        dialect.localDay("recorded_at", zone)
            + " AS day, reason, CAST(COUNT(*) AS BIGINT) AS dead_letters",
        "dead_letter_events",
        Span.RECORDED,
        "\nGROUP BY 1, reason\nORDER BY 1, reason");
    add(
        "dead_letters_newest",
        "Newest dead letters",
        Needs.NOTHING,
        List.of("id", "recorded_local", "reason", "source", "payload", "payload_chars"),
        s -> {
          List<Object> p = params(s, Needs.NOTHING, Span.RECORDED);
          String byReason = "";
          if (s.reason() != null) {
            byReason = " AND reason = ?";
            p.add(s.reason());
          }
          return new Query(
              "SELECT id, "
                  + recordedMinute
                  + " AS recorded_local, reason, source,\n"
                  + "  substr(payload, 1, "
                  + PAYLOAD_CHARS
                  + ") AS payload, CAST(length(payload) AS BIGINT) AS payload_chars\n"
                  + "FROM dead_letter_events\nWHERE "
                  + Span.RECORDED.where
                  + byReason
                  + "\nORDER BY recorded_at DESC, id DESC\nLIMIT "
                  + NEWEST_DEAD_LETTERS,
              p,
              List.of("dead_letter_events"));
        });
  }

  /** How much of each payload the dead-letter page shows. */
  public static final int PAYLOAD_CHARS = 300;

  /** How many dead letters the page lists. */
  public static final int NEWEST_DEAD_LETTERS = 50;
}
