package io.upbot.job.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.upbot.job.JobSinks;
import io.upbot.job.database.SchemaInstaller;
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
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * What the schema, the sinks and the views must do in every supported database; each dialect's
 * {@code *ITCase} runs these against a real database and a Flink MiniCluster.
 */
abstract class TableSinksScenarios {

  static final long H16 = ms("2023-11-06T16:00:00Z");
  static final long H17 = ms("2023-11-06T17:00:00Z");
  static final long FIRST_WRITE = ms("2023-11-06T17:05:00Z");
  static final long SECOND_WRITE = ms("2023-11-06T18:00:00Z");

  static final String TOPIC = "upbot.media-events";

  private static final Set<String> TIME_COLUMNS =
      Set.of("bucket_start", "updated_at", "recorded_at");

  /** Settings (default zone) for this test's fresh, empty database. */
  abstract JdbcSettings settings();

  static long ms(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  SqlDialect dialect() {
    return settings().dialect();
  }

  // ---------------------------------------------------------------------------------------------
  // Schema

  @Test
  void shouldInstallSchemaTwiceKeepingRows() throws Exception {
    SchemaInstaller.install(settings());
    insert(
        RowStatements.FUNNEL.sql(),
        RowStatements.FUNNEL.binder(dialect()),
        new FunnelRow(H16, "wx1", "IsFX", 5, 4, 2, 1, FIRST_WRITE));

    SchemaInstaller.install(settings());

    assertThat(query("SELECT * FROM code_funnel_hourly"))
        .containsExactly("2023-11-06T16:00:00Z|wx1|IsFX|5|4|2|1|2023-11-06T17:05:00Z");
    for (String relation :
        List.of(
            "code_event_hourly",
            "code_dwell_hourly",
            "dead_letter_events",
            "code_funnel_daily",
            "code_dwell_daily",
            "code_event_daily")) {
      assertThat(query("SELECT count(*) FROM " + relation))
          .as(relation)
          .containsExactly(relation.equals("code_funnel_daily") ? "1" : "0");
    }
  }

  @Test
  void shouldRejectRowsWhoseBucketIsNotAWholeHour() throws Exception {
    SchemaInstaller.install(settings());
    FunnelRow offHour = new FunnelRow(H16 + 60_000, "wx1", "IsFX", 1, 1, 0, 0, FIRST_WRITE);

    Throwable rejected =
        catchThrowable(
            () ->
                insert(
                    RowStatements.FUNNEL.sql(), RowStatements.FUNNEL.binder(dialect()), offHour));

    assertThat(rejected).isInstanceOf(SQLException.class);
    assertThat(query("SELECT count(*) FROM code_funnel_hourly")).containsExactly("0");
  }

  // ---------------------------------------------------------------------------------------------
  // Sinks

  @Test
  void shouldUpsertTotalsThroughFlinkSinksAndKeepReplayedDeadLettersSingle() throws Exception {
    SchemaInstaller.install(settings());

    runPipeline(
        List.of(
            new FunnelRow(H16, "wx1", "IsFX", 5, 4, 2, 1, FIRST_WRITE),
            new FunnelRow(H16, "wx1", "", 3, 1, 0, 0, FIRST_WRITE),
            new FunnelRow(H17, "wx2", "IsFX", 1, 1, 1, 1, FIRST_WRITE)),
        List.of(
            new EventRow(H16, "wx1", "IsFX", "1110201", 4, FIRST_WRITE),
            new EventRow(H16, "wx1", "IsFX", "1110204", 2, FIRST_WRITE)),
        List.of(new DwellRow(H16, "wx1", "IsFX", 3, 90, 60, 20, 60, 60, FIRST_WRITE)),
        List.of(
            new DeadLetter(
                DeadLetter.LATE, "{\"v\":1,\"appid\":\"wx1\"}", TOPIC + "/0/10", FIRST_WRITE),
            new DeadLetter(
                DeadLetter.MALFORMED, "bad\u0000json\uFFFD", TOPIC + "/1/3", FIRST_WRITE)));

    assertThat(query("SELECT * FROM code_funnel_hourly ORDER BY bucket_start, appid, code"))
        .containsExactly(
            "2023-11-06T16:00:00Z|wx1||3|1|0|0|2023-11-06T17:05:00Z",
            "2023-11-06T16:00:00Z|wx1|IsFX|5|4|2|1|2023-11-06T17:05:00Z",
            "2023-11-06T17:00:00Z|wx2|IsFX|1|1|1|1|2023-11-06T17:05:00Z");
    assertThat(query("SELECT * FROM code_event_hourly ORDER BY event_id"))
        .containsExactly(
            "2023-11-06T16:00:00Z|wx1|IsFX|1110201|4|2023-11-06T17:05:00Z",
            "2023-11-06T16:00:00Z|wx1|IsFX|1110204|2|2023-11-06T17:05:00Z");
    assertThat(query("SELECT * FROM code_dwell_hourly"))
        .containsExactly("2023-11-06T16:00:00Z|wx1|IsFX|3|90|60|20|60|60|2023-11-06T17:05:00Z");
    assertThat(query(DEAD_LETTERS))
        .containsExactly(
            "late|{\"v\":1,\"appid\":\"wx1\"}|upbot.media-events/0/10|2023-11-06T17:05:00Z",
            "malformed|bad\uFFFDjson\uFFFD|upbot.media-events/1/3|2023-11-06T17:05:00Z");

    // A replay with newer totals for some keys: those are overwritten, the others stay as they
    // were.
    runPipeline(
        List.of(new FunnelRow(H16, "wx1", "IsFX", 6, 5, 3, 2, SECOND_WRITE)),
        List.of(
            new EventRow(H16, "wx1", "IsFX", "1110201", 5, SECOND_WRITE),
            new EventRow(H17, "wx1", "IsFX", "1110205", 1, SECOND_WRITE)),
        List.of(new DwellRow(H16, "wx1", "IsFX", 4, 100, 60, 10, 60, 60, SECOND_WRITE)),
        List.of(
            new DeadLetter(
                DeadLetter.LATE, "{\"v\":1,\"appid\":\"wx1\"}", TOPIC + "/0/10", SECOND_WRITE),
            new DeadLetter(DeadLetter.MALFORMED, "other copy", TOPIC + "/1/3", SECOND_WRITE),
            new DeadLetter(DeadLetter.LATE, "{\"v\":1}", TOPIC + "/0/11", SECOND_WRITE)));

    assertThat(query("SELECT * FROM code_funnel_hourly ORDER BY bucket_start, appid, code"))
        .containsExactly(
            "2023-11-06T16:00:00Z|wx1||3|1|0|0|2023-11-06T17:05:00Z",
            "2023-11-06T16:00:00Z|wx1|IsFX|6|5|3|2|2023-11-06T18:00:00Z",
            "2023-11-06T17:00:00Z|wx2|IsFX|1|1|1|1|2023-11-06T17:05:00Z");
    assertThat(query("SELECT * FROM code_event_hourly ORDER BY bucket_start, event_id"))
        .containsExactly(
            "2023-11-06T16:00:00Z|wx1|IsFX|1110201|5|2023-11-06T18:00:00Z",
            "2023-11-06T16:00:00Z|wx1|IsFX|1110204|2|2023-11-06T17:05:00Z",
            "2023-11-06T17:00:00Z|wx1|IsFX|1110205|1|2023-11-06T18:00:00Z");
    assertThat(query("SELECT * FROM code_dwell_hourly"))
        .containsExactly("2023-11-06T16:00:00Z|wx1|IsFX|4|100|60|10|60|60|2023-11-06T18:00:00Z");
    // The first copy of a dead letter stays: a replay neither duplicates nor rewrites it.
    assertThat(query(DEAD_LETTERS))
        .containsExactly(
            "late|{\"v\":1,\"appid\":\"wx1\"}|upbot.media-events/0/10|2023-11-06T17:05:00Z",
            "late|{\"v\":1}|upbot.media-events/0/11|2023-11-06T18:00:00Z",
            "malformed|bad\uFFFDjson\uFFFD|upbot.media-events/1/3|2023-11-06T17:05:00Z");
    assertThat(query("SELECT count(DISTINCT id), count(*) FROM dead_letter_events"))
        .containsExactly("3|3");
  }

  @Test
  void shouldStoreOnlyTheFirst64KiBOfA1MiBDeadLetterPayloadAndSayItWasCut() throws Exception {
    SchemaInstaller.install(settings());
    // 1 MiB exactly, of 1-, 2-, 3- and 4-byte characters, so the cut meets every width.
    String payload = "{\"v\":" + "a\u00e9\u4e2d\ud83d\ude00".repeat(104_857) + "}";
    assertThat(payload.getBytes(StandardCharsets.UTF_8).length).isEqualTo(1024 * 1024);

    runPipeline(
        List.of(),
        List.of(),
        List.of(),
        List.of(new DeadLetter(DeadLetter.MALFORMED, payload, TOPIC + "/0/99", FIRST_WRITE)));

    List<String> stored = query("SELECT payload FROM dead_letter_events");
    assertThat(stored).hasSize(1);
    String marker = DeadLetter.CUT_MARKER + (1024 * 1024) + " UTF-8 bytes]";
    // Booleans: a failure message holding 1 MiB of text would say nothing more.
    assertThat(stored.get(0).endsWith(marker)).as("ends with the marker").isTrue();
    String kept = stored.get(0).substring(0, stored.get(0).length() - marker.length());
    assertThat(payload.startsWith(kept)).as("keeps the payload's beginning").isTrue();
    assertThat(stored.get(0).getBytes(StandardCharsets.UTF_8).length)
        .isBetween(DeadLetter.MAX_PAYLOAD_BYTES - 3, DeadLetter.MAX_PAYLOAD_BYTES);
  }

  static final int NOV6 = (int) LocalDate.parse("2023-11-06").toEpochDay();
  static final int NOV7 = (int) LocalDate.parse("2023-11-07").toEpochDay();
  static final long H15 = ms("2023-11-06T15:00:00Z");

  @Test
  void shouldUpsertTheGrowthTablesThroughFlinkSinksWithExactSecondsAndNullPercentiles()
      throws Exception {
    SchemaInstaller.install(settings());
    JobSinks sinks = TableSinks.create(settings());

    runRows(
        "breakdown",
        List.of(
            new BreakdownRow(H16, "wx1", "IsFX", 1, 2, 0, 3, 2, 1, 0, FIRST_WRITE),
            new BreakdownRow(H16, "wx1", "IsFX", 2, 2, 2, 1, 1, 1, 1, FIRST_WRITE)),
        sinks.breakdownRows());
    runRows(
        "users",
        List.of(new UsersDailyRow(NOV7, "wx1", "IsFX", 3, 2, 1, 0, FIRST_WRITE)),
        sinks.usersDailyRows());
    runRows(
        "convert",
        List.of(
            new ConvertTimeRow(
                H16,
                "wx1",
                "IsFX",
                new ConvertTimes(2, 1234L, 61_001L, 61_001L, 0, null, null, null),
                FIRST_WRITE)),
        sinks.convertTimeRows());
    runRows(
        "convert-daily",
        List.of(
            new ConvertTimeDailyRow(
                NOV7,
                "wx1",
                "IsFX",
                new ConvertTimes(2, 1234L, 61_001L, 61_001L, 1, 7L, 7L, 7L),
                FIRST_WRITE)),
        sinks.convertTimeDailyRows());

    assertThat(
            query(
                "SELECT * FROM code_funnel_breakdown_hourly"
                    + " ORDER BY device_type, account_type, media_type"))
        .containsExactly(
            "2023-11-06T16:00:00Z|wx1|IsFX|1|2|0|3|2|1|0|2023-11-06T17:05:00Z",
            "2023-11-06T16:00:00Z|wx1|IsFX|2|2|2|1|1|1|1|2023-11-06T17:05:00Z");
    assertThat(query("SELECT * FROM code_users_daily"))
        .containsExactly("2023-11-07|wx1|IsFX|3|2|1|0|2023-11-06T17:05:00Z");
    assertThat(query("SELECT * FROM code_convert_time_hourly"))
        .containsExactly(
            "2023-11-06T16:00:00Z|wx1|IsFX|2|1.234|61.001|61.001|0|null|null|null"
                + "|2023-11-06T17:05:00Z");
    assertThat(query("SELECT * FROM code_convert_time_daily"))
        .containsExactly(
            "2023-11-07|wx1|IsFX|2|1.234|61.001|61.001|1|0.007|0.007|0.007|2023-11-06T17:05:00Z");

    // Newer totals overwrite the rows: a session moved away leaves zeros and NULL percentiles.
    runRows(
        "convert",
        List.of(
            new ConvertTimeRow(
                H16,
                "wx1",
                "IsFX",
                new ConvertTimes(0, null, null, null, 0, null, null, null),
                SECOND_WRITE)),
        sinks.convertTimeRows());
    runRows(
        "users",
        List.of(new UsersDailyRow(NOV7, "wx1", "IsFX", 2, 2, 0, 0, SECOND_WRITE)),
        sinks.usersDailyRows());

    assertThat(query("SELECT * FROM code_convert_time_hourly"))
        .containsExactly(
            "2023-11-06T16:00:00Z|wx1|IsFX|0|null|null|null|0|null|null|null"
                + "|2023-11-06T18:00:00Z");
    assertThat(query("SELECT * FROM code_users_daily"))
        .containsExactly("2023-11-07|wx1|IsFX|2|2|0|0|2023-11-06T18:00:00Z");
  }

  @Test
  void shouldUpsertJoinTotalsSoTheLastWriteOfAnHourWins() throws Exception {
    SchemaInstaller.install(settings());
    JobSinks sinks = TableSinks.create(settings());

    runRows(
        "joins",
        List.of(
            new JoinRow(H16, "wx1", "IsFX", 3, 1, 0, FIRST_WRITE),
            new JoinRow(H15, "wx1", "IsFX", 1, 0, 1, FIRST_WRITE)),
        sinks.joinRows());
    runRows(
        "joins", List.of(new JoinRow(H16, "wx1", "IsFX", 4, 2, 1, SECOND_WRITE)), sinks.joinRows());

    assertThat(query("SELECT * FROM code_join_hourly ORDER BY bucket_start"))
        .containsExactly(
            "2023-11-06T15:00:00Z|wx1|IsFX|1|0|1|2023-11-06T17:05:00Z",
            "2023-11-06T16:00:00Z|wx1|IsFX|4|2|1|2023-11-06T18:00:00Z");
  }

  @Test
  void shouldSumBreakdownHoursPerShanghaiDayAndRateUsersPerStage() throws Exception {
    SchemaInstaller.install(settings());
    insert(
        RowStatements.BREAKDOWN.sql(),
        RowStatements.BREAKDOWN.binder(dialect()),
        // 23:00 on Nov 6 in Shanghai, then midnight and 01:00 of Nov 7
        new BreakdownRow(H15, "wx1", "IsFX", 1, 2, 0, 1, 1, 0, 0, FIRST_WRITE),
        new BreakdownRow(H16, "wx1", "IsFX", 1, 2, 0, 4, 4, 2, 1, FIRST_WRITE),
        new BreakdownRow(H17, "wx1", "IsFX", 1, 2, 0, 1, 1, 1, 0, FIRST_WRITE),
        new BreakdownRow(H17, "wx1", "IsFX", 2, 2, 0, 2, 0, 0, 0, FIRST_WRITE));
    insert(
        RowStatements.USERS_DAILY.sql(),
        RowStatements.USERS_DAILY.binder(dialect()),
        new UsersDailyRow(NOV6, "wx1", "IsFX", 5, 4, 2, 1, FIRST_WRITE),
        new UsersDailyRow(NOV7, "wx1", "IsFX", 1, 0, 0, 0, FIRST_WRITE));

    assertThat(
            query(
                "SELECT day, device_type, account_type, media_type, sessions, exposed,"
                    + " long_pressed, joined, exposed_to_long_pressed, long_pressed_to_joined,"
                    + " exposed_to_joined, time_zone FROM code_funnel_breakdown_daily"
                    + " ORDER BY day, device_type"))
        .containsExactly(
            "2023-11-06|1|2|0|1|1|0|0|0.0000|null|0.0000|Asia/Shanghai",
            "2023-11-07|1|2|0|5|5|3|1|0.6000|0.3333|0.2000|Asia/Shanghai",
            "2023-11-07|2|2|0|2|0|0|0|null|null|null|Asia/Shanghai");
    assertThat(
            query(
                "SELECT day, users, exposed_users, long_pressed_users, joined_users,"
                    + " exposed_to_long_pressed, long_pressed_to_joined, exposed_to_joined,"
                    + " time_zone FROM code_users_conversion_daily ORDER BY day"))
        .containsExactly(
            "2023-11-06|5|4|2|1|0.5000|0.5000|0.2500|Asia/Shanghai",
            "2023-11-07|1|0|0|0|null|null|null|Asia/Shanghai");
  }

  /** Runs one bounded Flink job writing {@code rows} through {@code sink}, two subtasks. */
  <T> void runRows(String name, List<T> rows, Sink<T> sink) throws Exception {
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    env.fromData(rows).name(name + " rows").uid(name + "-rows").sinkTo(sink).name(name + " sink");
    env.execute("table sinks " + name + " " + dialect());
  }

  static final String DEAD_LETTERS =
      "SELECT reason, payload, source, recorded_at FROM dead_letter_events ORDER BY source, reason";

  /**
   * Runs one bounded Flink job writing these rows through {@link TableSinks}, two subtasks each.
   */
  void runPipeline(
      List<FunnelRow> funnel, List<EventRow> events, List<DwellRow> dwell, List<DeadLetter> dead)
      throws Exception {
    Configuration conf = new Configuration();
    // As in the job: rows are POJOs/records, never Kryo.
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    JobSinks sinks = TableSinks.create(settings());
    // fromData refuses an empty collection: a table without rows gets no source.
    if (!funnel.isEmpty()) {
      env.fromData(funnel)
          .name("funnel rows")
          .uid("funnel-rows")
          .sinkTo(sinks.funnelRows())
          .name("funnel sink")
          .uid("funnel-sink");
    }
    if (!events.isEmpty()) {
      env.fromData(events)
          .name("event rows")
          .uid("event-rows")
          .sinkTo(sinks.eventRows())
          .name("event sink")
          .uid("event-sink");
    }
    if (!dwell.isEmpty()) {
      env.fromData(dwell)
          .name("dwell rows")
          .uid("dwell-rows")
          .sinkTo(sinks.dwellRows())
          .name("dwell sink")
          .uid("dwell-sink");
    }
    if (!dead.isEmpty()) {
      env.fromData(dead)
          .name("dead letters")
          .uid("dead-letters")
          .sinkTo(sinks.deadLetters())
          .name("dead letter sink")
          .uid("dead-letter-sink");
    }
    env.execute("table sinks " + dialect());
  }

  // ---------------------------------------------------------------------------------------------
  // Views

  /** Hourly funnel rows around Asia/Shanghai's and America/Los_Angeles's midnights. */
  void insertFunnelFixture() throws Exception {
    insert(
        RowStatements.FUNNEL.sql(),
        RowStatements.FUNNEL.binder(dialect()),
        // 23:00 on Nov 6 in Shanghai, 07:00 on Nov 6 in Los Angeles
        new FunnelRow(ms("2023-11-06T15:00:00Z"), "wx1", "IsFX", 4, 4, 2, 1, FIRST_WRITE),
        // midnight of Nov 7 in Shanghai
        new FunnelRow(ms("2023-11-06T16:00:00Z"), "wx1", "IsFX", 10, 8, 4, 1, FIRST_WRITE),
        new FunnelRow(ms("2023-11-07T15:00:00Z"), "wx1", "IsFX", 2, 2, 0, 0, FIRST_WRITE),
        // midnight of Nov 8 in Shanghai
        new FunnelRow(ms("2023-11-07T16:00:00Z"), "wx1", "IsFX", 1, 1, 1, 1, FIRST_WRITE),
        // sessions but no exposure: every rate is NULL
        new FunnelRow(ms("2023-11-07T03:00:00Z"), "wx1", "", 3, 0, 0, 0, FIRST_WRITE),
        // exposed, never long-pressed: long_pressed_to_joined is NULL, the others 0
        new FunnelRow(ms("2023-11-07T04:00:00Z"), "wx1", "K", 2, 2, 0, 0, FIRST_WRITE),
        // 23:00 on Nov 6 and midnight of Nov 7 in Los Angeles (PST, UTC-8)
        new FunnelRow(ms("2023-11-07T07:00:00Z"), "wx1", "B", 1, 1, 0, 0, FIRST_WRITE),
        new FunnelRow(ms("2023-11-07T08:00:00Z"), "wx1", "B", 1, 1, 0, 0, FIRST_WRITE));
  }

  static final String FUNNEL_DAILY =
      "SELECT day, appid, code, sessions, exposed, long_pressed, joined, exposed_to_long_pressed,"
          + " long_pressed_to_joined, exposed_to_joined, time_zone FROM code_funnel_daily"
          + " ORDER BY day, appid, code";

  @Test
  void shouldCountFunnelDaysInShanghaiWithNullSafeConversionRates() throws Exception {
    SchemaInstaller.install(settings());
    insertFunnelFixture();

    assertThat(query(FUNNEL_DAILY))
        .containsExactly(
            "2023-11-06|wx1|IsFX|4|4|2|1|0.5000|0.5000|0.2500|Asia/Shanghai",
            "2023-11-07|wx1||3|0|0|0|null|null|null|Asia/Shanghai",
            "2023-11-07|wx1|B|2|2|0|0|0.0000|null|0.0000|Asia/Shanghai",
            "2023-11-07|wx1|IsFX|12|10|4|1|0.4000|0.2500|0.1000|Asia/Shanghai",
            "2023-11-07|wx1|K|2|2|0|0|0.0000|null|0.0000|Asia/Shanghai",
            "2023-11-08|wx1|IsFX|1|1|1|1|1.0000|1.0000|1.0000|Asia/Shanghai");
  }

  @Test
  void shouldMoveDayBoundariesWhenReinstalledForAnotherZone() throws Exception {
    SchemaInstaller.install(settings());
    insertFunnelFixture();

    SchemaInstaller.install(settings().withTimeZone(ZoneId.of("America/Los_Angeles")));

    assertThat(query(FUNNEL_DAILY))
        .containsExactly(
            "2023-11-06|wx1||3|0|0|0|null|null|null|America/Los_Angeles",
            "2023-11-06|wx1|B|1|1|0|0|0.0000|null|0.0000|America/Los_Angeles",
            "2023-11-06|wx1|IsFX|14|12|6|2|0.5000|0.3333|0.1667|America/Los_Angeles",
            "2023-11-06|wx1|K|2|2|0|0|0.0000|null|0.0000|America/Los_Angeles",
            "2023-11-07|wx1|B|1|1|0|0|0.0000|null|0.0000|America/Los_Angeles",
            "2023-11-07|wx1|IsFX|3|3|1|1|0.3333|1.0000|0.3333|America/Los_Angeles");
  }

  @Test
  void shouldAcceptAFixedOffsetZone() throws Exception {
    SchemaInstaller.install(settings().withTimeZone(ZoneId.of("+05:30")));
    insert(
        RowStatements.FUNNEL.sql(),
        RowStatements.FUNNEL.binder(dialect()),
        // 23:30 on Nov 6 and 00:30 on Nov 7 at +05:30
        new FunnelRow(ms("2023-11-06T18:00:00Z"), "wx1", "IsFX", 1, 1, 0, 0, FIRST_WRITE),
        new FunnelRow(ms("2023-11-06T19:00:00Z"), "wx1", "IsFX", 2, 2, 2, 0, FIRST_WRITE));

    assertThat(query("SELECT day, sessions, time_zone FROM code_funnel_daily ORDER BY day"))
        .containsExactly("2023-11-06|1|+05:30", "2023-11-07|2|+05:30");
  }

  @Test
  void shouldSummariseDwellPerShanghaiDayWithoutPercentiles() throws Exception {
    SchemaInstaller.install(settings());
    insert(
        RowStatements.DWELL.sql(),
        RowStatements.DWELL.binder(dialect()),
        new DwellRow(ms("2023-11-06T15:00:00Z"), "wx1", "IsFX", 1, 7, 7, 7, 7, 7, FIRST_WRITE),
        new DwellRow(ms("2023-11-06T16:00:00Z"), "wx1", "IsFX", 2, 30, 20, 10, 20, 20, FIRST_WRITE),
        new DwellRow(ms("2023-11-07T15:00:00Z"), "wx1", "IsFX", 3, 90, 60, 15, 60, 60, FIRST_WRITE),
        new DwellRow(ms("2023-11-07T16:00:00Z"), "wx1", "IsFX", 1, 5, 5, 5, 5, 5, FIRST_WRITE),
        new DwellRow(ms("2023-11-07T16:00:00Z"), "wx1", "Z", 0, 0, 0, 0, 0, 0, FIRST_WRITE));

    assertThat(
            query(
                "SELECT day, appid, code, events, total_s, avg_s, max_s, time_zone"
                    + " FROM code_dwell_daily ORDER BY day, code"))
        .containsExactly(
            "2023-11-06|wx1|IsFX|1|7|7.0000|7|Asia/Shanghai",
            "2023-11-07|wx1|IsFX|5|120|24.0000|60|Asia/Shanghai",
            "2023-11-08|wx1|IsFX|1|5|5.0000|5|Asia/Shanghai",
            "2023-11-08|wx1|Z|0|0|null|0|Asia/Shanghai");
  }

  @Test
  void shouldCountDistinctEventsPerShanghaiDay() throws Exception {
    SchemaInstaller.install(settings());
    insert(
        RowStatements.EVENT.sql(),
        RowStatements.EVENT.binder(dialect()),
        new EventRow(ms("2023-11-06T15:00:00Z"), "wx1", "IsFX", "1110201", 3, FIRST_WRITE),
        new EventRow(ms("2023-11-06T16:00:00Z"), "wx1", "IsFX", "1110201", 4, FIRST_WRITE),
        new EventRow(ms("2023-11-07T15:00:00Z"), "wx1", "IsFX", "1110201", 5, FIRST_WRITE),
        new EventRow(ms("2023-11-07T15:00:00Z"), "wx1", "IsFX", "1110204", 1, FIRST_WRITE));

    assertThat(
            query(
                "SELECT day, code, event_id, events FROM code_event_daily ORDER BY day, event_id"))
        .containsExactly(
            "2023-11-06|IsFX|1110201|3", "2023-11-07|IsFX|1110201|9", "2023-11-07|IsFX|1110204|1");
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  @SafeVarargs
  final <T> void insert(String sql, JdbcStatementBuilder<T> binder, T... rows) throws SQLException {
    try (Connection c = settings().connect();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (T row : rows) {
        binder.accept(ps, row);
        ps.executeUpdate();
      }
    }
  }

  /**
   * Each row as its columns joined by {@code |}: time columns as ISO instants (whatever the dialect
   * stores), fractional numbers to four places, NULL as {@code null}.
   */
  List<String> query(String sql) throws SQLException {
    try (Connection c = settings().connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rows(rs);
    }
  }

  List<String> rows(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    List<String> out = new ArrayList<>();
    while (rs.next()) {
      List<String> cols = new ArrayList<>();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        String name = md.getColumnLabel(i).toLowerCase(Locale.ROOT);
        if (TIME_COLUMNS.contains(name)) {
          cols.add(String.valueOf(dialect().readTimestamp(rs, name)));
        } else if (name.matches("(press|join)_p\\d\\d_s")) {
          double v = rs.getDouble(i);
          cols.add(rs.wasNull() ? "null" : String.format(Locale.ROOT, "%.3f", v));
        } else if (name.endsWith("_to_long_pressed")
            || name.endsWith("_to_joined")
            || name.equals("avg_s")) {
          double v = rs.getDouble(i);
          cols.add(rs.wasNull() ? "null" : String.format(Locale.ROOT, "%.4f", v));
        } else {
          cols.add(rs.getString(i));
        }
      }
      out.add(String.join("|", cols));
    }
    return out;
  }
}
