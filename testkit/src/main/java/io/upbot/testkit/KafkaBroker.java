package io.upbot.testkit;

import io.upbot.localkafka.KafkaBrokerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A real KRaft broker for integration tests, in its own JVM, on free ports, with data in a fresh
 * temporary folder. Ready means the cluster answers an admin request. Stop, kill and restart
 * simulate outages.
 */
public final class KafkaBroker implements AutoCloseable {

  private final KafkaBrokerProcess process;

  private KafkaBroker(KafkaBrokerProcess process) {
    this.process = process;
  }

  /** Starts a broker with its data in a new temporary folder. */
  public static KafkaBroker start() {
    try {
      Path dir = Files.createTempDirectory("upbot-kafka-");
      KafkaBroker broker =
          new KafkaBroker(
              KafkaBrokerProcess.start(KafkaBrokerProcess.libsFromSystemProperty(), dir, 0, 0));
      broker.awaitReady(Duration.ofSeconds(60));
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String bootstrapServers() {
    return process.bootstrapServers();
  }

  public Path logFile() {
    return process.logFile();
  }

  /** Creates a topic unless it exists. */
  public void createTopic(String name, int partitions) {
    try (Admin admin = admin()) {
      admin
          .createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("could not create topic " + name, e.getCause());
      }
    } catch (InterruptedException | TimeoutException e) {
      throw new IllegalStateException("could not create topic " + name, e);
    }
  }

  /** Every record now in the topic, from the beginning, in partition then offset order. */
  public List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    return readAll(bootstrapServers(), topic);
  }

  /**
   * Every record now in {@code topic} of the cluster at {@code bootstrap}, in partition then offset
   * order.
   */
  public static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .collect(Collectors.toList());
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
      List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("timed out reading " + topic);
        }
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      out.sort(
          (a, b) ->
              a.partition() != b.partition()
                  ? Integer.compare(a.partition(), b.partition())
                  : Long.compare(a.offset(), b.offset()));
      return out;
    }
  }

  /** The number of records now in the topic (end minus beginning offsets). */
  public long count(String topic) {
    return readAll(topic).size();
  }

  /** Stops the broker gracefully. */
  public void stop() {
    process.stop();
  }

  /** Kills the broker as a crash would. */
  public void kill() {
    process.kill();
  }

  /** Starts the broker again on the same ports and data, and waits until it serves. */
  public void restart() {
    try {
      process.start();
      awaitReady(Duration.ofSeconds(60));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An admin client for this broker; the caller closes it. */
  public Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    return Admin.create(p);
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try (Admin admin = admin()) {
        Set<String> ignored = admin.listTopics().names().get(5, TimeUnit.SECONDS);
        if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException(
        "Kafka broker not ready in " + timeout + "; see " + process.logFile(), last);
  }

  @Override
  public void close() {
    process.close();
    deleteQuietly(process.dataDir());
  }

  private static void deleteQuietly(Path dir) {
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // A leftover temp folder is harmless.
    }
  }
}
