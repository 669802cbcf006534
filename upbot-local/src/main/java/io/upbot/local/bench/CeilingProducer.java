package io.upbot.local.bench;

import io.upbot.ingest.IngestConfig;
import io.upbot.ingest.KafkaRecordWriter;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka ceiling P: what Kafka's own producer reaches against the same broker with the
 * endpoint's producer settings ({@link KafkaRecordWriter#producerProperties}: acks=all,
 * idempotence, the same compression, linger and batch size), as fast as the producer takes them.
 * The loop is Kafka's {@code ProducerPerformance} (whose tool jar is not on this classpath): no
 * key, each value {@code recordSize} random upper-case letters drawn afresh per record, the one
 * array refilled (the producer copies it into its batch within {@code send}). The only difference:
 * a full buffer blocks this loop instead of failing the send, since here there is no client to
 * answer.
 */
final class CeilingProducer {

  /**
   * Records acknowledged per second in the window, all records acknowledged, and the first error
   * seen (or null).
   */
  record Result(double recordsPerSecond, long ackedTotal, long errors, String firstError) {

    /** A run that did not happen. */
    static final Result NONE = new Result(0, 0, 0, null);

    /** Runs of equal windows as one: the mean of their rates, their counts added. */
    static Result merge(List<Result> runs) {
      if (runs.isEmpty()) {
        return NONE;
      }
      double rate = 0;
      long acked = 0;
      long errors = 0;
      String first = null;
      for (Result r : runs) {
        rate += r.recordsPerSecond;
        acked += r.ackedTotal;
        errors += r.errors;
        first = first == null ? r.firstError : first;
      }
      return new Result(rate / runs.size(), acked, errors, first);
    }
  }

  private CeilingProducer() {}

  /**
   * Sends records of {@code recordSize} bytes to {@code topic} for {@code warmup + measure}; counts
   * the acknowledgements that arrive in the measured window.
   */
  static Result run(
      IngestConfig config, String topic, int recordSize, Duration warmup, Duration measure) {
    SplittableRandom random = new SplittableRandom(42);
    byte[] payload = new byte[recordSize];
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
      long now;
      while ((now = System.nanoTime()) < end) {
        if (windowStart < 0 && now >= measureFrom) {
          windowStart = now;
          atStart = acked.get();
        }
        for (int j = 0; j < payload.length; j++) {
          payload[j] = (byte) (random.nextInt(26) + 65);
        }
        producer.send(
            new ProducerRecord<>(topic, null, System.currentTimeMillis(), null, payload),
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
