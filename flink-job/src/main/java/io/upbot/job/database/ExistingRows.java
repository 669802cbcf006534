package io.upbot.job.database;

import io.upbot.job.sink.JdbcSettings;
import io.upbot.job.sink.SqlDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Which of the job's row tables already hold rows: a backfill must not overwrite live totals. */
public final class ExistingRows {

  /** The tables whose rows are totals the job upserts (dead letters are only ever inserted). */
  public static final List<String> ROW_TABLES =
      List.of(
          "code_funnel_hourly",
          "code_event_hourly",
          "code_dwell_hourly",
          "code_funnel_breakdown_hourly",
          "code_users_daily",
          "code_convert_time_hourly",
          "code_convert_time_daily",
          "code_join_hourly");

  private ExistingRows() {}

  /**
   * The row tables that exist and hold at least one row, in {@link #ROW_TABLES} order. Reads only:
   * a missing table counts as empty.
   *
   * @throws IllegalStateException when the database cannot be reached or read
   */
  public static List<String> tablesWithRows(JdbcSettings settings) {
    SqlDialect dialect = settings.dialect();
    List<String> filled = new ArrayList<>();
    try (Connection c = settings.connect();
        PreparedStatement exists = c.prepareStatement(dialect.tableExistsQuery());
        Statement s = c.createStatement()) {
      for (String table : ROW_TABLES) {
        exists.setString(1, table);
        try (ResultSet r = exists.executeQuery()) {
          if (!r.next()) {
            continue;
          }
        }
        // The names are the constants above, never input.
        try (ResultSet r = s.executeQuery("SELECT 1 FROM " + table + " LIMIT 1")) {
          if (r.next()) {
            filled.add(table);
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot read the upbot tables of the " + dialect + " database: " + e.getMessage(), e);
    }
    return filled;
  }
}
