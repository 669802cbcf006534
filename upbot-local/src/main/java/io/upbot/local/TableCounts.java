package io.upbot.local;

import io.upbot.job.sink.JdbcSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Counts read back from the job's tables, to check what reached them. */
public final class TableCounts {

  private final JdbcSettings db;

  public TableCounts(JdbcSettings db) {
    this.db = db;
  }

  /**
   * The distinct events counted in {@code code_event_hourly} for an appid, over every hour and
   * code.
   */
  public long countedEvents(String appid) throws SQLException {
    return single("SELECT COALESCE(SUM(events), 0) FROM code_event_hourly WHERE appid = ?", appid);
  }

  /** As {@link #countedEvents(String)}, for one code. */
  public long countedEvents(String appid, String code) throws SQLException {
    return single(
        "SELECT COALESCE(SUM(events), 0) FROM code_event_hourly WHERE appid = ? AND code = ?",
        appid,
        code);
  }

  /**
   * Dead-lettered events with {@code reason} whose payload mentions {@code marker} (an appid or
   * code used by one run only).
   */
  public long deadLetters(String reason, String marker) throws SQLException {
    return single(
        "SELECT COUNT(*) FROM dead_letter_events WHERE reason = ? AND payload LIKE ?",
        reason,
        "%" + marker + "%");
  }

  /** Dead-lettered events of any reason whose payload mentions {@code marker}. */
  public long deadLetters(String marker) throws SQLException {
    return single(
        "SELECT COUNT(*) FROM dead_letter_events WHERE payload LIKE ?", "%" + marker + "%");
  }

  private long single(String sql, String... params) throws SQLException {
    try (Connection c = db.connect();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        s.setString(i + 1, params[i]);
      }
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
