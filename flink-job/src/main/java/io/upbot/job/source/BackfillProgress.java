package io.upbot.job.source;

import io.upbot.job.StartFrom;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Prints a {@code --bounded} backfill's progress while the job runs: every few seconds the records
 * read against each partition's end offset, the rate and an estimate of the time left, then a
 * summary.
 *
 * <p>It reads what works wherever {@code main} waits for the job (the command line, {@code flink
 * run} attached, {@code ./upbot job}): the end offsets once at start, as the bounded source does,
 * and then the consumer group's committed offsets, which the source commits as it reads (on each
 * checkpoint, or every second when a backfill runs without checkpoints, see {@link KafkaSources}).
 * Anyone can follow the same figures with {@code kafka-consumer-groups.sh --describe --group …}.
 */
public final class BackfillProgress implements AutoCloseable {

  /** Reads the consumer group's committed offsets of the topic, by partition. */
  @FunctionalInterface
  interface CommittedOffsets {
    Map<Integer, Long> read() throws Exception;
  }

  private final CommittedOffsets committed;
  private final Runnable release;
  private final Offsets offsets;
  private final PrintStream out;
  private final LongSupplier nanoClock;
  private final long startNanos;
  private final ScheduledExecutorService timer;

  private BackfillProgress(
      CommittedOffsets committed,
      Runnable release,
      Offsets offsets,
      PrintStream out,
      LongSupplier nanoClock) {
    this.committed = committed;
    this.release = release;
    this.offsets = offsets;
    this.out = out;
    this.nanoClock = nanoClock;
    this.startNanos = nanoClock.getAsLong();
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "upbot-backfill-progress");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Prints {@code offsets} and then, every {@code every}, the progress {@code committed} reads;
   * {@code release} runs on {@link #close}.
   */
  static BackfillProgress reporting(
      CommittedOffsets committed,
      Runnable release,
      Offsets offsets,
      PrintStream out,
      LongSupplier nanoClock,
      Duration every) {
    BackfillProgress progress = new BackfillProgress(committed, release, offsets, out, nanoClock);
    long ms = every.toMillis();
    progress.timer.scheduleAtFixedRate(progress::report, ms, ms, TimeUnit.MILLISECONDS);
    return progress;
  }

  /**
   * Reads where the backfill starts and ends, prints it, and prints the progress every {@code
   * every}. Returns null (after saying why) when Kafka cannot tell: the backfill itself goes on
   * regardless.
   */
  public static BackfillProgress start(KafkaSettings s, PrintStream out, Duration every) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrap());
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, s.groupId() + "-progress");
    Admin admin = Admin.create(p);
    try {
      Offsets offsets = readOffsets(admin, s.topic(), s.groupId(), s.startFrom());
      out.printf(
          "backfill: %,d records to read from %d partitions of %s (up to the end offsets %s)%n",
          offsets.total(), offsets.end().size(), s.topic(), offsets.end());
      return reporting(
          () -> committedOffsets(admin, s.groupId(), s.topic()),
          () -> admin.close(Duration.ofSeconds(1)),
          offsets,
          out,
          System::nanoTime,
          every);
    } catch (Exception e) {
      admin.close(Duration.ofSeconds(1));
      out.println(
          "backfill: no progress report (cannot read the topic's offsets: " + e.getMessage() + ")");
      return null;
    }
  }

  /**
   * Prints the summary of a backfill that ended, after the last progress report: a report still
   * waiting for Kafka is cut short and prints nothing, so the summary is always the last line.
   */
  public void finished() {
    stopReports();
    double seconds = (nanoClock.getAsLong() - startNanos) / 1e9;
    out.printf(
        "backfill done: %,d records from %d partitions in %.1f s (%,.0f records/s)%n",
        offsets.total(), offsets.end().size(), seconds, offsets.total() / Math.max(seconds, 0.001));
  }

  @Override
  public void close() {
    stopReports();
    release.run();
  }

  private void stopReports() {
    timer.shutdownNow();
    try {
      // A report reads with a 10 s timeout; interrupted, it ends at once.
      timer.awaitTermination(15, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void report() {
    Map<Integer, Long> read;
    try {
      read = committed.read();
    } catch (InterruptedException e) {
      return; // stopped: the summary follows
    } catch (Exception e) {
      if (!timer.isShutdown()) {
        // A missed report is no reason to disturb the backfill; the next one may succeed.
        out.println("backfill: progress unavailable this time (" + e.getMessage() + ")");
      }
      return;
    }
    if (!timer.isShutdown()) {
      out.println(line(offsets, read, (nanoClock.getAsLong() - startNanos) / 1e9));
    }
  }

  private static Map<Integer, Long> committedOffsets(Admin admin, String group, String topic)
      throws Exception {
    Map<Integer, Long> committed = new HashMap<>();
    admin
        .listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata()
        .get(10, TimeUnit.SECONDS)
        .forEach(
            (tp, o) -> {
              if (tp.topic().equals(topic) && o != null) {
                committed.put(tp.partition(), o.offset());
              }
            });
    return committed;
  }

  /**
   * One progress line: records read (of the total), the rate since the start, the time left at that
   * rate, and per partition the offset reached against its end offset.
   */
  static String line(Offsets o, Map<Integer, Long> committed, double elapsedSeconds) {
    long read = 0;
    StringBuilder partitions = new StringBuilder();
    for (Map.Entry<Integer, Long> e : o.end().entrySet()) {
      int p = e.getKey();
      long start = o.start().get(p);
      long reached = Math.min(e.getValue(), Math.max(start, committed.getOrDefault(p, start)));
      read += reached - start;
      partitions
          .append(partitions.length() == 0 ? "" : ", ")
          .append('p')
          .append(p)
          .append(' ')
          .append(reached)
          .append('/')
          .append(e.getValue());
    }
    double rate = elapsedSeconds > 0 ? read / elapsedSeconds : 0;
    long left = o.total() - read;
    String eta = left == 0 ? "0 s" : rate > 0 ? "about " + duration(left / rate) : "unknown";
    return String.format(
        "backfill: %,d of %,d records (%.1f%%), %,.0f records/s, time left %s; offsets %s",
        read, o.total(), o.total() == 0 ? 100.0 : 100.0 * read / o.total(), rate, eta, partitions);
  }

  private static String duration(double seconds) {
    long s = Math.round(Math.ceil(seconds));
    return s < 120 ? s + " s" : s < 7200 ? (s / 60) + " min" : String.format("%.1f h", s / 3600.0);
  }

  /** Where each partition's backfill starts and ends (the end offsets seen at start). */
  record Offsets(Map<Integer, Long> start, Map<Integer, Long> end) {
    long total() {
      long t = 0;
      for (Map.Entry<Integer, Long> e : end.entrySet()) {
        t += Math.max(0, e.getValue() - start.get(e.getKey()));
      }
      return t;
    }
  }

  /**
   * The start offsets as the source's {@code --start-from} resolves them without a checkpoint, and
   * the end offsets as its bounded stop ({@code latest}, committed records only) does.
   */
  static Offsets readOffsets(Admin admin, String topic, String group, StartFrom from)
      throws Exception {
    ListOffsetsOptions committedOnly = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    admin
        .describeTopics(List.of(topic))
        .allTopicNames()
        .get(30, TimeUnit.SECONDS)
        .get(topic)
        .partitions()
        .forEach(
            i -> {
              latest.put(new TopicPartition(topic, i.partition()), OffsetSpec.latest());
              earliest.put(new TopicPartition(topic, i.partition()), OffsetSpec.earliest());
            });
    Map<Integer, Long> end = offsets(admin, latest, committedOnly);
    Map<Integer, Long> first = offsets(admin, earliest, committedOnly);
    Map<Integer, Long> start = new TreeMap<>();
    switch (from.kind()) {
      case LATEST -> start.putAll(end);
      case TIMESTAMP -> {
        Map<TopicPartition, OffsetSpec> at = new HashMap<>();
        latest.keySet().forEach(tp -> at.put(tp, OffsetSpec.forTimestamp(from.timestampMs())));
        // No record at or after the time: the partition starts at its end.
        offsets(admin, at, committedOnly).forEach((p, o) -> start.put(p, o < 0 ? end.get(p) : o));
      }
      case OFFSETS -> first.forEach((p, o) -> start.put(p, from.offsets().getOrDefault(p, o)));
      case COMMITTED -> {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin
                .listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS);
        first.forEach(
            (p, o) -> {
              OffsetAndMetadata c = committed.get(new TopicPartition(topic, p));
              start.put(p, c == null ? o : c.offset());
            });
      }
      default -> start.putAll(first);
    }
    // A start outside the partition's records reads nothing of it.
    start.replaceAll((p, o) -> Math.min(Math.max(o, first.get(p)), end.get(p)));
    return new Offsets(start, new TreeMap<>(end));
  }

  private static Map<Integer, Long> offsets(
      Admin admin, Map<TopicPartition, OffsetSpec> specs, ListOffsetsOptions options)
      throws Exception {
    Map<Integer, Long> out = new TreeMap<>();
    admin
        .listOffsets(specs, options)
        .all()
        .get(30, TimeUnit.SECONDS)
        .forEach((tp, info) -> out.put(tp.partition(), info.offset()));
    return out;
  }
}
