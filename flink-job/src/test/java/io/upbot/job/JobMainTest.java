package io.upbot.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upbot.job.database.ExistingRows;
import io.upbot.job.database.SchemaInstaller;
import io.upbot.job.sink.JdbcSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start of the job before Flink: settings, the guard against a backfill over live rows, and how
 * a start that cannot go on is answered (an exception under Flink, an exit status on the command
 * line).
 */
class JobMainTest {

  @TempDir Path dir;

  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();
  final List<String> environmentsCreated = new ArrayList<>();

  String url(String name) {
    return "jdbc:sqlite:" + dir.resolve(name);
  }

  /** A database holding the live job's tables, with one row in {@code table}. */
  String liveDatabaseWithARowIn(String table) throws Exception {
    String url = url("live-" + table + ".db");
    JdbcSettings jdbc = JdbcSettings.defaults(url);
    SchemaInstaller.install(jdbc);
    String row =
        switch (table) {
          case "code_funnel_hourly" ->
              "INSERT INTO code_funnel_hourly (bucket_start, appid, code, sessions, exposed, long_pressed,"
                  + " joined, updated_at) VALUES ('2026-11-30 10:00:00', 'app', 'c', 3, 3, 1, 0,"
                  + " '2026-11-30 10:00:01')";
          case "code_event_hourly" ->
              "INSERT INTO code_event_hourly (bucket_start, appid, code, event_id, events, updated_at)"
                  + " VALUES ('2026-11-30 10:00:00', 'app', 'c', '1110201', 3, '2026-11-30 10:00:01')";
          case "code_dwell_hourly" ->
              "INSERT INTO code_dwell_hourly (bucket_start, appid, code, events, total_s, max_s, p50_s,"
                  + " p90_s, p99_s, updated_at) VALUES ('2026-11-30 10:00:00', 'app', 'c', 1, 5, 5, 5, 5,"
                  + " 5, '2026-11-30 10:00:01')";
          case "code_funnel_breakdown_hourly" ->
              "INSERT INTO code_funnel_breakdown_hourly (bucket_start, appid, code, device_type,"
                  + " account_type, media_type, sessions, exposed, long_pressed, joined, updated_at)"
                  + " VALUES ('2026-11-30 10:00:00', 'app', 'c', 1, 2, 0, 1, 1, 0, 0,"
                  + " '2026-11-30 10:00:01')";
          case "code_users_daily" ->
              "INSERT INTO code_users_daily (day, appid, code, users, exposed_users,"
                  + " long_pressed_users, joined_users, updated_at) VALUES ('2026-11-30', 'app', 'c',"
                  + " 1, 1, 0, 0, '2026-11-30 10:00:01')";
          case "code_join_hourly" ->
              "INSERT INTO code_join_hourly (bucket_start, appid, code, wecom_joins,"
                  + " attributed_joins, unattributed_joins, updated_at) VALUES"
                  + " ('2026-11-30 10:00:00', 'app', 'c', 2, 1, 0, '2026-11-30 10:00:01')";
          default ->
              "INSERT INTO "
                  + table
                  + " ("
                  + (table.endsWith("_daily") ? "day" : "bucket_start")
                  + ", appid, code, pressed_sessions, press_p50_s, press_p90_s, press_p99_s,"
                  + " joined_sessions, updated_at) VALUES ("
                  + (table.endsWith("_daily") ? "'2026-11-30'" : "'2026-11-30 10:00:00'")
                  + ", 'app', 'c', 1, 1.5, 1.5, 1.5, 0, '2026-11-30 10:00:01')";
        };
    try (Connection c = jdbc.connect();
        Statement s = c.createStatement()) {
      s.executeUpdate(row);
    }
    return url;
  }

  /** The command line's answer ({@link JobCli}): the exit status, the message on {@code err}. */
  int start(String... args) throws Exception {
    return JobCli.run(
        args,
        Map.of(),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        this::stopHere);
  }

  /**
   * What Flink sees ({@link JobMain}, run in the JobManager by the REST API): an exception, no
   * exit.
   */
  void startUnderFlink(String... args) throws Exception {
    JobMain.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), this::stopHere);
  }

  StreamExecutionEnvironment stopHere() {
    environmentsCreated.add("env");
    throw new IllegalStateException("the test stops here: the start went on to build the job");
  }

  static JobSettings settings(String url, String... extra) {
    List<String> args = new ArrayList<>(List.of("--kafka-bootstrap", "k:9092", "--jdbc-url", url));
    args.addAll(List.of(extra));
    return JobSettings.parse(args.toArray(String[]::new), Map.of());
  }

  @Test
  void shouldRefuseABackfillIntoTablesThatHoldRowsWithExitStatus2AndNoStackTrace()
      throws Exception {
    String url = liveDatabaseWithARowIn("code_event_hourly");

    int status = start("--kafka-bootstrap", "k:9092", "--jdbc-url", url, "--bounded");

    assertThat(status).isEqualTo(2);
    assertThat(environmentsCreated).as("nothing of Flink was started").isEmpty();
    String message = err.toString(StandardCharsets.UTF_8);
    assertThat(message)
        .startsWith("upbot job: refusing a --bounded backfill into tables that already hold rows")
        .contains("code_event_hourly", "fresh database", "--allow-overwrite")
        .doesNotContain("Exception", "\tat ");
  }

  @Test
  void shouldFindRowsInAnyOfTheRowTables() throws Exception {
    for (String table : ExistingRows.ROW_TABLES) {
      String url = liveDatabaseWithARowIn(table);
      assertThat(ExistingRows.tablesWithRows(JdbcSettings.defaults(url)))
          .as(table)
          .containsExactly(table);
      assertThatThrownBy(() -> JobMain.prepareDatabase(settings(url, "--bounded")))
          .as(table)
          .isInstanceOf(StartRefusedException.class)
          .hasMessageContaining(table);
    }
  }

  @Test
  void shouldBackfillIntoAFreshDatabaseOrOverRowsWithAllowOverwrite() throws Exception {
    assertThatCode(() -> JobMain.prepareDatabase(settings(url("fresh.db"), "--bounded")))
        .as("a fresh database")
        .doesNotThrowAnyException();
    assertThat(ExistingRows.tablesWithRows(JdbcSettings.defaults(url("fresh.db"))))
        .as("the schema installed, empty")
        .isEmpty();

    String live = liveDatabaseWithARowIn("code_funnel_hourly");
    assertThatCode(() -> JobMain.prepareDatabase(settings(live, "--bounded", "--allow-overwrite")))
        .doesNotThrowAnyException();
    // An unbounded start is the live job resuming (from its checkpoint): the guard is for
    // backfills.
    assertThatCode(() -> JobMain.prepareDatabase(settings(live))).doesNotThrowAnyException();
  }

  @Test
  void shouldGoOnToBuildTheJobWhenTheBackfillIsAllowed() throws Exception {
    String live = liveDatabaseWithARowIn("code_dwell_hourly");

    assertThatThrownBy(
            () ->
                start(
                    "--kafka-bootstrap",
                    "k:9092",
                    "--jdbc-url",
                    live,
                    "--bounded",
                    "--allow-overwrite"))
        .hasMessageContaining("the test stops here");
    assertThat(environmentsCreated).hasSize(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void shouldAnswerBadSettingsWithExitStatus2() throws Exception {
    assertThat(start("--session-gap", "soon")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--kafka-bootstrap: required", "--session-gap:")
        .doesNotContain("\tat ");
    assertThat(environmentsCreated).isEmpty();
  }

  @Test
  void shouldThrowRatherThanExitOnBadSettingsUnderFlinkSoTheClusterStaysUp() {
    // An exit here would end this test JVM too: reaching the assertions proves there was none.
    assertThatThrownBy(() -> startUnderFlink("--session-gap", "soon"))
        .isInstanceOfSatisfying(
            JobStartException.class, e -> assertThat(e.exitStatus()).isEqualTo(2))
        .hasMessageContaining("--kafka-bootstrap: required")
        .hasMessageContaining("--session-gap:")
        .hasMessageContaining("--help lists every flag");
    assertThat(environmentsCreated).isEmpty();
  }

  @Test
  void shouldThrowRatherThanExitWhenTheDatabaseCannotBePreparedUnderFlink() {
    // A SQLite file in a folder that does not exist cannot be created.
    String unreachable = "jdbc:sqlite:" + dir.resolve("no-such-folder").resolve("upbot.db");

    assertThatThrownBy(
            () -> startUnderFlink("--kafka-bootstrap", "k:9092", "--jdbc-url", unreachable))
        .isInstanceOfSatisfying(
            JobStartException.class, e -> assertThat(e.exitStatus()).isEqualTo(1))
        .hasMessageStartingWith("upbot job: cannot ");
    assertThat(environmentsCreated).isEmpty();
  }

  @Test
  void shouldAnswerAnUnreachableDatabaseWithExitStatus1AndNoStackTrace() throws Exception {
    String unreachable = "jdbc:sqlite:" + dir.resolve("no-such-folder").resolve("upbot.db");

    assertThat(start("--kafka-bootstrap", "k:9092", "--jdbc-url", unreachable)).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("upbot job: cannot ")
        .doesNotContain("Exception", "\tat ");
    assertThat(environmentsCreated).isEmpty();
  }

  @Test
  void shouldPrintHelpAndStartNothing() throws Exception {
    assertThat(start("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("--bounded", "--allow-overwrite");
    assertThat(environmentsCreated).isEmpty();
  }
}
