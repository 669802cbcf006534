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
import java.io.Serializable;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;

/**
 * The write statements of the job's tables, each made from one list of its columns: the statement
 * text and the binding of a row to its parameters come from the same list, so they cannot drift
 * apart. The text is the same for PostgreSQL and SQLite (both have {@code INSERT … ON CONFLICT … DO
 * UPDATE} with {@code excluded}); only time columns bind differently, which {@link SqlDialect}
 * does. Columns and binders are serializable and hold nothing but the dialect, so Flink can ship
 * them.
 */
public final class RowStatements {

  /** A row's value of a column, as Flink ships it. */
  @FunctionalInterface
  public interface Value<T, V> extends Serializable {
    V of(T row);
  }

  /** A row's {@code long} value of a column (not boxed: most columns are). */
  @FunctionalInterface
  public interface LongValue<T> extends Serializable {
    long of(T row);
  }

  /** A row's {@code int} value of a column. */
  @FunctionalInterface
  public interface IntValue<T> extends Serializable {
    int of(T row);
  }

  /** Binds one column's value of a row to the parameter {@code index}. */
  @FunctionalInterface
  interface Bind<T> extends Serializable {
    void bind(SqlDialect dialect, PreparedStatement ps, int index, T row) throws SQLException;
  }

  /** A column of a table: its name and how a row's value is bound to it. */
  record Column<T>(String name, Bind<T> bind) implements Serializable {}

  /** A table's write statement and the columns its parameters bind, in order. */
  public record Statement<T>(String sql, List<Column<T>> columns) implements Serializable {

    /** Binds a row to {@link #sql}: every column in order, times as {@code dialect} keeps them. */
    public JdbcStatementBuilder<T> binder(SqlDialect dialect) {
      Objects.requireNonNull(dialect, "dialect");
      List<Column<T>> cols = columns;
      return (ps, row) -> {
        for (int i = 0; i < cols.size(); i++) {
          cols.get(i).bind().bind(dialect, ps, i + 1, row);
        }
      };
    }
  }

  /** Rows hold totals: a later write of a key replaces every value column (docs/tables.md). */
  public static final Statement<FunnelRow> FUNNEL =
      upsert(
          "code_funnel_hourly",
          hourKey(FunnelRow::bucketStart, FunnelRow::appid, FunnelRow::code),
          List.of(
              bigint("sessions", FunnelRow::sessions),
              bigint("exposed", FunnelRow::exposed),
              bigint("long_pressed", FunnelRow::longPressed),
              bigint("joined", FunnelRow::joined),
              updatedAt(FunnelRow::updatedAt)));

  public static final Statement<EventRow> EVENT =
      upsert(
          "code_event_hourly",
          concat(
              hourKey(EventRow::bucketStart, EventRow::appid, EventRow::code),
              List.of(text("event_id", EventRow::eventId))),
          List.of(bigint("events", EventRow::events), updatedAt(EventRow::updatedAt)));

  public static final Statement<DwellRow> DWELL =
      upsert(
          "code_dwell_hourly",
          hourKey(DwellRow::bucketStart, DwellRow::appid, DwellRow::code),
          List.of(
              bigint("events", DwellRow::events),
              bigint("total_s", DwellRow::totalS),
              integer("max_s", DwellRow::maxS),
              integer("p50_s", DwellRow::p50S),
              integer("p90_s", DwellRow::p90S),
              integer("p99_s", DwellRow::p99S),
              updatedAt(DwellRow::updatedAt)));

  public static final Statement<BreakdownRow> BREAKDOWN =
      upsert(
          "code_funnel_breakdown_hourly",
          concat(
              hourKey(BreakdownRow::bucketStart, BreakdownRow::appid, BreakdownRow::code),
              List.of(
                  integer("device_type", BreakdownRow::deviceType),
                  integer("account_type", BreakdownRow::accountType),
                  integer("media_type", BreakdownRow::mediaType))),
          List.of(
              bigint("sessions", BreakdownRow::sessions),
              bigint("exposed", BreakdownRow::exposed),
              bigint("long_pressed", BreakdownRow::longPressed),
              bigint("joined", BreakdownRow::joined),
              updatedAt(BreakdownRow::updatedAt)));

  public static final Statement<UsersDailyRow> USERS_DAILY =
      upsert(
          "code_users_daily",
          dayKey(UsersDailyRow::day, UsersDailyRow::appid, UsersDailyRow::code),
          List.of(
              bigint("users", UsersDailyRow::users),
              bigint("exposed_users", UsersDailyRow::exposedUsers),
              bigint("long_pressed_users", UsersDailyRow::longPressedUsers),
              bigint("joined_users", UsersDailyRow::joinedUsers),
              updatedAt(UsersDailyRow::updatedAt)));

  public static final Statement<ConvertTimeRow> CONVERT_TIME =
      upsert(
          "code_convert_time_hourly",
          hourKey(ConvertTimeRow::bucketStart, ConvertTimeRow::appid, ConvertTimeRow::code),
          convertTimes(ConvertTimeRow::times, ConvertTimeRow::updatedAt));

  public static final Statement<ConvertTimeDailyRow> CONVERT_TIME_DAILY =
      upsert(
          "code_convert_time_daily",
          dayKey(ConvertTimeDailyRow::day, ConvertTimeDailyRow::appid, ConvertTimeDailyRow::code),
          convertTimes(ConvertTimeDailyRow::times, ConvertTimeDailyRow::updatedAt));

  public static final Statement<JoinRow> JOIN =
      upsert(
          "code_join_hourly",
          hourKey(JoinRow::bucketStart, JoinRow::appid, JoinRow::code),
          List.of(
              bigint("wecom_joins", JoinRow::wecomJoins),
              bigint("attributed_joins", JoinRow::attributedJoins),
              bigint("unattributed_joins", JoinRow::unattributedJoins),
              updatedAt(JoinRow::updatedAt)));

  /** A replayed dead letter (same source and reason) is already recorded: the first one stays. */
  public static final Statement<DeadLetter> DEAD_LETTER;

  static {
    List<Column<DeadLetter>> columns =
        List.of(
            text("reason", DeadLetter::reason),
            text("payload", DeadLetter::payload),
            text("source", DeadLetter::source),
            timestamp("recorded_at", DeadLetter::recordedAt));
    DEAD_LETTER =
        new Statement<>(
            insert("dead_letter_events", columns) + " ON CONFLICT (source, reason) DO NOTHING",
            columns);
  }

  private RowStatements() {}

  /**
   * {@code INSERT … ON CONFLICT (key) DO UPDATE SET v = excluded.v, …}: the key's columns, then the
   * value columns, each of which a later write of the key replaces.
   */
  static <T> Statement<T> upsert(String table, List<Column<T>> key, List<Column<T>> values) {
    List<Column<T>> all = concat(key, values);
    return new Statement<>(
        insert(table, all)
            + " ON CONFLICT ("
            + names(key)
            + ") DO UPDATE SET"
            + values.stream()
                .map(c -> " " + c.name() + " = excluded." + c.name())
                .collect(Collectors.joining(",")),
        all);
  }

  private static <T> String insert(String table, List<Column<T>> columns) {
    return "INSERT INTO "
        + table
        + " ("
        + names(columns)
        + ") VALUES ("
        + String.join(", ", Collections.nCopies(columns.size(), "?"))
        + ")";
  }

  private static <T> String names(List<Column<T>> columns) {
    return columns.stream().map(Column::name).collect(Collectors.joining(", "));
  }

  private static <T> List<Column<T>> concat(List<Column<T>> a, List<Column<T>> b) {
    List<Column<T>> all = new ArrayList<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }

  /** The key of an hourly row: its hour, appid and code. */
  private static <T> List<Column<T>> hourKey(
      LongValue<T> bucketStart, Value<T, String> appid, Value<T, String> code) {
    return List.of(
        timestamp("bucket_start", bucketStart), text("appid", appid), text("code", code));
  }

  /** The key of a daily row: its day (in the job's time zone), appid and code. */
  private static <T> List<Column<T>> dayKey(
      IntValue<T> day, Value<T, String> appid, Value<T, String> code) {
    return List.of(
        new Column<>("day", (d, ps, i, r) -> d.bindDate(ps, i, day.of(r))),
        text("appid", appid),
        text("code", code));
  }

  /** The value columns of a convert-time row: counts, and percentiles in seconds or NULL. */
  private static <T> List<Column<T>> convertTimes(
      Value<T, ConvertTimes> times, LongValue<T> updatedAt) {
    return List.of(
        bigint("pressed_sessions", r -> times.of(r).pressedSessions()),
        seconds("press_p50_s", r -> times.of(r).pressP50Ms()),
        seconds("press_p90_s", r -> times.of(r).pressP90Ms()),
        seconds("press_p99_s", r -> times.of(r).pressP99Ms()),
        bigint("joined_sessions", r -> times.of(r).joinedSessions()),
        seconds("join_p50_s", r -> times.of(r).joinP50Ms()),
        seconds("join_p90_s", r -> times.of(r).joinP90Ms()),
        seconds("join_p99_s", r -> times.of(r).joinP99Ms()),
        updatedAt(updatedAt));
  }

  private static <T> Column<T> updatedAt(LongValue<T> value) {
    return timestamp("updated_at", value);
  }

  private static <T> Column<T> timestamp(String name, LongValue<T> value) {
    return new Column<>(name, (d, ps, i, r) -> d.bindTimestamp(ps, i, value.of(r)));
  }

  /** Text with what the databases refuse (NUL, lone surrogates) replaced ({@link SqlText}). */
  private static <T> Column<T> text(String name, Value<T, String> value) {
    return new Column<>(name, (d, ps, i, r) -> ps.setString(i, SqlText.clean(value.of(r))));
  }

  private static <T> Column<T> bigint(String name, LongValue<T> value) {
    return new Column<>(name, (d, ps, i, r) -> ps.setLong(i, value.of(r)));
  }

  private static <T> Column<T> integer(String name, IntValue<T> value) {
    return new Column<>(name, (d, ps, i, r) -> ps.setInt(i, value.of(r)));
  }

  /** Milliseconds bound as seconds with millisecond precision; none as NULL. */
  private static <T> Column<T> seconds(String name, Value<T, Long> ms) {
    return new Column<>(
        name,
        (d, ps, i, r) -> {
          Long v = ms.of(r);
          if (v == null) {
            ps.setNull(i, Types.DOUBLE);
          } else {
            ps.setDouble(i, v / 1000.0);
          }
        });
  }
}
