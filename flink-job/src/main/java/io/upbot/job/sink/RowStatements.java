package io.upbot.job.sink;

import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.DwellRow;
import io.upbot.job.model.EventRow;
import io.upbot.job.model.FunnelRow;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Objects;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;

/**
 * The write statements of the four tables and the builders that bind a row to them. The statement
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
