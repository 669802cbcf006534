package io.upbot.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.FunnelStages;
import io.upbot.job.source.KafkaSources;
import io.upbot.job.source.ServerClockWatermarks;
import io.upbot.job.testing.MiniClusters;
import io.upbot.job.testing.Reference;
import io.upbot.job.testing.Scenario;
import io.upbot.job.testing.Tables;
import io.upbot.job.testing.TestSinks;
import io.upbot.job.testing.TopicWriter;
import io.upbot.schema.MediaEvent;
import io.upbot.testkit.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job on a MiniCluster reading a real KRaft broker: live tables, recovery after a failure, and
 * a bounded backfill, each compared with the reference tables of docs/semantics.md.
 */
class KafkaJobITCase {

  static final int PARALLELISM = 2;
  static final int PARTITIONS = 3;
  static KafkaBroker broker;
  static MiniCluster cluster;

  @TempDir Path tmp;

  @BeforeAll
  static void start() throws Exception {
    broker = KafkaBroker.start();
    cluster = MiniClusters.start(PARALLELISM);
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

  static JobSettings settings(String topic, String group, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--kafka-bootstrap", broker.bootstrapServers(),
                "--topic", topic,
                "--group-id", group,
                "--start-from", "earliest",
                "--session-gap", "30m",
                "--allowed-lateness", "2h",
                "--source-idleness", "0",
                "--flush-interval", "200ms",
                "--parallelism", String.valueOf(PARALLELISM)));
    args.addAll(List.of(extra));
    return JobSettings.parse(args.toArray(String[]::new), Map.of());
  }

  static StreamExecutionEnvironment env(JobSettings s, TestSinks sinks) {
    StreamExecutionEnvironment env = new TestStreamEnvironment(cluster, PARALLELISM);
    AnalyticsJob.configure(env, s);
    Configuration restart = new Configuration();
    restart.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    restart.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    restart.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
    env.configure(restart);
    AnalyticsJob.build(
        env,
        s,
        KafkaSources.create(s.kafkaSettings()),
        ServerClockWatermarks.strategy(s.watermarkBound(), s.sourceIdleness(), s.bounded()),
        sinks.jobSinks());
    return env;
  }

  static Tables reference(List<MediaEvent> received) {
    return Reference.compute(received, Scenario.G, Scenario.A, FunnelStages.DEFAULT);
  }

  static Scenario scenario(long seed) {
    Scenario s = Scenario.generate(seed, 12, 12);
    assertThat(reference(s.received()).funnel())
        .as("a scenario with something to count")
        .isNotEmpty();
    return s;
  }

  @Test
  void shouldKeepEveryTableExactWhileEventsStreamInAndRebuildThemWithBoundedBackfill()
      throws Exception {
    String topic = "live-and-backfill";
    broker.createTopic(topic, PARTITIONS);
    Scenario s = scenario(42);
    Tables expected = reference(s.received());
    String garbageSource;
    try (TopicWriter w = new TopicWriter(broker.bootstrapServers(), topic)) {
      w.write(s.received());
      garbageSource = w.writeRaw("{\"v\":1,\"appid\":".getBytes(StandardCharsets.UTF_8));
    }

    TestSinks live = new TestSinks();
    JobClient job = env(settings(topic, "live"), live).executeAsync("live");
    try {
      // Totals are written as events arrive, without waiting for sessions to end.
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(300))
          .untilAsserted(
              () ->
                  assertThat(live.tables().withoutUnattributedJoins())
                      .isEqualTo(expected.withoutUnattributedJoins()));
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(live.deadLetters()).hasSize((int) s.lateCount() + 1));
      assertThat(live.deadLetters())
          .filteredOn(d -> d.reason().equals(DeadLetter.MALFORMED))
          .extracting(DeadLetter::source)
          .containsExactly(garbageSource);
    } finally {
      job.cancel().get();
      live.close();
    }

    // A backfill over the same topic stops at its end and rebuilds the same tables.
    TestSinks backfill = new TestSinks();
    try {
      env(settings(topic, "backfill", "--bounded", "--checkpoint-interval", "off"), backfill)
          .execute("backfill");
      assertThat(backfill.tables()).isEqualTo(expected);
      assertThat(backfill.deadLetters()).hasSize((int) s.lateCount() + 1);
    } finally {
      backfill.close();
    }
  }

  @Test
  void shouldKeepTablesExactAfterTheJobFailsAndRestoresFromACheckpoint() throws Exception {
    String topic = "failover";
    broker.createTopic(topic, PARTITIONS);
    Scenario s = scenario(7);
    int half = s.received().size() / 2;
    List<MediaEvent> first = s.received().subList(0, half);
    List<MediaEvent> second = s.received().subList(half, s.received().size());
    Path checkpoints = Files.createDirectories(tmp.resolve("checkpoints"));

    TestSinks sinks = new TestSinks();
    JobClient job =
        env(
                settings(
                    topic,
                    "failover",
                    "--checkpoint-interval",
                    "300ms",
                    "--checkpoint-dir",
                    checkpoints.toUri().toString()),
                sinks)
            .executeAsync("failover");
    try (TopicWriter w = new TopicWriter(broker.bootstrapServers(), topic)) {
      w.write(first);
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(300))
          .untilAsserted(
              () ->
                  assertThat(sinks.tables().withoutUnattributedJoins())
                      .isEqualTo(reference(first).withoutUnattributedJoins()));

      // The next row written fails the job mid-stream; it restarts from its last checkpoint.
      sinks.failOnceAfter(1);
      w.write(second);
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(300))
          .untilAsserted(
              () -> {
                assertThat(sinks.failures()).isEqualTo(1);
                assertThat(sinks.tables().withoutUnattributedJoins())
                    .isEqualTo(reference(s.received()).withoutUnattributedJoins());
              });
      // Dead letters may be written again on replay; their source makes them one per record.
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(
                          sinks.deadLetters().stream()
                              .map(DeadLetter::source)
                              .collect(Collectors.toSet()))
                      .hasSize((int) s.lateCount()));
    } finally {
      job.cancel().get();
      sinks.close();
    }
  }
}
