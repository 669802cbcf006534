package io.upbot.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.FunnelStages;
import io.upbot.job.sink.JdbcSettings;
import io.upbot.job.sink.ReconnectingConnectionProvider;
import io.upbot.job.sink.TableSinks;
import io.upbot.job.source.KafkaSources;
import io.upbot.job.source.ServerClockWatermarks;
import io.upbot.job.testing.DatabaseTables;
import io.upbot.job.testing.MiniClusters;
import io.upbot.job.testing.Reference;
import io.upbot.job.testing.Scenario;
import io.upbot.job.testing.Tables;
import io.upbot.job.testing.TopicWriter;
import io.upbot.schema.MediaEvent;
import io.upbot.testkit.FaultLevel;
import io.upbot.testkit.KafkaBroker;
import io.upbot.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.executiongraph.ArchivedExecution;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL restarted (crashed: {@code pg_ctl stop -m immediate}, down a few seconds, started
 * again) while the job streams rows into it through the real JDBC sinks. A short outage is waited
 * out by the sinks (back-pressure, no job restart); an outage longer than the sinks wait fails the
 * job, which restarts from its last checkpoint (Flink's default restart strategy with checkpoints).
 * Either way the tables end exactly equal to the reference over everything written to the topic.
 *
 * <p>{@code -Dupbot.faults=long} streams more journeys through more restarts. Each run prints its
 * figures (outage, time from the server's return to exact tables, job restarts) on lines starting
 * {@code [faults]}.
 */
class PostgresRestartFaultITCase {

  static final int PARALLELISM = 2;
  static final int PARTITIONS = 3;
  static final FaultLevel LEVEL = FaultLevel.current();

  /** Long enough that the sinks certainly try to write while the server is down. */
  static final Duration OUTAGE = Duration.ofSeconds(LEVEL.pick(3, 5));

  /**
   * pgjdbc (up to at least 42.7.5) hits an {@code assert false} when the server drops the
   * connection in the middle of a batch (pgjdbc issues #1458, #3180): under {@code -ea}, as in
   * tests, executeBatch then throws an AssertionError instead of the SQLException production (no
   * {@code -ea}) gets, and the sink cannot retry an Error. Off for the driver, as in production;
   * this works when this class is the first in its JVM to run a batch, and {@link
   * #PGJDBC_ASSERTION} is accepted otherwise.
   */
  static {
    ClassLoader.getSystemClassLoader().setPackageAssertionStatus("org.postgresql", false);
  }

  static final String PGJDBC_ASSERTION = "getAutoCommit() should not throw";

  /** How often the job restarted, and the distinct task failures behind it. */
  record Outcome(int restarts, Set<String> failures) {}

  static KafkaBroker broker;
  static MiniCluster cluster;
  static PostgresServer postgres;

  @TempDir Path tmp;

  @BeforeAll
  static void start() throws Exception {
    // The three start independently; side by side they are ready sooner on a busy machine.
    CompletableFuture<PostgresServer> pg = CompletableFuture.supplyAsync(PostgresServer::start);
    CompletableFuture<KafkaBroker> kafka = CompletableFuture.supplyAsync(KafkaBroker::start);
    cluster = MiniClusters.start(PARALLELISM);
    postgres = pg.join();
    broker = kafka.join();
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    if (broker != null) {
      broker.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void shouldWaitOutAPostgresRestartWithoutRestartingTheJobAndKeepTablesExact() throws Exception {
    Outcome o = run("pg_wait", ReconnectingConnectionProvider.DEFAULT_MAX_WAIT, 101);
    // The sinks held their batches until the server was back: no task failed for want of a
    // database.
    assertThat(o.failures()).allSatisfy(f -> assertThat(f).contains(PGJDBC_ASSERTION));
    if (o.restarts() > 0) {
      assertThat(o.failures()).isNotEmpty();
    }
  }

  @Test
  void shouldRestartFromACheckpointWhenPostgresStaysDownLongerThanTheSinksWaitAndKeepTablesExact()
      throws Exception {
    Outcome o = run("pg_failover", Duration.ofMillis(500), 202);
    assertThat(o.restarts()).as("job restarts: the outage outlasted the sinks' wait").isPositive();
    assertThat(o.failures()).anySatisfy(f -> assertThat(f).contains("Connection to 127.0.0.1"));
  }

  /**
   * Streams a scenario's records through the job while the server is restarted {@code cycles} times
   * mid-stream; after each restart waits for exact tables. Returns how often the job restarted and
   * why.
   */
  private Outcome run(String name, Duration sinkWait, long seed) throws Exception {
    int cycles = LEVEL.pick(1, 3);
    Scenario s = scenario(seed, LEVEL.pick(1500, 6000));
    List<List<MediaEvent>> parts = split(s.received(), cycles + 2);
    String topic = name;
    broker.createTopic(topic, PARTITIONS);
    String url = postgres.createDatabase(name);
    JdbcSettings db = JdbcSettings.defaults(url).withCredentials(postgres.user(), null);
    JobSettings settings =
        settings(topic, url, Files.createDirectories(tmp.resolve("checkpoints")));
    JobMain.prepareDatabase(settings);

    StreamExecutionEnvironment env = new TestStreamEnvironment(cluster, PARALLELISM);
    AnalyticsJob.configure(env, settings);
    AnalyticsJob.build(
        env,
        settings,
        KafkaSources.create(settings.kafkaSettings()),
        ServerClockWatermarks.strategy(
            settings.watermarkBound(), settings.sourceIdleness(), settings.bounded()),
        TableSinks.create(settings.jdbcSettings(), sinkWait));
    JobClient job = env.executeAsync(name);
    List<MediaEvent> sent = new ArrayList<>();
    try (TopicWriter w = new TopicWriter(broker.bootstrapServers(), topic)) {
      w.write(parts.get(0));
      sent.addAll(parts.get(0));
      awaitExact(db, sent, Duration.ofSeconds(90));

      for (int cycle = 1; cycle <= cycles; cycle++) {
        List<MediaEvent> during = parts.get(cycle);
        // Records keep arriving before, during and after the outage, so rows are in flight when the
        // server goes down and pile up while it is away.
        AtomicInteger chunks = new AtomicInteger();
        CompletableFuture<Void> streaming =
            CompletableFuture.runAsync(() -> stream(w, during, chunks));
        await().atMost(Duration.ofSeconds(30)).until(() -> chunks.get() >= 3);
        long down = System.nanoTime();
        postgres.stop(true);
        // The fault itself: the server stays down this long while records keep arriving.
        Thread.sleep(OUTAGE.toMillis());
        postgres.restart();
        long up = System.nanoTime();
        streaming.join();
        sent.addAll(during);
        awaitExact(db, sent, Duration.ofSeconds(120));
        long exact = System.nanoTime();
        System.out.printf(
            "[faults] postgres restart, sinks wait %s, cycle %d/%d: down %.1f s, tables exact %.1f s"
                + " after the server was back, %d records so far, job restarts %d%n",
            sinkWait,
            cycle,
            cycles,
            (up - down) / 1e9,
            (exact - up) / 1e9,
            sent.size(),
            restarts(job.getJobID()));
        failures(job.getJobID()).forEach(f -> System.out.println("[faults]   task failure: " + f));
      }

      List<MediaEvent> last = parts.get(cycles + 1);
      System.out.println("[faults] last part written at " + java.time.Instant.now());
      w.write(last);
      sent.addAll(last);
      awaitExact(db, sent, Duration.ofSeconds(90));
      assertDeadLetters(db, sent);
      return new Outcome(restarts(job.getJobID()), failures(job.getJobID()));
    } finally {
      job.cancel().get();
    }
  }

  /** The first scenario from {@code seed} on with at least {@code records} records. */
  private static Scenario scenario(long seed, int records) {
    for (long k = seed; ; k++) {
      Scenario s = Scenario.generate(k, records / 4, 14);
      if (s.received().size() >= records) {
        return s;
      }
    }
  }

  private static JobSettings settings(String topic, String url, Path checkpoints) {
    return JobSettings.parse(
        new String[] {
          "--kafka-bootstrap",
          broker.bootstrapServers(),
          "--topic",
          topic,
          "--group-id",
          topic,
          "--start-from",
          "earliest",
          "--jdbc-url",
          url,
          "--jdbc-user",
          postgres.user(),
          "--session-gap",
          "30m",
          "--allowed-lateness",
          "2h",
          "--source-idleness",
          "0",
          "--flush-interval",
          "200ms",
          "--checkpoint-interval",
          "1s",
          "--checkpoint-dir",
          checkpoints.toUri().toString(),
          "--parallelism",
          String.valueOf(PARALLELISM),
        },
        Map.of());
  }

  /** Writes the records in small chunks, a little apart, as a live topic fills. */
  private static void stream(TopicWriter w, List<MediaEvent> records, AtomicInteger chunks) {
    try {
      for (List<MediaEvent> chunk : split(records, Math.max(1, records.size() / 20))) {
        w.write(chunk);
        chunks.incrementAndGet();
        Thread.sleep(100); // the pace of the load, not a wait for a condition
      }
    } catch (Exception e) {
      throw new IllegalStateException("writing to the topic failed", e);
    }
  }

  private static void awaitExact(JdbcSettings db, List<MediaEvent> sent, Duration atMost) {
    // Live: unattributable joins are decided only once the watermark passes their time + A.
    Tables expected =
        Reference.compute(sent, Scenario.G, Scenario.A, FunnelStages.DEFAULT)
            .withoutUnattributedJoins();
    assertThat(expected.funnel()).isNotEmpty();
    try {
      await()
          .atMost(atMost)
          .pollInterval(Duration.ofMillis(300))
          .ignoreExceptions()
          .untilAsserted(
              () ->
                  assertThat(DatabaseTables.read(db).withoutUnattributedJoins())
                      .isEqualTo(expected));
    } catch (ConditionTimeoutException e) {
      printWriteTimes(db);
      throw e;
    }
  }

  /**
   * When the tables never became exact: when each funnel and breakdown row was last written (a row
   * written before its correction was sent never got it; one written after got an older total), and
   * the dead letters.
   */
  private static void printWriteTimes(JdbcSettings db) {
    System.out.println(
        "[faults] tables not exact at " + java.time.Instant.now() + "; last writes:");
    // The dead letters too: a correcting record dead-lettered as late would explain a stale row.
    Map<String, String> order =
        Map.of(
            "code_funnel_hourly", "updated_at",
            "code_funnel_breakdown_hourly", "updated_at",
            "dead_letter_events", "recorded_at");
    for (String table :
        List.of("code_funnel_hourly", "code_funnel_breakdown_hourly", "dead_letter_events")) {
      try (Connection c = db.connect();
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery("SELECT * FROM " + table + " ORDER BY " + order.get(table))) {
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          StringBuilder row = new StringBuilder("[faults]   ").append(table);
          for (int i = 1; i <= n; i++) {
            row.append(' ').append(rs.getMetaData().getColumnName(i)).append('=');
            row.append(rs.getString(i));
          }
          System.out.println(row);
        }
      } catch (Exception read) {
        System.out.println("[faults]   could not read " + table + ": " + read);
      }
    }
  }

  /** One dead letter per late record, however often it was written. */
  private static void assertDeadLetters(JdbcSettings db, List<MediaEvent> sent) {
    long late = new Scenario(0, sent, List.of()).lateCount();
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(DatabaseTables.deadLetters(db))
                    .allSatisfy(d -> assertThat(d.reason()).isEqualTo(DeadLetter.LATE))
                    .hasSize((int) late));
  }

  /** Why tasks failed (the first line of each exception and of its causes), for the figures. */
  private static Set<String> failures(JobID id) throws Exception {
    AccessExecutionGraph graph = cluster.getExecutionGraph(id).get();
    Set<String> out = new TreeSet<>();
    for (AccessExecutionVertex v : graph.getAllExecutionVertices()) {
      for (ArchivedExecution e : v.getExecutionHistory().getHistoricalExecutions()) {
        e.getFailureInfo()
            .ifPresent(
                f ->
                    out.add(
                        f.getExceptionAsString()
                            .lines()
                            .filter(l -> !l.startsWith("\t"))
                            .map(l -> l.length() > 160 ? l.substring(0, 160) : l)
                            .collect(Collectors.joining(" / "))));
      }
    }
    return out;
  }

  /** How often the job restarted: every restart raises each task's execution attempt number. */
  private static int restarts(JobID id) throws Exception {
    AccessExecutionGraph graph = cluster.getExecutionGraph(id).get();
    return StreamSupport.stream(graph.getAllExecutionVertices().spliterator(), false)
        .mapToInt(v -> v.getCurrentExecutionAttempt().getAttemptNumber())
        .max()
        .orElse(0);
  }

  private static <T> List<List<T>> split(List<T> list, int parts) {
    List<List<T>> out = new ArrayList<>();
    for (int i = 0; i < parts; i++) {
      out.add(list.subList(list.size() * i / parts, list.size() * (i + 1) / parts));
    }
    return out;
  }
}
