package io.upbot.ingest;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes records with an idempotent {@code acks=all} producer that never blocks the caller.
 *
 * <p>{@code max.block.ms=0}: when the buffer is full or the topic's metadata is unknown, {@code
 * send} fails at once (the client gets 1005) instead of parking an I/O thread. To keep the topic's
 * metadata known, a background task touches it every second ({@code partitionsFor}, which with
 * max.block.ms=0 either answers from the cache or starts a fetch and returns); this also stops the
 * producer from expiring an idle topic's metadata. The same task asks the cluster for its nodes
 * (with a short timeout, off the I/O threads) to answer {@code /readyz}.
 */
public final class KafkaRecordWriter implements RecordWriter {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaRecordWriter.class);
  private static final long PROBE_INTERVAL_MS = 1000;

  private final KafkaProducer<byte[], byte[]> producer;
  private final Admin admin;
  private final String topic;
  private final ScheduledExecutorService probe;
  private volatile boolean metadataKnown;
  private volatile boolean clusterReachable;
  private volatile boolean loggedUnready;

  public KafkaRecordWriter(IngestConfig config) {
    this.topic = config.topic();
    Properties p = producerProperties(config);
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());

    Properties a = new Properties();
    // The admin client shares connection settings (security, SASL) but not producer-only keys.
    config
        .kafkaProperties()
        .forEach(
            (k, v) -> {
              if (AdminClientConfig.configNames().contains(k)) {
                a.put(k, v);
              }
            });
    a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
    a.put(AdminClientConfig.CLIENT_ID_CONFIG, "upbot-ingest-readiness");
    a.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
    a.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "2000");
    a.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
    this.admin = Admin.create(a);

    this.probe =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "upbot-kafka-probe");
              t.setDaemon(true);
              return t;
            });
    probe.scheduleWithFixedDelay(this::probeOnce, 0, PROBE_INTERVAL_MS, TimeUnit.MILLISECONDS);
  }

  /**
   * The producer's settings: the configured extras, then what the endpoint's promise needs
   * (acks=all, idempotence, never blocking the caller) and the tuning flags. Public so a benchmark
   * can measure Kafka's own producer with exactly these settings.
   */
  public static Properties producerProperties(IngestConfig config) {
    Properties p = new Properties();
    p.putAll(config.kafkaProperties());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "0");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, config.kafkaCompression());
    p.put(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(config.kafkaLingerMs()));
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(config.kafkaBatchSize()));
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(config.kafkaBufferMemory()));
    p.put(
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
        String.valueOf(config.kafkaDeliveryTimeout().toMillis()));
    p.put(
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
        String.valueOf(config.kafkaRequestTimeout().toMillis()));
    p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "upbot-ingest");
    // Reconnect quickly after a broker restart so the endpoint recovers within seconds.
    p.putIfAbsent(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
    return p;
  }

  private void probeOnce() {
    try {
      try {
        metadataKnown = !producer.partitionsFor(topic).isEmpty();
      } catch (RuntimeException e) {
        // max.block.ms=0: an unknown topic throws at once while the fetch it started goes on.
        metadataKnown = false;
      }
      try {
        clusterReachable =
            !admin
                .describeCluster(new DescribeClusterOptions().timeoutMs(2000))
                .nodes()
                .get(3, TimeUnit.SECONDS)
                .isEmpty();
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        clusterReachable = false;
      }
      boolean ready = isReady();
      if (!ready && !loggedUnready) {
        LOG.warn(
            "Kafka not ready (cluster reachable: {}, topic {} metadata known: {})",
            clusterReachable,
            topic,
            metadataKnown);
        loggedUnready = true;
      } else if (ready && loggedUnready) {
        LOG.info("Kafka ready again");
        loggedUnready = false;
      }
    } catch (RuntimeException e) {
      LOG.warn("Kafka readiness probe failed", e);
    }
  }

  @Override
  public void send(
      String topic,
      byte[] key,
      byte[] value,
      long timestampMillis,
      Consumer<Exception> onComplete) {
    producer.send(
        new ProducerRecord<>(topic, null, timestampMillis, key, value),
        (metadata, exception) -> onComplete.accept(exception));
  }

  @Override
  public boolean isReady() {
    return clusterReachable && metadataKnown;
  }

  @Override
  public void close(Duration timeout) {
    probe.shutdownNow();
    try {
      producer.close(timeout);
    } finally {
      admin.close(Duration.ofSeconds(2));
    }
  }
}
