package io.upbot.job.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.BreakdownRow;
import io.upbot.job.model.ConvertTimeDailyRow;
import io.upbot.job.model.ConvertTimes;
import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.DwellRow;
import io.upbot.job.model.EventRow;
import io.upbot.job.model.FunnelRow;
import io.upbot.job.sink.RecordingStatement.Bound;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class RowStatementsTest {

  private static final long BUCKET_2023_11_06_16H =
      Instant.parse("2023-11-06T16:00:00Z").toEpochMilli();
  private static final long WRITTEN_AT = Instant.parse("2023-11-06T16:20:05.678Z").toEpochMilli();
  private static final OffsetDateTime PG_BUCKET = OffsetDateTime.parse("2023-11-06T16:00:00Z");
  private static final OffsetDateTime PG_WRITTEN = OffsetDateTime.parse("2023-11-06T16:20:05.678Z");

  private static <T> Map<Integer, Bound> bind(JdbcStatementBuilder<T> builder, T row)
      throws Exception {
    RecordingStatement rec = new RecordingStatement();
    builder.accept(rec.statement, row);
    return rec.bound;
  }

  @Test
  void shouldBindFunnelRowInColumnOrderWithUtcTimestampsOnPostgres() throws Exception {
    FunnelRow row = new FunnelRow(BUCKET_2023_11_06_16H, "wx1", "IsFX", 7, 6, 3, 1, WRITTEN_AT);

    assertThat(bind(RowStatements.FUNNEL.binder(SqlDialect.POSTGRES), row))
        .containsExactly(
            Map.entry(1, new Bound("setObject", PG_BUCKET)),
            Map.entry(2, new Bound("setString", "wx1")),
            Map.entry(3, new Bound("setString", "IsFX")),
            Map.entry(4, new Bound("setLong", 7L)),
            Map.entry(5, new Bound("setLong", 6L)),
            Map.entry(6, new Bound("setLong", 3L)),
            Map.entry(7, new Bound("setLong", 1L)),
            Map.entry(8, new Bound("setObject", PG_WRITTEN)));
    OffsetDateTime bucket =
        (OffsetDateTime) bind(RowStatements.FUNNEL.binder(SqlDialect.POSTGRES), row).get(1).value();
    assertThat(bucket.getOffset()).isEqualTo(ZoneOffset.UTC);
  }

  @Test
  void shouldBindFunnelRowTimesAsUtcTextOnSqlite() throws Exception {
    FunnelRow row = new FunnelRow(BUCKET_2023_11_06_16H, "wx1", "", 1, 0, 0, 0, WRITTEN_AT);

    Map<Integer, Bound> bound = bind(RowStatements.FUNNEL.binder(SqlDialect.SQLITE), row);

    assertThat(bound.get(1)).isEqualTo(new Bound("setString", "2023-11-06 16:00:00"));
    assertThat(bound.get(3)).isEqualTo(new Bound("setString", ""));
    assertThat(bound.get(8)).isEqualTo(new Bound("setString", "2023-11-06 16:20:05"));
    assertThat(bound).hasSize(8);
  }

  @Test
  void shouldBindEventRowWithEventId() throws Exception {
    EventRow row = new EventRow(BUCKET_2023_11_06_16H, "wx1", "IsFX", "1110201", 42, WRITTEN_AT);

    assertThat(bind(RowStatements.EVENT.binder(SqlDialect.SQLITE), row))
        .containsExactly(
            Map.entry(1, new Bound("setString", "2023-11-06 16:00:00")),
            Map.entry(2, new Bound("setString", "wx1")),
            Map.entry(3, new Bound("setString", "IsFX")),
            Map.entry(4, new Bound("setString", "1110201")),
            Map.entry(5, new Bound("setLong", 42L)),
            Map.entry(6, new Bound("setString", "2023-11-06 16:20:05")));
  }

  @Test
  void shouldBindDwellRowTotalsAndPercentiles() throws Exception {
    DwellRow row =
        new DwellRow(BUCKET_2023_11_06_16H, "wx1", "IsFX", 5, 120, 60, 20, 55, 60, WRITTEN_AT);

    assertThat(bind(RowStatements.DWELL.binder(SqlDialect.POSTGRES), row))
        .containsExactly(
            Map.entry(1, new Bound("setObject", PG_BUCKET)),
            Map.entry(2, new Bound("setString", "wx1")),
            Map.entry(3, new Bound("setString", "IsFX")),
            Map.entry(4, new Bound("setLong", 5L)),
            Map.entry(5, new Bound("setLong", 120L)),
            Map.entry(6, new Bound("setInt", 60)),
            Map.entry(7, new Bound("setInt", 20)),
            Map.entry(8, new Bound("setInt", 55)),
            Map.entry(9, new Bound("setInt", 60)),
            Map.entry(10, new Bound("setObject", PG_WRITTEN)));
  }

  @Test
  void shouldBindDeadLetterWithNulReplacedSoPostgresAcceptsIt() throws Exception {
    DeadLetter letter =
        new DeadLetter(
            DeadLetter.MALFORMED, "{\"v\":1\u0000}", "upbot.media-events/2/17", WRITTEN_AT);

    assertThat(bind(RowStatements.DEAD_LETTER.binder(SqlDialect.POSTGRES), letter))
        .containsExactly(
            Map.entry(1, new Bound("setString", "malformed")),
            Map.entry(2, new Bound("setString", "{\"v\":1\uFFFD}")),
            Map.entry(3, new Bound("setString", "upbot.media-events/2/17")),
            Map.entry(4, new Bound("setObject", PG_WRITTEN)));
  }

  @Test
  void shouldReplaceNulInKeyColumnsToo() throws Exception {
    EventRow row =
        new EventRow(BUCKET_2023_11_06_16H, "a\u0000b", "c\u0000", "e\u0000", 1, WRITTEN_AT);

    Map<Integer, Bound> bound = bind(RowStatements.EVENT.binder(SqlDialect.POSTGRES), row);

    assertThat(bound.get(2).value()).isEqualTo("a\uFFFDb");
    assertThat(bound.get(3).value()).isEqualTo("c\uFFFD");
    assertThat(bound.get(4).value()).isEqualTo("e\uFFFD");
  }

  @Test
  void shouldSurviveJavaSerialisationAsFlinkShipsThem() throws Exception {
    FunnelRow row = new FunnelRow(BUCKET_2023_11_06_16H, "wx1", "IsFX", 1, 1, 0, 0, WRITTEN_AT);
    JdbcStatementBuilder<FunnelRow> copy =
        InstantiationUtil.clone(RowStatements.FUNNEL.binder(SqlDialect.SQLITE));

    assertThat(bind(copy, row).get(1)).isEqualTo(new Bound("setString", "2023-11-06 16:00:00"));
    assertThat(InstantiationUtil.clone(RowStatements.EVENT.binder(SqlDialect.POSTGRES)))
        .isNotNull();
    assertThat(InstantiationUtil.clone(RowStatements.DWELL.binder(SqlDialect.POSTGRES)))
        .isNotNull();
    assertThat(InstantiationUtil.clone(RowStatements.DEAD_LETTER.binder(SqlDialect.SQLITE)))
        .isNotNull();
  }

  @Test
  void shouldUpsertEveryValueColumnAndNeverTheKey() {
    assertThat(RowStatements.FUNNEL.sql())
        .contains("ON CONFLICT (bucket_start, appid, code) DO UPDATE SET")
        .contains("sessions = excluded.sessions", "exposed = excluded.exposed")
        .contains("long_pressed = excluded.long_pressed", "joined = excluded.joined")
        .contains("updated_at = excluded.updated_at")
        .doesNotContain("appid = excluded", "code = excluded", "bucket_start = excluded");
    assertThat(RowStatements.DEAD_LETTER.sql()).endsWith("ON CONFLICT (source, reason) DO NOTHING");
  }

  @Test
  void shouldWriteEveryTableWithTheStatementItsHandWrittenTextHad() {
    // The statements as they were written out by hand before they were made from column lists.
    List<Map.Entry<String, String>> made =
        List.of(
            Map.entry(
                RowStatements.FUNNEL.sql(),
                "INSERT INTO code_funnel_hourly (bucket_start, appid, code, sessions, "
                    + "exposed, long_pressed, joined, updated_at) VALUES (?, ?, ?, ?, ?, ?, "
                    + "?, ?) ON CONFLICT (bucket_start, appid, code) DO UPDATE SET sessions = "
                    + "excluded.sessions, exposed = excluded.exposed, long_pressed = "
                    + "excluded.long_pressed, joined = excluded.joined, updated_at = "
                    + "excluded.updated_at"),
            Map.entry(
                RowStatements.EVENT.sql(),
                "INSERT INTO code_event_hourly (bucket_start, appid, code, event_id, "
                    + "events, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT "
                    + "(bucket_start, appid, code, event_id) DO UPDATE SET events = "
                    + "excluded.events, updated_at = excluded.updated_at"),
            Map.entry(
                RowStatements.DWELL.sql(),
                "INSERT INTO code_dwell_hourly (bucket_start, appid, code, events, "
                    + "total_s, max_s, p50_s, p90_s, p99_s, updated_at) VALUES (?, ?, ?, ?, "
                    + "?, ?, ?, ?, ?, ?) ON CONFLICT (bucket_start, appid, code) DO UPDATE "
                    + "SET events = excluded.events, total_s = excluded.total_s, max_s = "
                    + "excluded.max_s, p50_s = excluded.p50_s, p90_s = excluded.p90_s, p99_s "
                    + "= excluded.p99_s, updated_at = excluded.updated_at"),
            Map.entry(
                RowStatements.BREAKDOWN.sql(),
                "INSERT INTO code_funnel_breakdown_hourly (bucket_start, appid, code, "
                    + "device_type, account_type, media_type, sessions, exposed, "
                    + "long_pressed, joined, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                    + "?, ?) ON CONFLICT (bucket_start, appid, code, device_type, "
                    + "account_type, media_type) DO UPDATE SET sessions = excluded.sessions, "
                    + "exposed = excluded.exposed, long_pressed = excluded.long_pressed, "
                    + "joined = excluded.joined, updated_at = excluded.updated_at"),
            Map.entry(
                RowStatements.USERS_DAILY.sql(),
                "INSERT INTO code_users_daily (day, appid, code, users, exposed_users, "
                    + "long_pressed_users, joined_users, updated_at) VALUES (?, ?, ?, ?, ?, "
                    + "?, ?, ?) ON CONFLICT (day, appid, code) DO UPDATE SET users = "
                    + "excluded.users, exposed_users = excluded.exposed_users, "
                    + "long_pressed_users = excluded.long_pressed_users, joined_users = "
                    + "excluded.joined_users, updated_at = excluded.updated_at"),
            Map.entry(
                RowStatements.CONVERT_TIME.sql(),
                "INSERT INTO code_convert_time_hourly (bucket_start, appid, code, "
                    + "pressed_sessions, press_p50_s, press_p90_s, press_p99_s, "
                    + "joined_sessions, join_p50_s, join_p90_s, join_p99_s, updated_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (bucket_start, "
                    + "appid, code) DO UPDATE SET pressed_sessions = "
                    + "excluded.pressed_sessions, press_p50_s = excluded.press_p50_s, "
                    + "press_p90_s = excluded.press_p90_s, press_p99_s = "
                    + "excluded.press_p99_s, joined_sessions = excluded.joined_sessions, "
                    + "join_p50_s = excluded.join_p50_s, join_p90_s = excluded.join_p90_s, "
                    + "join_p99_s = excluded.join_p99_s, updated_at = excluded.updated_at"),
            Map.entry(
                RowStatements.CONVERT_TIME_DAILY.sql(),
                "INSERT INTO code_convert_time_daily (day, appid, code, "
                    + "pressed_sessions, press_p50_s, press_p90_s, press_p99_s, "
                    + "joined_sessions, join_p50_s, join_p90_s, join_p99_s, updated_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day, appid, "
                    + "code) DO UPDATE SET pressed_sessions = excluded.pressed_sessions, "
                    + "press_p50_s = excluded.press_p50_s, press_p90_s = "
                    + "excluded.press_p90_s, press_p99_s = excluded.press_p99_s, "
                    + "joined_sessions = excluded.joined_sessions, join_p50_s = "
                    + "excluded.join_p50_s, join_p90_s = excluded.join_p90_s, join_p99_s = "
                    + "excluded.join_p99_s, updated_at = excluded.updated_at"),
            Map.entry(
                RowStatements.JOIN.sql(),
                "INSERT INTO code_join_hourly (bucket_start, appid, code, wecom_joins, "
                    + "attributed_joins, unattributed_joins, updated_at) VALUES (?, ?, ?, ?, "
                    + "?, ?, ?) ON CONFLICT (bucket_start, appid, code) DO UPDATE SET "
                    + "wecom_joins = excluded.wecom_joins, attributed_joins = "
                    + "excluded.attributed_joins, unattributed_joins = "
                    + "excluded.unattributed_joins, updated_at = excluded.updated_at"),
            Map.entry(
                RowStatements.DEAD_LETTER.sql(),
                "INSERT INTO dead_letter_events (reason, payload, source, recorded_at) "
                    + "VALUES (?, ?, ?, ?) ON CONFLICT (source, reason) DO NOTHING"));

    for (Map.Entry<String, String> e : made) {
      assertThat(e.getKey()).isEqualTo(e.getValue());
    }
  }

  @Test
  void shouldBindBreakdownDimensionsAfterTheHourAppidAndCode() throws Exception {
    BreakdownRow row =
        new BreakdownRow(BUCKET_2023_11_06_16H, "wx1", "IsFX", 2, 1, 3, 9, 8, 7, 6, WRITTEN_AT);

    assertThat(bind(RowStatements.BREAKDOWN.binder(SqlDialect.SQLITE), row))
        .containsExactly(
            Map.entry(1, new Bound("setString", "2023-11-06 16:00:00")),
            Map.entry(2, new Bound("setString", "wx1")),
            Map.entry(3, new Bound("setString", "IsFX")),
            Map.entry(4, new Bound("setInt", 2)),
            Map.entry(5, new Bound("setInt", 1)),
            Map.entry(6, new Bound("setInt", 3)),
            Map.entry(7, new Bound("setLong", 9L)),
            Map.entry(8, new Bound("setLong", 8L)),
            Map.entry(9, new Bound("setLong", 7L)),
            Map.entry(10, new Bound("setLong", 6L)),
            Map.entry(11, new Bound("setString", "2023-11-06 16:20:05")));
  }

  @Test
  void shouldBindConvertTimesAsSecondsOrNullAfterTheDay() throws Exception {
    ConvertTimeDailyRow row =
        new ConvertTimeDailyRow(
            (int) LocalDate.parse("2023-11-07").toEpochDay(),
            "wx1",
            "IsFX",
            new ConvertTimes(3, 1500L, 2000L, 2500L, 0, null, null, null),
            WRITTEN_AT);

    assertThat(bind(RowStatements.CONVERT_TIME_DAILY.binder(SqlDialect.POSTGRES), row))
        .containsExactly(
            Map.entry(1, new Bound("setObject", LocalDate.parse("2023-11-07"))),
            Map.entry(2, new Bound("setString", "wx1")),
            Map.entry(3, new Bound("setString", "IsFX")),
            Map.entry(4, new Bound("setLong", 3L)),
            Map.entry(5, new Bound("setDouble", 1.5)),
            Map.entry(6, new Bound("setDouble", 2.0)),
            Map.entry(7, new Bound("setDouble", 2.5)),
            Map.entry(8, new Bound("setLong", 0L)),
            Map.entry(9, new Bound("setNull", Types.DOUBLE)),
            Map.entry(10, new Bound("setNull", Types.DOUBLE)),
            Map.entry(11, new Bound("setNull", Types.DOUBLE)),
            Map.entry(12, new Bound("setObject", PG_WRITTEN)));
  }
}
