package io.upbot.wecom;

import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads pending callbacks from the outbox topic, looks each group up in WeCom's API and writes the
 * join records to the events topic, in one Kafka transaction with the outbox offset: a callback
 * leaves the outbox exactly when its records are written (docs/wecom.md#the-outbox). A failed
 * lookup leaves the callback where it is and is tried again with exponential backoff, for as long
 * as it takes; only a callback WeCom says it can never answer (the chat is gone) or a malformed one
 * goes to the dead-letter topic, with the reason in a header.
 */
public final class JoinResolver implements AutoCloseable {

  /** How the resolver reaches Kafka and how it waits. */
  public record Settings(
      String bootstrap,
      String callbacksTopic,
      String eventsTopic,
      String deadLetterTopic,
      String groupId,
      String transactionalId,
      Duration initialBackoff,
      Duration maxBackoff,
      Duration missingMemberGrace) {}

  /** Errcodes that mean the chat cannot be read, ever: not found, not a customer group. */
  static final Set<Integer> CHAT_GONE = Set.of(40050, 90501);

  private static final Logger LOG = LoggerFactory.getLogger(JoinResolver.class);

  /** The longest a transaction call, or the wait for one record's acknowledgement, may block. */
  private static final Duration MAX_BLOCK = Duration.ofSeconds(15);

  private enum Outcome {
    DONE,
    RETRY
  }

  private final Settings settings;
  private final WeComApi api;
  private final JoinRecords joins;
  private final WeComMetrics metrics;
  private final LongSupplier clock;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> producer;
  private final Thread thread;
  private final CountDownLatch stop = new CountDownLatch(1);
  private volatile boolean stopped;

  public JoinResolver(
      Settings settings,
      WeComApi api,
      JoinRecords joins,
      WeComMetrics metrics,
      LongSupplier clock) {
    this.settings = settings;
    this.api = api;
    this.joins = joins;
    this.metrics = metrics;
    this.clock = clock;
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Each record may wait for API retries; keep batches small and the poll interval generous.
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10");
    c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "900000");
    this.consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.transactionalId());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "upbot-wecom-resolver");
    // Transaction calls block at most this long (default 60 s): a fenced or cut-off resolver
    // finds out, aborts and retries or stops sooner.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(MAX_BLOCK.toMillis()));
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    this.thread = new Thread(this::run, "upbot-wecom-resolver");
  }

  /** Whether the resolver is working: started, not stopped, and its thread has not died. */
  public boolean isRunning() {
    return thread.isAlive() && !stopped;
  }

  /** Starts the resolver's thread. */
  public JoinResolver start() {
    thread.start();
    return this;
  }

  private void run() {
    try {
      producer.initTransactions();
      // From here on a resolver started later with the same id fences this one, not the reverse.
      metrics.resolverReady(true);
      LOG.info("Resolver holds transactional id {}", settings.transactionalId());
      consumer.subscribe(List.of(settings.callbacksTopic()));
      Duration backoff = settings.initialBackoff();
      while (!stopped) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
        boolean retry = false;
        for (TopicPartition tp : records.partitions()) {
          for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
            if (stopped) {
              return;
            }
            if (resolve(tp, r) == Outcome.RETRY) {
              // Read it (and what follows it in this partition) again after the backoff.
              consumer.seek(tp, r.offset());
              retry = true;
              break;
            }
          }
        }
        if (retry) {
          metrics.lookupRetry();
          long now = clock.getAsLong();
          metrics.lookupFailingSinceIfUnset(now);
          long half = backoff.toMillis() / 2;
          long wait = half + ThreadLocalRandom.current().nextLong(backoff.toMillis() - half + 1);
          if (stop.await(wait, TimeUnit.MILLISECONDS)) {
            return;
          }
          backoff = min(backoff.multipliedBy(2), settings.maxBackoff());
        } else if (!records.isEmpty()) {
          backoff = settings.initialBackoff();
          metrics.lookupFailingSince(0);
        }
      }
    } catch (WakeupException e) {
      // close() woke the poll up.
    } catch (ProducerFencedException e) {
      LOG.error(
          "Another resolver with the same transactional id took over ({}); stopping",
          e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("The resolver stopped on an unexpected error; pending callbacks stay stored", e);
    } finally {
      metrics.resolverReady(false);
    }
  }

  private Outcome resolve(TopicPartition tp, ConsumerRecord<byte[], byte[]> r)
      throws InterruptedException {
    PendingCallback c;
    try {
      c = PendingCallback.decode(r.value());
    } catch (IOException | RuntimeException e) {
      return deadLetter(tp, r, "malformed");
    }
    WeComApi.GroupChat group;
    try {
      group = api.groupChat(c.chatId());
    } catch (WeComApi.ApiException e) {
      if (CHAT_GONE.contains(e.errcode())) {
        return deadLetter(tp, r, "errcode_" + e.errcode());
      }
      LOG.warn("Lookup of chat {} failed, will retry: {}", c.chatId(), e.getMessage());
      return Outcome.RETRY;
    }
    long now = clock.getAsLong();
    JoinRecords.Result result = joins.of(c, group, now);
    if (!result.missing().isEmpty()
        && now - c.receivedAt() < settings.missingMemberGrace().toMillis()) {
      LOG.info(
          "Chat {} does not list {} of its new members yet; will look again",
          c.chatId(),
          result.missing().size());
      return Outcome.RETRY;
    }
    result.missing().forEach(u -> metrics.memberSkipped("not_in_group"));
    return write(tp, r, result.records());
  }

  private Outcome write(
      TopicPartition tp, ConsumerRecord<byte[], byte[]> r, List<MediaEvent> records)
      throws InterruptedException {
    List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(records.size());
    for (MediaEvent e : records) {
      out.add(
          new ProducerRecord<>(
              settings.eventsTopic(),
              e.kafkaKey().getBytes(StandardCharsets.UTF_8),
              MediaEventCodec.encode(e)));
    }
    try {
      transact(tp, r, out);
      metrics.joinRecords(records.size());
      return Outcome.DONE;
    } catch (KafkaException e) {
      rethrowIfFenced(e);
      LOG.warn("Could not write the join records of offset {}: {}", r.offset(), e.toString());
      abortQuietly();
      return Outcome.RETRY;
    }
  }

  private Outcome deadLetter(TopicPartition tp, ConsumerRecord<byte[], byte[]> r, String reason)
      throws InterruptedException {
    ProducerRecord<byte[], byte[]> dl =
        new ProducerRecord<>(settings.deadLetterTopic(), r.key(), r.value());
    dl.headers().add("reason", reason.getBytes(StandardCharsets.UTF_8));
    try {
      transact(tp, r, List.of(dl));
      metrics.deadLettered(reason);
      LOG.error("Callback at {}@{} dead-lettered: {}", tp, r.offset(), reason);
      return Outcome.DONE;
    } catch (KafkaException e) {
      rethrowIfFenced(e);
      abortQuietly();
      return Outcome.RETRY;
    }
  }

  /**
   * Sends {@code out} and moves the outbox past {@code r}, in one transaction. Every send is
   * awaited before the offsets are added: a fenced producer learns it from its first send at once,
   * whereas {@code sendOffsetsToTransaction} would wait out the whole {@code max.block.ms} and then
   * report a timeout, which looks like a passing network fault.
   */
  private void transact(
      TopicPartition tp, ConsumerRecord<byte[], byte[]> r, List<ProducerRecord<byte[], byte[]>> out)
      throws InterruptedException {
    producer.beginTransaction();
    List<Future<RecordMetadata>> sent = new ArrayList<>(out.size());
    for (ProducerRecord<byte[], byte[]> record : out) {
      sent.add(producer.send(record));
    }
    for (Future<RecordMetadata> f : sent) {
      try {
        f.get(MAX_BLOCK.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof KafkaException k ? k : new KafkaException(e.getCause());
      } catch (java.util.concurrent.TimeoutException e) {
        throw new org.apache.kafka.common.errors.TimeoutException(
            "a record was not acknowledged within " + MAX_BLOCK.toMillis() + " ms");
      }
    }
    commit(tp, r);
  }

  private void commit(TopicPartition tp, ConsumerRecord<byte[], byte[]> r) {
    producer.sendOffsetsToTransaction(
        Map.of(tp, new OffsetAndMetadata(r.offset() + 1)), consumer.groupMetadata());
    producer.commitTransaction();
  }

  private void abortQuietly() {
    try {
      producer.abortTransaction();
    } catch (KafkaException e) {
      rethrowIfFenced(e);
      LOG.warn("Could not abort a transaction: {}", e.toString());
    }
  }

  /** Another producer with our transactional id took over: this resolver must stop, not retry. */
  private static void rethrowIfFenced(KafkaException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ProducerFencedException fenced) {
        throw fenced;
      }
      // A fenced producer's sends can fail with this abortable error first; aborting and trying
      // again would meet it again for ever, a resolver that looks healthy and writes nothing.
      if (t instanceof InvalidProducerEpochException epoch) {
        throw new ProducerFencedException(epoch.getMessage());
      }
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  @Override
  public void close() {
    stopped = true;
    stop.countDown();
    consumer.wakeup();
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      consumer.close(Duration.ofSeconds(5));
    } catch (RuntimeException e) {
      LOG.debug("closing the consumer", e);
    }
    producer.close(Duration.ofSeconds(5));
  }
}
