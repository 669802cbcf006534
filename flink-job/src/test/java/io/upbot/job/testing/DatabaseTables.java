package io.upbot.job.testing;

import io.upbot.job.model.EventRowKey;
import io.upbot.job.model.FunnelRowKey;
import io.upbot.job.sink.JdbcSettings;
import io.upbot.job.sink.SqlDialect;
import java.sql.Connection;
import java.sql.ResultSet;
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
    }
    return t.withoutZeroFunnelRows();
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
