package io.upbot.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.FunnelStages;
import io.upbot.job.sink.JdbcSettings;
import io.upbot.job.sink.TableSinks;
import io.upbot.job.source.KafkaSources;
import io.upbot.job.source.ServerClockWatermarks;
import io.upbot.job.testing.DatabaseTables;
import io.upbot.job.testing.DatabaseTables.StoredDeadLetter;
import io.upbot.job.testing.MiniClusters;
import io.upbot.job.testing.Reference;
import io.upbot.job.testing.Scenario;
import io.upbot.job.testing.Tables;
import io.upbot.job.testing.TopicWriter;
import io.upbot.testkit.KafkaBroker;
import io.upbot.testkit.PostgresDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job — Kafka source, the graph, the JDBC sinks of {@link TableSinks} — fills every table
 * of PostgreSQL and of SQLite with exactly the reference values, and a replay rewrites the same
 * totals.
 */
class DatabaseTablesITCase {

  static final int PARALLELISM = 2;
  static final String TOPIC = "db-tables";
  static KafkaBroker broker;
  static MiniCluster cluster;
  static Scenario scenario;
  static Tables expected;
  static String garbageSource;

  @TempDir Path tmp;

  @BeforeAll
  static void start() throws Exception {
    broker = KafkaBroker.start();
    cluster = MiniClusters.start(PARALLELISM);
    broker.createTopic(TOPIC, 3);
    scenario = Scenario.generate(11, 12, 12);
    expected = Reference.compute(scenario.received(), Scenario.G, Scenario.A, FunnelStages.DEFAULT);
    assertThat(expected.dwell()).isNotEmpty();
    try (TopicWriter w = new TopicWriter(broker.bootstrapServers(), TOPIC)) {
      w.write(scenario.received());
      garbageSource = w.writeRaw("\u0000garbage".getBytes(StandardCharsets.UTF_8));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  /** Runs the job as JobMain wires it, as a bounded backfill of the topic. */
  static void runBackfill(String jdbcUrl, String user, String group, String... extra)
      throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--kafka-bootstrap",
                broker.bootstrapServers(),
                "--topic",
                TOPIC,
                "--group-id",
                group,
                "--start-from",
                "earliest",
                "--bounded",
                "--jdbc-url",
                jdbcUrl,
                "--jdbc-user",
                user,
                "--session-gap",
                "30m",
                "--allowed-lateness",
                "2h",
                "--checkpoint-interval",
                "off",
                "--parallelism",
                String.valueOf(PARALLELISM)));
    args.addAll(List.of(extra));
    JobSettings s = JobSettings.parse(args.toArray(String[]::new), Map.of());
    JobMain.prepareDatabase(s);
    StreamExecutionEnvironment env = new TestStreamEnvironment(cluster, PARALLELISM);
    AnalyticsJob.configure(env, s);
    AnalyticsJob.build(
        env,
        s,
        KafkaSources.create(s.kafkaSettings()),
        ServerClockWatermarks.strategy(s.watermarkBound(), s.sourceIdleness(), s.bounded()),
        TableSinks.create(s.jdbcSettings()));
    env.execute("backfill to " + group);
  }

  static void assertTables(JdbcSettings db) throws Exception {
    assertThat(DatabaseTables.read(db)).isEqualTo(expected);
    List<StoredDeadLetter> dead = DatabaseTables.deadLetters(db);
    assertThat(dead)
        .filteredOn(d -> d.reason().equals(DeadLetter.LATE))
        .hasSize((int) scenario.lateCount());
    assertThat(dead)
        .filteredOn(d -> d.reason().equals(DeadLetter.MALFORMED))
        .containsExactly(
            new StoredDeadLetter(DeadLetter.MALFORMED, "\uFFFDgarbage", garbageSource));
    assertThat(dead).hasSize((int) scenario.lateCount() + 1);
  }

  @Test
  void shouldWriteEveryTableToPostgresAndRewriteTheSameTotalsOnReplay() throws Exception {
    try (PostgresDatabase pg = PostgresDatabase.create()) {
      runBackfill(pg.jdbcUrl(), pg.user(), "pg");
      JdbcSettings db = JdbcSettings.defaults(pg.jdbcUrl()).withCredentials(pg.user(), null);
      assertTables(db);

      // A backfill over tables that hold rows is refused before anything runs...
      assertThatThrownBy(() -> runBackfill(pg.jdbcUrl(), pg.user(), "pg-refused"))
          .isInstanceOf(StartRefusedException.class)
          .hasMessageContaining("code_funnel_hourly, code_event_hourly, code_dwell_hourly");
      // ...unless asked for: a replay of the whole topic (what a restore from an old checkpoint
      // amounts
      // to) then changes nothing.
      runBackfill(pg.jdbcUrl(), pg.user(), "pg-replay", "--allow-overwrite");
      assertTables(db);
    }
  }

  @Test
  void shouldWriteEveryTableToSqlite() throws Exception {
    String url = "jdbc:sqlite:" + tmp.resolve("upbot.db");
    runBackfill(url, "", "sqlite");
    assertTables(JdbcSettings.defaults(url));
  }
}
