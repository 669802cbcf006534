package io.upbot.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.upbot.job.model.FunnelStages;
import io.upbot.job.sink.JdbcSettings;
import io.upbot.job.source.BackfillProgress;
import io.upbot.job.testing.DatabaseTables;
import io.upbot.job.testing.Reference;
import io.upbot.job.testing.Scenario;
import io.upbot.job.testing.TopicWriter;
import io.upbot.testkit.KafkaBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code --bounded} backfill run as the command line runs it (attached, on an embedded Flink)
 * prints its progress against the topic's end offsets while it reads, then a summary; the progress
 * is the backfill group's committed offsets, read from a real broker.
 */
class BackfillProgressITCase {

  static KafkaBroker broker;

  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    broker = KafkaBroker.start();
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void shouldReportTheGroupsCommittedOffsetsAgainstTheEndOffsetsSeenAtStart() throws Exception {
    String topic = "progress-offsets";
    broker.createTopic(topic, 2);
    Scenario s = Scenario.generate(3, 12, 12);
    try (TopicWriter w = new TopicWriter(broker.bootstrapServers(), topic)) {
      w.write(s.received());
    }
    Map<TopicPartition, Long> end = endOffsets(topic);
    JobSettings settings =
        JobSettings.parse(
            new String[] {
              "--kafka-bootstrap",
              broker.bootstrapServers(),
              "--topic",
              topic,
              "--group-id",
              "progress",
              "--start-from",
              "earliest",
              "--bounded"
            },
            Map.of());
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    try (BackfillProgress progress =
        BackfillProgress.start(settings.kafkaSettings(), out, Duration.ofMillis(200))) {
      assertThat(progress).isNotNull();
      // What the source commits as it reads: here half of partition 0.
      long half = end.get(new TopicPartition(topic, 0)) / 2;
      commit("progress", Map.of(new TopicPartition(topic, 0), half));
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(printed.toString(StandardCharsets.UTF_8))
                      .contains(
                          String.format("backfill: %,d of %,d records", half, s.received().size()))
                      .contains(
                          "offsets p0 "
                              + half
                              + "/"
                              + end.get(new TopicPartition(topic, 0))
                              + ", p1 0/"
                              + end.get(new TopicPartition(topic, 1))));
      progress.finished();
    }
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .startsWith(
            String.format(
                "backfill: %,d records to read from 2 partitions of %s",
                s.received().size(), topic))
        .contains(
            String.format("backfill done: %,d records from 2 partitions", s.received().size()));
  }

  static Map<TopicPartition, Long> endOffsets(String topic) {
    try (KafkaConsumer<byte[], byte[]> c = consumer("end-offsets")) {
      List<TopicPartition> parts =
          c.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      return c.endOffsets(parts);
    }
  }

  static void commit(String group, Map<TopicPartition, Long> offsets) {
    try (KafkaConsumer<byte[], byte[]> c = consumer(group)) {
      Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
      offsets.forEach((tp, o) -> commits.put(tp, new OffsetAndMetadata(o)));
      c.commitSync(commits);
    }
  }

  static KafkaConsumer<byte[], byte[]> consumer(String group) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @Test
  void shouldPrintRecordsReadAgainstEachPartitionsEndOffsetWhileABackfillRunsThenASummary()
      throws Exception {
    String topic = "backfill-progress";
    Scenario s = Scenario.generate(5, 30, 12);
    int records = s.received().size();
    String url = "jdbc:sqlite:" + tmp.resolve("rebuilt.db");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    broker.createTopic(topic, 3);
    try (TopicWriter w = new TopicWriter(broker.bootstrapServers(), topic)) {
      w.write(s.received());
    }

    JobMain.run(
        new String[] {
          "--kafka-bootstrap",
          broker.bootstrapServers(),
          "--topic",
          topic,
          "--group-id",
          "backfill-progress",
          "--start-from",
          "earliest",
          "--bounded",
          "--checkpoint-interval",
          "off",
          "--jdbc-url",
          url,
          "--session-gap",
          "30m",
          "--allowed-lateness",
          "2h",
          "--parallelism",
          "2"
        },
        Map.of(),
        new PrintStream(printed, true, StandardCharsets.UTF_8),
        () -> StreamExecutionEnvironment.createLocalEnvironment(2),
        Duration.ofMillis(300));
    String out = printed.toString(StandardCharsets.UTF_8);

    assertThat(out)
        .contains(String.format("backfill: %,d records to read from 3 partitions", records));
    Matcher progress =
        Pattern.compile(
                "backfill: ([0-9,]+) of "
                    + String.format("%,d", records)
                    + " records \\([0-9.]+%\\),"
                    + " [0-9,]+ records/s, time left [^;]+; offsets p0 \\d+/\\d+, p1 \\d+/\\d+, p2 \\d+/\\d+\\n")
            .matcher(out);
    assertThat(progress.find()).as("a progress line in%n%s", out).isTrue();
    assertThat(out)
        .containsPattern(
            String.format(
                "backfill done: %,d records from 3 partitions in [0-9.]+ s \\([0-9,]+ records/s\\)",
                records));
    // The summary comes last, once the job wrote every total.
    List<String> lines = out.lines().toList();
    assertThat(lines.get(lines.size() - 1)).startsWith("backfill done:");
    assertThat(DatabaseTables.read(JdbcSettings.defaults(url)))
        .isEqualTo(Reference.compute(s.received(), Scenario.G, Scenario.A, FunnelStages.DEFAULT));
  }
}
