package io.upbot.job.testing;

import io.upbot.job.model.BreakdownRowKey;
import io.upbot.job.model.DayRowKey;
import io.upbot.job.model.EventRowKey;
import io.upbot.job.model.FunnelRowKey;
import io.upbot.job.sink.JdbcSettings;
import io.upbot.job.sink.SqlDialect;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Reads the job's tables back from PostgreSQL or SQLite into {@link Tables}. */
public final class DatabaseTables {

  private DatabaseTables() {}

  /** A dead-letter row as stored. */
  public record StoredDeadLetter(String reason, String payload, String source) {}

  public static Tables read(JdbcSettings settings) throws Exception {
    String bucket =
        settings.dialect() == SqlDialect.POSTGRES
            ? "(extract(epoch FROM bucket_start) * 1000)::bigint"
            : "CAST(strftime('%s', bucket_start) AS INTEGER) * 1000";
    boolean pg = settings.dialect() == SqlDialect.POSTGRES;
    String day =
        pg
            ? "(day - date '1970-01-01')"
            : "CAST(julianday(day) - julianday('1970-01-01') AS INTEGER)";
    StringBuilder convertColumns = new StringBuilder();
    for (String c :
        List.of(
            "pressed_sessions",
            "press_p50_s",
            "press_p90_s",
            "press_p99_s",
            "joined_sessions",
            "join_p50_s",
            "join_p90_s",
            "join_p99_s")) {
      convertColumns.append(", ");
      if (c.endsWith("_sessions")) {
        convertColumns.append(c);
      } else {
        // Stored as seconds with millisecond precision: back to whole ms.
        convertColumns.append(
            pg ? "round(" + c + " * 1000)::bigint" : "CAST(round(" + c + " * 1000) AS INTEGER)");
      }
    }
    Tables t = Tables.empty();
    try (Connection c = settings.connect();
        Statement s = c.createStatement()) {
      try (ResultSet rs =
          s.executeQuery(
              "SELECT "
                  + bucket
                  + ", appid, code, sessions, exposed, long_pressed, joined"
                  + " FROM code_funnel_hourly")) {
        while (rs.next()) {
          t.funnel()
              .put(
                  new FunnelRowKey(rs.getLong(1), rs.getString(2), rs.getString(3)),
                  List.of(rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7)));
        }
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT " + bucket + ", appid, code, event_id, events FROM code_event_hourly")) {
        while (rs.next()) {
          t.events()
              .put(
                  new EventRowKey(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)),
                  rs.getLong(5));
        }
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT "
                  + bucket
                  + ", appid, code, events, total_s, max_s, p50_s, p90_s, p99_s"
                  + " FROM code_dwell_hourly")) {
        while (rs.next()) {
          t.dwell()
              .put(
                  new FunnelRowKey(rs.getLong(1), rs.getString(2), rs.getString(3)),
                  List.of(
                      rs.getLong(4),
                      rs.getLong(5),
                      rs.getLong(6),
                      rs.getLong(7),
                      rs.getLong(8),
                      rs.getLong(9)));
        }
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT "
                  + bucket
                  + ", appid, code, wecom_joins, attributed_joins, unattributed_joins"
                  + " FROM code_join_hourly")) {
        while (rs.next()) {
          t.joins()
              .put(
                  new FunnelRowKey(rs.getLong(1), rs.getString(2), rs.getString(3)),
                  List.of(rs.getLong(4), rs.getLong(5), rs.getLong(6)));
        }
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT "
                  + bucket
                  + ", appid, code, device_type, account_type, media_type,"
                  + " sessions, exposed, long_pressed, joined FROM code_funnel_breakdown_hourly")) {
        while (rs.next()) {
          t.breakdown()
              .put(
                  new BreakdownRowKey(
                      rs.getLong(1),
                      rs.getString(2),
                      rs.getString(3),
                      rs.getInt(4),
                      rs.getInt(5),
                      rs.getInt(6)),
                  List.of(rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10)));
        }
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT "
                  + day
                  + ", appid, code, users, exposed_users, long_pressed_users, joined_users"
                  + " FROM code_users_daily")) {
        while (rs.next()) {
          t.usersDaily()
              .put(
                  new DayRowKey(rs.getInt(1), rs.getString(2), rs.getString(3)),
                  List.of(rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7)));
        }
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT "
                  + bucket
                  + ", appid, code"
                  + convertColumns
                  + " FROM code_convert_time_hourly")) {
        while (rs.next()) {
          t.convertTime()
              .put(
                  new FunnelRowKey(rs.getLong(1), rs.getString(2), rs.getString(3)),
                  longsFrom(rs, 4, 8));
        }
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT "
                  + day
                  + ", appid, code"
                  + convertColumns
                  + " FROM code_convert_time_daily")) {
        while (rs.next()) {
          t.convertTimeDaily()
              .put(
                  new DayRowKey(rs.getInt(1), rs.getString(2), rs.getString(3)),
                  longsFrom(rs, 4, 8));
        }
      }
    }
    return t.withoutZeroFunnelRows();
  }

  /** {@code n} columns from {@code first} as longs, NULL as null. */
  private static List<Long> longsFrom(ResultSet rs, int first, int n) throws SQLException {
    List<Long> out = new ArrayList<>();
    for (int i = first; i < first + n; i++) {
      long v = rs.getLong(i);
      out.add(rs.wasNull() ? null : v);
    }
    return out;
  }

  public static List<StoredDeadLetter> deadLetters(JdbcSettings settings) throws Exception {
    List<StoredDeadLetter> out = new ArrayList<>();
    try (Connection c = settings.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT reason, payload, source FROM dead_letter_events ORDER BY source")) {
      while (rs.next()) {
        out.add(new StoredDeadLetter(rs.getString(1), rs.getString(2), rs.getString(3)));
      }
    }
    return out;
  }
}
