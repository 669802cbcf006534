package io.upbot.job.sink;

import io.upbot.job.model.BreakdownRow;
import io.upbot.job.model.ConvertTimeDailyRow;
import io.upbot.job.model.ConvertTimeRow;
import io.upbot.job.model.ConvertTimes;
import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.DwellRow;
import io.upbot.job.model.EventRow;
import io.upbot.job.model.FunnelRow;
import io.upbot.job.model.JoinRow;
import io.upbot.job.model.UsersDailyRow;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Objects;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;

/**
 * The write statements of the job's tables and the builders that bind a row to them. The statement
 * text is the same for PostgreSQL and SQLite (both have {@code INSERT … ON CONFLICT … DO UPDATE}
 * with {@code excluded}); only time columns bind differently, which {@link SqlDialect} does. The
 * builders are small serializable classes holding nothing but the dialect, so Flink can ship them.
 */
public final class RowStatements {

  /** Rows hold totals: a later write of a key replaces every value column (docs/tables.md). */
  public static final String FUNNEL_UPSERT =
      "INSERT INTO code_funnel_hourly"
          + " (bucket_start, appid, code, sessions, exposed, long_pressed, joined, updated_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (bucket_start, appid, code) DO UPDATE SET"
          + " sessions = excluded.sessions,"
          + " exposed = excluded.exposed,"
          + " long_pressed = excluded.long_pressed,"
          + " joined = excluded.joined,"
          + " updated_at = excluded.updated_at";

  public static final String EVENT_UPSERT =
      "INSERT INTO code_event_hourly"
          + " (bucket_start, appid, code, event_id, events, updated_at)"
          + " VALUES (?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (bucket_start, appid, code, event_id) DO UPDATE SET"
          + " events = excluded.events,"
          + " updated_at = excluded.updated_at";

  public static final String DWELL_UPSERT =
      "INSERT INTO code_dwell_hourly"
          + " (bucket_start, appid, code, events, total_s, max_s, p50_s, p90_s, p99_s, updated_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (bucket_start, appid, code) DO UPDATE SET"
          + " events = excluded.events,"
          + " total_s = excluded.total_s,"
          + " max_s = excluded.max_s,"
          + " p50_s = excluded.p50_s,"
          + " p90_s = excluded.p90_s,"
          + " p99_s = excluded.p99_s,"
          + " updated_at = excluded.updated_at";

  public static final String BREAKDOWN_UPSERT =
      "INSERT INTO code_funnel_breakdown_hourly"
          + " (bucket_start, appid, code, device_type, account_type, media_type,"
          + " sessions, exposed, long_pressed, joined, updated_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (bucket_start, appid, code, device_type, account_type, media_type)"
          + " DO UPDATE SET"
          + " sessions = excluded.sessions,"
          + " exposed = excluded.exposed,"
          + " long_pressed = excluded.long_pressed,"
          + " joined = excluded.joined,"
          + " updated_at = excluded.updated_at";

  public static final String USERS_DAILY_UPSERT =
      "INSERT INTO code_users_daily"
          + " (day, appid, code, users, exposed_users, long_pressed_users, joined_users,"
          + " updated_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (day, appid, code) DO UPDATE SET"
          + " users = excluded.users,"
          + " exposed_users = excluded.exposed_users,"
          + " long_pressed_users = excluded.long_pressed_users,"
          + " joined_users = excluded.joined_users,"
          + " updated_at = excluded.updated_at";

  private static final String CONVERT_TIME_COLUMNS =
      " appid, code, pressed_sessions, press_p50_s, press_p90_s, press_p99_s,"
          + " joined_sessions, join_p50_s, join_p90_s, join_p99_s, updated_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private static final String CONVERT_TIME_SET =
      " DO UPDATE SET"
          + " pressed_sessions = excluded.pressed_sessions,"
          + " press_p50_s = excluded.press_p50_s,"
          + " press_p90_s = excluded.press_p90_s,"
          + " press_p99_s = excluded.press_p99_s,"
          + " joined_sessions = excluded.joined_sessions,"
          + " join_p50_s = excluded.join_p50_s,"
          + " join_p90_s = excluded.join_p90_s,"
          + " join_p99_s = excluded.join_p99_s,"
          + " updated_at = excluded.updated_at";

  public static final String CONVERT_TIME_UPSERT =
      "INSERT INTO code_convert_time_hourly (bucket_start,"
          + CONVERT_TIME_COLUMNS
          + " ON CONFLICT (bucket_start, appid, code)"
          + CONVERT_TIME_SET;

  public static final String CONVERT_TIME_DAILY_UPSERT =
      "INSERT INTO code_convert_time_daily (day,"
          + CONVERT_TIME_COLUMNS
          + " ON CONFLICT (day, appid, code)"
          + CONVERT_TIME_SET;

  public static final String JOIN_UPSERT =
      "INSERT INTO code_join_hourly"
          + " (bucket_start, appid, code, wecom_joins, attributed_joins, unattributed_joins,"
          + " updated_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (bucket_start, appid, code) DO UPDATE SET"
          + " wecom_joins = excluded.wecom_joins,"
          + " attributed_joins = excluded.attributed_joins,"
          + " unattributed_joins = excluded.unattributed_joins,"
          + " updated_at = excluded.updated_at";

  /** A replayed dead letter (same source and reason) is already recorded: the first one stays. */
  public static final String DEAD_LETTER_INSERT =
      "INSERT INTO dead_letter_events (reason, payload, source, recorded_at)"
          + " VALUES (?, ?, ?, ?)"
          + " ON CONFLICT (source, reason) DO NOTHING";

  private RowStatements() {}

  /** Binds a {@link FunnelRow} to {@link #FUNNEL_UPSERT}. */
  public static final class FunnelBinder implements JdbcStatementBuilder<FunnelRow> {
    private static final long serialVersionUID = 1L;
    private final SqlDialect dialect;

    public FunnelBinder(SqlDialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
    }

    @Override
    public void accept(PreparedStatement ps, FunnelRow r) throws SQLException {
      dialect.bindTimestamp(ps, 1, r.bucketStart());
      ps.setString(2, SqlText.clean(r.appid()));
      ps.setString(3, SqlText.clean(r.code()));
      ps.setLong(4, r.sessions());
      ps.setLong(5, r.exposed());
      ps.setLong(6, r.longPressed());
      ps.setLong(7, r.joined());
      dialect.bindTimestamp(ps, 8, r.updatedAt());
    }
  }

  /** Binds an {@link EventRow} to {@link #EVENT_UPSERT}. */
  public static final class EventBinder implements JdbcStatementBuilder<EventRow> {
    private static final long serialVersionUID = 1L;
    private final SqlDialect dialect;

    public EventBinder(SqlDialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
    }

    @Override
    public void accept(PreparedStatement ps, EventRow r) throws SQLException {
      dialect.bindTimestamp(ps, 1, r.bucketStart());
      ps.setString(2, SqlText.clean(r.appid()));
      ps.setString(3, SqlText.clean(r.code()));
      ps.setString(4, SqlText.clean(r.eventId()));
      ps.setLong(5, r.events());
      dialect.bindTimestamp(ps, 6, r.updatedAt());
    }
  }

  /** Binds a {@link DwellRow} to {@link #DWELL_UPSERT}. */
  public static final class DwellBinder implements JdbcStatementBuilder<DwellRow> {
    private static final long serialVersionUID = 1L;
    private final SqlDialect dialect;

    public DwellBinder(SqlDialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
    }

    @Override
    public void accept(PreparedStatement ps, DwellRow r) throws SQLException {
      dialect.bindTimestamp(ps, 1, r.bucketStart());
      ps.setString(2, SqlText.clean(r.appid()));
      ps.setString(3, SqlText.clean(r.code()));
      ps.setLong(4, r.events());
      ps.setLong(5, r.totalS());
      ps.setInt(6, r.maxS());
      ps.setInt(7, r.p50S());
      ps.setInt(8, r.p90S());
      ps.setInt(9, r.p99S());
      dialect.bindTimestamp(ps, 10, r.updatedAt());
    }
  }

  /** Binds a {@link BreakdownRow} to {@link #BREAKDOWN_UPSERT}. */
  public static final class BreakdownBinder implements JdbcStatementBuilder<BreakdownRow> {
    private static final long serialVersionUID = 1L;
    private final SqlDialect dialect;

    public BreakdownBinder(SqlDialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
    }

    @Override
    public void accept(PreparedStatement ps, BreakdownRow r) throws SQLException {
      dialect.bindTimestamp(ps, 1, r.bucketStart());
      ps.setString(2, SqlText.clean(r.appid()));
      ps.setString(3, SqlText.clean(r.code()));
      ps.setInt(4, r.deviceType());
      ps.setInt(5, r.accountType());
      ps.setInt(6, r.mediaType());
      ps.setLong(7, r.sessions());
      ps.setLong(8, r.exposed());
      ps.setLong(9, r.longPressed());
      ps.setLong(10, r.joined());
      dialect.bindTimestamp(ps, 11, r.updatedAt());
    }
  }

  /** Binds a {@link UsersDailyRow} to {@link #USERS_DAILY_UPSERT}. */
  public static final class UsersDailyBinder implements JdbcStatementBuilder<UsersDailyRow> {
    private static final long serialVersionUID = 1L;
    private final SqlDialect dialect;

    public UsersDailyBinder(SqlDialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
    }

    @Override
    public void accept(PreparedStatement ps, UsersDailyRow r) throws SQLException {
      dialect.bindDate(ps, 1, r.day());
      ps.setString(2, SqlText.clean(r.appid()));
      ps.setString(3, SqlText.clean(r.code()));
      ps.setLong(4, r.users());
      ps.setLong(5, r.exposedUsers());
      ps.setLong(6, r.longPressedUsers());
      ps.setLong(7, r.joinedUsers());
      dialect.bindTimestamp(ps, 8, r.updatedAt());
    }
  }

  /** Binds a {@link ConvertTimeRow} to {@link #CONVERT_TIME_UPSERT}. */
  public static final class ConvertTimeBinder implements JdbcStatementBuilder<ConvertTimeRow> {
    private static final long serialVersionUID = 1L;
    private final SqlDialect dialect;

    public ConvertTimeBinder(SqlDialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
    }

    @Override
    public void accept(PreparedStatement ps, ConvertTimeRow r) throws SQLException {
      dialect.bindTimestamp(ps, 1, r.bucketStart());
      bindConvertTimes(ps, r.appid(), r.code(), r.times());
      dialect.bindTimestamp(ps, 12, r.updatedAt());
    }
  }

  /** Binds a {@link ConvertTimeDailyRow} to {@link #CONVERT_TIME_DAILY_UPSERT}. */
  public static final class ConvertTimeDailyBinder
      implements JdbcStatementBuilder<ConvertTimeDailyRow> {
    private static final long serialVersionUID = 1L;
    private final SqlDialect dialect;

    public ConvertTimeDailyBinder(SqlDialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
    }

    @Override
    public void accept(PreparedStatement ps, ConvertTimeDailyRow r) throws SQLException {
      dialect.bindDate(ps, 1, r.day());
      bindConvertTimes(ps, r.appid(), r.code(), r.times());
      dialect.bindTimestamp(ps, 12, r.updatedAt());
    }
  }

  /** Parameters 2 to 11 of a convert-time upsert: seconds with millisecond precision, or NULL. */
  private static void bindConvertTimes(
      PreparedStatement ps, String appid, String code, ConvertTimes t) throws SQLException {
    ps.setString(2, SqlText.clean(appid));
    ps.setString(3, SqlText.clean(code));
    ps.setLong(4, t.pressedSessions());
    bindSeconds(ps, 5, t.pressP50Ms());
    bindSeconds(ps, 6, t.pressP90Ms());
    bindSeconds(ps, 7, t.pressP99Ms());
    ps.setLong(8, t.joinedSessions());
    bindSeconds(ps, 9, t.joinP50Ms());
    bindSeconds(ps, 10, t.joinP90Ms());
    bindSeconds(ps, 11, t.joinP99Ms());
  }

  private static void bindSeconds(PreparedStatement ps, int index, Long ms) throws SQLException {
    if (ms == null) {
      ps.setNull(index, Types.DOUBLE);
    } else {
      ps.setDouble(index, ms / 1000.0);
    }
  }

  /** Binds a {@link JoinRow} to {@link #JOIN_UPSERT}. */
  public static final class JoinBinder implements JdbcStatementBuilder<JoinRow> {
    private static final long serialVersionUID = 1L;
    private final SqlDialect dialect;

    public JoinBinder(SqlDialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
    }

    @Override
    public void accept(PreparedStatement ps, JoinRow r) throws SQLException {
      dialect.bindTimestamp(ps, 1, r.bucketStart());
      ps.setString(2, SqlText.clean(r.appid()));
      ps.setString(3, SqlText.clean(r.code()));
      ps.setLong(4, r.wecomJoins());
      ps.setLong(5, r.attributedJoins());
      ps.setLong(6, r.unattributedJoins());
      dialect.bindTimestamp(ps, 7, r.updatedAt());
    }
  }

  /** Binds a {@link DeadLetter} to {@link #DEAD_LETTER_INSERT}. */
  public static final class DeadLetterBinder implements JdbcStatementBuilder<DeadLetter> {
    private static final long serialVersionUID = 1L;
    private final SqlDialect dialect;

    public DeadLetterBinder(SqlDialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
    }

    @Override
    public void accept(PreparedStatement ps, DeadLetter d) throws SQLException {
      ps.setString(1, SqlText.clean(d.reason()));
      ps.setString(2, SqlText.clean(d.payload()));
      ps.setString(3, SqlText.clean(d.source()));
      dialect.bindTimestamp(ps, 4, d.recordedAt());
    }
  }
}
