package io.upbot.ingest;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Where accepted records go: Kafka in production ({@link KafkaRecordWriter}), memory in unit tests.
 *
 * <p>{@link #send} never blocks: it either throws at once (the record was refused, e.g. the buffer
 * is full) or calls {@code onComplete} later, exactly once, with {@code null} when the record is
 * durable or the error that stopped it. The callback may run on any thread, including the caller's.
 */
public interface RecordWriter extends AutoCloseable {

  void send(
      String topic, byte[] key, byte[] value, long timestampMillis, Consumer<Exception> onComplete);

  /** Whether the destination is reachable now (for {@code /readyz}); must not block. */
  boolean isReady();

  /** Flushes what was sent and releases resources, waiting at most {@code timeout}. */
  void close(Duration timeout);

  @Override
  default void close() {
    close(Duration.ofSeconds(10));
  }
}
