package io.upbot.local.bench;

import io.upbot.schema.MediaEventCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes {@link JourneyFillRecords} to a new topic as the endpoint would (docs/stream.md): key
 * {@code appid|trace}, value {@link MediaEventCodec}'s JSON, timestamp {@code received_at}, an
 * idempotent lz4 producer with {@code acks=all}.
 */
final class JourneyFill {

  private JourneyFill() {}

  /** What a fill wrote. */
  record Filled(String topic, long records, long journeys, long duplicates, long millis) {}

  /** Creates {@code topic} with {@code partitions} and writes every record of {@code records}. */
  static Filled fill(String bootstrap, String topic, int partitions, JourneyFillRecords records)
      throws Exception {
    createTopic(bootstrap, topic, partitions);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    long started = System.nanoTime();
    long n = 0;
    AtomicReference<Exception> failed = new AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      while (records.hasNext() && failed.get() == null) {
        JourneyFillRecords.FillRecord r = records.next();
        producer.send(
            new ProducerRecord<>(
                topic,
                null,
                r.event().receivedAt(),
                r.key().getBytes(StandardCharsets.UTF_8),
                MediaEventCodec.encode(r.event())),
            (meta, e) -> {
              if (e != null) {
                failed.compareAndSet(null, e);
              }
            });
        n++;
      }
      producer.flush();
    }
    if (failed.get() != null) {
      throw new IllegalStateException("writing the bench topic failed", failed.get());
    }
    return new Filled(
        topic,
        n,
        records.journeys(),
        records.duplicates(),
        (System.nanoTime() - started) / 1_000_000);
  }

  private static void createTopic(String bootstrap, String topic, int partitions)
      throws InterruptedException, ExecutionException {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      // Kept whatever the records' timestamps: retention by time would drop simulated old hours.
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, partitions, (short) 1)
                      .configs(Map.of("retention.ms", "-1", "retention.bytes", "-1"))))
          .all()
          .get();
    }
  }
}
