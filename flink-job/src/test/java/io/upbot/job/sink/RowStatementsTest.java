package io.upbot.job.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.DwellRow;
import io.upbot.job.model.EventRow;
import io.upbot.job.model.FunnelRow;
import io.upbot.job.sink.RecordingStatement.Bound;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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

    assertThat(bind(new RowStatements.FunnelBinder(SqlDialect.POSTGRES), row))
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
        (OffsetDateTime)
            bind(new RowStatements.FunnelBinder(SqlDialect.POSTGRES), row).get(1).value();
    assertThat(bucket.getOffset()).isEqualTo(ZoneOffset.UTC);
  }

  @Test
  void shouldBindFunnelRowTimesAsUtcTextOnSqlite() throws Exception {
    FunnelRow row = new FunnelRow(BUCKET_2023_11_06_16H, "wx1", "", 1, 0, 0, 0, WRITTEN_AT);

    Map<Integer, Bound> bound = bind(new RowStatements.FunnelBinder(SqlDialect.SQLITE), row);

    assertThat(bound.get(1)).isEqualTo(new Bound("setString", "2023-11-06 16:00:00"));
    assertThat(bound.get(3)).isEqualTo(new Bound("setString", ""));
    assertThat(bound.get(8)).isEqualTo(new Bound("setString", "2023-11-06 16:20:05"));
    assertThat(bound).hasSize(8);
  }

  @Test
  void shouldBindEventRowWithEventId() throws Exception {
    EventRow row = new EventRow(BUCKET_2023_11_06_16H, "wx1", "IsFX", "1110201", 42, WRITTEN_AT);

    assertThat(bind(new RowStatements.EventBinder(SqlDialect.SQLITE), row))
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

    assertThat(bind(new RowStatements.DwellBinder(SqlDialect.POSTGRES), row))
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

    assertThat(bind(new RowStatements.DeadLetterBinder(SqlDialect.POSTGRES), letter))
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

    Map<Integer, Bound> bound = bind(new RowStatements.EventBinder(SqlDialect.POSTGRES), row);

    assertThat(bound.get(2).value()).isEqualTo("a\uFFFDb");
    assertThat(bound.get(3).value()).isEqualTo("c\uFFFD");
    assertThat(bound.get(4).value()).isEqualTo("e\uFFFD");
  }

  @Test
  void shouldSurviveJavaSerialisationAsFlinkShipsThem() throws Exception {
    FunnelRow row = new FunnelRow(BUCKET_2023_11_06_16H, "wx1", "IsFX", 1, 1, 0, 0, WRITTEN_AT);
    RowStatements.FunnelBinder copy =
        InstantiationUtil.clone(new RowStatements.FunnelBinder(SqlDialect.SQLITE));

    assertThat(bind(copy, row).get(1)).isEqualTo(new Bound("setString", "2023-11-06 16:00:00"));
    assertThat(InstantiationUtil.clone(new RowStatements.EventBinder(SqlDialect.POSTGRES)))
        .isNotNull();
    assertThat(InstantiationUtil.clone(new RowStatements.DwellBinder(SqlDialect.POSTGRES)))
        .isNotNull();
    assertThat(InstantiationUtil.clone(new RowStatements.DeadLetterBinder(SqlDialect.SQLITE)))
        .isNotNull();
  }

  @Test
  void shouldUpsertEveryValueColumnAndNeverTheKey() {
    assertThat(RowStatements.FUNNEL_UPSERT)
        .contains("ON CONFLICT (bucket_start, appid, code) DO UPDATE SET")
        .contains("sessions = excluded.sessions", "exposed = excluded.exposed")
        .contains("long_pressed = excluded.long_pressed", "joined = excluded.joined")
        .contains("updated_at = excluded.updated_at")
        .doesNotContain("appid = excluded", "code = excluded", "bucket_start = excluded");
    assertThat(RowStatements.DEAD_LETTER_INSERT)
        .endsWith("ON CONFLICT (source, reason) DO NOTHING");
  }
}
