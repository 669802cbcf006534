package io.upbot.local.bench;

import io.upbot.ingest.IngestConfig;
import io.upbot.ingest.KafkaRecordWriter;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka ceiling P: what Kafka's own producer reaches against the same broker with the
 * endpoint's producer settings ({@link KafkaRecordWriter#producerProperties}: acks=all,
 * idempotence, the same compression, linger and batch size), sending the very records the endpoint
 * writes, as fast as the producer takes them, like Kafka's {@code ProducerPerformance}. The only
 * difference: a full buffer blocks this loop instead of failing the send, since here there is no
 * client to answer.
 */
final class CeilingProducer {

  /**
   * Records acknowledged per second in the window, all records acknowledged, and the first error
   * seen (or null).
   */
  record Result(double recordsPerSecond, long ackedTotal, long errors, String firstError) {}

  private CeilingProducer() {}

  /**
   * Sends {@code records} (key, value pairs) in turn to {@code topic} for {@code warmup + measure};
   * counts the acknowledgements that arrive in the measured window.
   */
  static Result run(
      IngestConfig config,
      String topic,
      List<byte[][]> records,
      Duration warmup,
      Duration measure) {
    Properties p = KafkaRecordWriter.producerProperties(config);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "upbot-bench-ceiling");
    AtomicLong acked = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    long windowStart;
    long windowAcked;
    double seconds;
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      long start = System.nanoTime();
      long measureFrom = start + warmup.toNanos();
      long end = measureFrom + measure.toNanos();
      windowStart = -1;
      long atStart = 0;
      int i = 0;
      long now;
      while ((now = System.nanoTime()) < end) {
        if (windowStart < 0 && now >= measureFrom) {
          windowStart = now;
          atStart = acked.get();
        }
        byte[][] kv = records.get(i);
        i = (i + 1) % records.size();
        producer.send(
            new ProducerRecord<>(topic, null, System.currentTimeMillis(), kv[0], kv[1]),
            (metadata, e) -> {
              if (e == null) {
                acked.incrementAndGet();
              } else {
                errors.incrementAndGet();
                firstError.compareAndSet(null, e.toString());
              }
            });
      }
      windowAcked = acked.get() - atStart;
      seconds = (System.nanoTime() - windowStart) / 1e9;
      producer.flush();
      producer.close(Duration.ofSeconds(30));
    }
    return new Result(
        seconds > 0 ? windowAcked / seconds : 0, acked.get(), errors.get(), firstError.get());
  }
}
