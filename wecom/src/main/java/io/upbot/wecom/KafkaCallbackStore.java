package io.upbot.wecom;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox on Kafka: each callback is one record on the callbacks topic, keyed by its chat (so a
 * group's changes stay in order), written by an idempotent {@code acks=all} producer; {@link
 * #store} returns only once every in-sync replica has it.
 */
public final class KafkaCallbackStore implements CallbackStore {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaCallbackStore.class);

  private final KafkaProducer<byte[], byte[]> producer;
  private final String bootstrap;
  private final String topic;
  private final Duration deadline;

  public KafkaCallbackStore(String bootstrap, String topic, Duration deadline) {
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.deadline = deadline;
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "upbot-wecom-receiver");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(deadline.toMillis()));
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  @Override
  public void store(PendingCallback c) throws StoreException {
    long start = System.nanoTime();
    try {
      producer
          .send(
              new ProducerRecord<>(topic, c.chatId().getBytes(StandardCharsets.UTF_8), c.encode()))
          .get(Math.max(1, deadline.toMillis() - elapsedMs(start)), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new StoreException("Kafka refused the callback: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new StoreException("Kafka did not acknowledge the callback in " + deadline, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted", e);
    } catch (org.apache.kafka.common.KafkaException e) {
      // send() itself throws when metadata cannot be had within max.block.ms.
      throw new StoreException("Kafka unavailable: " + e.getMessage(), e);
    }
  }

  private static long elapsedMs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  /**
   * The keys stored in the last {@code window}, read from the topic at start so that a restarted
   * receiver still recognises WeCom's resends of callbacks it stored before. Best effort: when
   * Kafka cannot be read within the deadline the receiver starts with none and says so.
   */
  public List<String> recentKeys(Duration window, long nowMillis) {
    List<String> keys = new ArrayList<>();
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    Duration timeout = Duration.ofSeconds(10);
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      c.partitionsFor(topic, timeout)
          .forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
      c.assign(parts);
      Map<TopicPartition, Long> since = new HashMap<>();
      parts.forEach(tp -> since.put(tp, nowMillis - window.toMillis()));
      Map<TopicPartition, OffsetAndTimestamp> from = c.offsetsForTimes(since, timeout);
      Map<TopicPartition, Long> end = c.endOffsets(parts, timeout);
      for (TopicPartition tp : parts) {
        OffsetAndTimestamp o = from.get(tp);
        c.seek(tp, o == null ? end.get(tp) : o.offset());
      }
      long deadlineNanos = System.nanoTime() + timeout.toNanos();
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadlineNanos) {
          LOG.warn("Read only part of {} for resends; older ones may be stored again", topic);
          break;
        }
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          try {
            keys.add(PendingCallback.decode(r.value()).key());
          } catch (java.io.IOException e) {
            // Not a callback: the resolver dead-letters it; nothing to remember here.
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("Could not read {} for recent callbacks ({}); starting without them", topic, e);
    }
    return keys;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
