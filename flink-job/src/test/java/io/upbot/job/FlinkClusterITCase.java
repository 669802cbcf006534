package io.upbot.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.upbot.job.model.FunnelStages;
import io.upbot.job.sink.JdbcSettings;
import io.upbot.job.testing.DatabaseTables;
import io.upbot.job.testing.Reference;
import io.upbot.job.testing.Scenario;
import io.upbot.job.testing.StandaloneFlinkCluster;
import io.upbot.job.testing.StandaloneFlinkCluster.Answer;
import io.upbot.job.testing.Tables;
import io.upbot.job.testing.TopicWriter;
import io.upbot.schema.MediaEvent;
import io.upbot.testkit.KafkaBroker;
import io.upbot.testkit.PostgresDatabase;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The shaded jar on a real standalone Flink 2.0.2 session cluster (a JobManager and a TaskManager
 * in their own JVMs, {@code lib/} from Flink's module jars), submitted through the REST API as a
 * data engineer would, reading a real broker and writing PostgreSQL on RocksDB with checkpoints.
 * One cluster and one job for every case, in order: the tables, bad submissions beside the running
 * job, then a stop-with-savepoint and a resume, then the TaskManager's log.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FlinkClusterITCase {

  static final Path JAR = Path.of("target/upbot-flink-job.jar").toAbsolutePath();
  static final String TOPIC = "cluster-events";
  static final int PARALLELISM = 2;

  static CompletableFuture<KafkaBroker> brokerStarting;
  static KafkaBroker broker;
  static PostgresDatabase database;
  static StandaloneFlinkCluster cluster;
  static String jarId;
  static String jobId;
  static Path checkpoints;
  static Scenario scenario;
  static long started;
  static long ready;

  @BeforeAll
  static void start() throws Exception {
    started = System.nanoTime();
    // The broker's JVM starts while the cluster's do.
    brokerStarting = CompletableFuture.supplyAsync(KafkaBroker::start);
    database = PostgresDatabase.create();
    cluster =
        StandaloneFlinkCluster.start(
            Path.of(System.getProperty("upbot.flink.lib", "target/flink-lib")),
            PARALLELISM,
            Map.of(
                // As small as the job runs well in: RocksDB takes its memory from the managed part.
                "jobmanager.memory.process.size", "768m",
                "taskmanager.memory.process.size", "1024m",
                // Of the 1 GiB, 128 MiB for RocksDB leaves the tasks' heap 128 MiB rather than 26.
                "taskmanager.memory.managed.size", "128m"));
    broker = brokerStarting.join();
    ready = System.nanoTime();
    checkpoints = Files.createDirectories(cluster.home().resolve("checkpoints"));
    broker.createTopic(TOPIC, 3);
    scenario = Scenario.generate(11, 12, 12);
    assertThat(reference(scenario.received()).funnel())
        .as("a scenario with something to count")
        .isNotEmpty();
    jarId = cluster.uploadJar(JAR);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (cluster != null) {
        cluster.close(Path.of("target/flink-cluster-logs"));
        System.out.printf(
            "FlinkClusterITCase: %.1f s in all, %.1f s of them to start the broker and the cluster;"
                + " peak resident memory %s%n",
            (System.nanoTime() - started) / 1e9, (ready - started) / 1e9, cluster.peakMemory());
      }
    } finally {
      if (broker == null && brokerStarting != null) {
        broker = brokerStarting.handle((b, failure) -> b).join();
      }
      if (broker != null) {
        broker.close();
      }
      if (database != null) {
        database.close();
      }
    }
  }

  static List<String> jobArgs(String jdbcUrl) {
    return List.of(
        "--kafka-bootstrap", broker.bootstrapServers(),
        "--topic", TOPIC,
        "--group-id", "cluster-it",
        "--start-from", "earliest",
        "--jdbc-url", jdbcUrl,
        "--jdbc-user", database.user(),
        "--session-gap", "30m",
        "--allowed-lateness", "2h",
        "--source-idleness", "0",
        "--flush-interval", "200ms",
        "--parallelism", String.valueOf(PARALLELISM),
        "--state-backend", "rocksdb",
        "--checkpoint-interval", "1s",
        "--checkpoint-dir", checkpoints.toUri().toString());
  }

  static Tables reference(List<MediaEvent> received) {
    return Reference.compute(received, Scenario.G, Scenario.A, FunnelStages.DEFAULT);
  }

  static List<MediaEvent> firstHalf() {
    return scenario.received().subList(0, scenario.received().size() / 2);
  }

  static List<MediaEvent> secondHalf() {
    return scenario.received().subList(scenario.received().size() / 2, scenario.received().size());
  }

  static Tables tables() throws Exception {
    return DatabaseTables.read(
        JdbcSettings.defaults(database.jdbcUrl()).withCredentials(database.user(), null));
  }

  static String submit(List<String> args, String savepoint) throws Exception {
    Answer a = cluster.runJar(jarId, args, savepoint);
    assertThat(a.ok()).as("run answer %s", a).isTrue();
    String id = a.body().path("jobid").asText();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(300))
        .until(() -> cluster.jobState(id).equals("RUNNING"));
    return id;
  }

  @Test
  @Order(1)
  void shouldKeepTheTablesEqualToTheReferenceForEventsReadFromTheBroker() throws Exception {
    try (TopicWriter w = new TopicWriter(broker.bootstrapServers(), TOPIC)) {
      w.write(firstHalf());
    }
    jobId = submit(jobArgs(database.jdbcUrl()), null);

    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () ->
                assertThat(tables().withoutUnattributedJoins())
                    .isEqualTo(reference(firstHalf()).withoutUnattributedJoins()));
  }

  @Test
  @Order(2)
  void shouldAnswerBadSettingsWithAnErrorWhileTheClusterAndTheRunningJobStayUp() throws Exception {
    List<String> noBootstrap = new ArrayList<>(jobArgs(database.jdbcUrl()));
    noBootstrap.subList(0, 2).clear();

    Answer a = cluster.runJar(jarId, noBootstrap, null);

    System.out.println("FlinkClusterITCase: bad settings answered " + a);
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.body().path("errors").toString())
        .contains(
            "The main method caused an error: invalid settings:\\n  --kafka-bootstrap: required");
    assertClusterAndJobUp();
  }

  @Test
  @Order(3)
  void shouldAnswerAnUnreachableDatabaseWithAnErrorWhileTheClusterAndTheRunningJobStayUp()
      throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String unreachable = "jdbc:postgresql://127.0.0.1:" + closedPort + "/upbot";
    String missing = database.jdbcUrl().replace(database.name(), database.name() + "_missing");

    for (String url : List.of(unreachable, missing)) {
      Answer a = cluster.runJar(jarId, jobArgs(url), null);

      System.out.println("FlinkClusterITCase: " + url + " answered " + a);
      assertThat(a.status()).isEqualTo(400);
      assertThat(a.body().path("errors").toString()).contains("upbot job: cannot ", "database");
      assertClusterAndJobUp();
    }
  }

  @Test
  @Order(4)
  void shouldChangeNoTotalWhenStoppedWithASavepointAndResumedFromIt() throws Exception {
    String savepoint = cluster.stopWithSavepoint(jobId, checkpoints.resolve("savepoints"));
    await().atMost(Duration.ofSeconds(60)).until(() -> cluster.jobState(jobId).equals("FINISHED"));
    assertThat(tables().withoutUnattributedJoins())
        .as("totals after the stop")
        .isEqualTo(reference(firstHalf()).withoutUnattributedJoins());

    try (TopicWriter w = new TopicWriter(broker.bootstrapServers(), TOPIC)) {
      w.write(secondHalf());
    }
    jobId = submit(jobArgs(database.jdbcUrl()), savepoint);

    // Resumed from the savepoint's offsets and state: the first half is counted once, the second
    // added.
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () ->
                assertThat(tables().withoutUnattributedJoins())
                    .isEqualTo(reference(scenario.received()).withoutUnattributedJoins()));
    assertClusterAndJobUp();
  }

  @Test
  @Order(5)
  void shouldLogNoMetricNameCollisionOnTheTaskManager() throws Exception {
    String log = Files.readString(cluster.taskManagerLog(), StandardCharsets.UTF_8);

    // The log of this cluster's runs: the sinks' writers deployed, checkpoints taken and restored.
    assertThat(log).contains("code_funnel_hourly: Writer", "dead_letter_events: Writer");
    assertThat(log).doesNotContain("Name collision");
  }

  static void assertClusterAndJobUp() throws Exception {
    assertThat(cluster.processesAlive()).as("JobManager and TaskManager processes").isTrue();
    assertThat(cluster.get("/overview").body().path("taskmanagers").asInt()).isEqualTo(1);
    assertThat(cluster.jobState(jobId)).isEqualTo("RUNNING");
  }
}
