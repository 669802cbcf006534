package io.upbot.local.bench;

import io.upbot.job.AnalyticsJob;
import io.upbot.job.JobSettings;
import io.upbot.job.model.DecodedRecord;
import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.model.JourneyKey;
import io.upbot.job.session.JourneySessionizer;
import io.upbot.job.source.KafkaSources;
import io.upbot.job.source.ServerClockWatermarks;
import io.upbot.job.source.SplitDecoded;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.rocksdb.CompressionType;

/**
 * State bytes per active journey: the job's sessionizer (decode → key by journey → {@link
 * JourneySessionizer}) reads a topic of N journeys, none of which can finish yet (the topic spans
 * less than G + A); once every record has been read, a savepoint in the backend's <em>native</em>
 * format is taken and its files' total size divided by N. On RocksDB those files are the backend's
 * SST files (compressed, after a flush of the memtables), which is what the state costs on disk; on
 * the heap backend they are its snapshot, every entry serialized, which is what the state costs in
 * a checkpoint (the live heap objects take more).
 */
final class JobBenchState {

  /** Set to {@code true} to measure RocksDB with Snappy over 4 KiB blocks instead of the job's. */
  static final String ROCKSDB_DEFAULTS_PROPERTY = "upbot.bench.rocksdb-defaults";

  private static final Map<String, AtomicLong> READ = new ConcurrentHashMap<>();
  private static final Duration READ_TIMEOUT = Duration.ofMinutes(20);

  private JobBenchState() {}

  /** The savepoint's size in bytes, after the sessionizer has read {@code records} records. */
  static long savepointBytes(JobSettings s, long records, Path savepoints) throws Exception {
    String run = s.groupId();
    AtomicLong read = READ.computeIfAbsent(run, k -> new AtomicLong());
    StreamExecutionEnvironment env = JobBenchJobs.environment(s.parallelism());
    AnalyticsJob.configure(env, s);
    // Files, not the JobManager's memory, which refuses a snapshot above 5 MB.
    Configuration storage = new Configuration();
    storage.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    storage.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, savepoints.toUri().toString());
    if (Boolean.getBoolean(ROCKSDB_DEFAULTS_PROPERTY)) {
      // RocksDB's own block format (Snappy, 4 KiB blocks), to set the job's settings against.
      storage.set(
          RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL,
          List.of(CompressionType.SNAPPY_COMPRESSION));
      storage.set(RocksDBConfigurableOptions.BLOCK_SIZE, MemorySize.parse("4kb"));
    }
    env.configure(storage);
    env.fromSource(
            KafkaSources.create(s.kafkaSettings()),
            ServerClockWatermarks.strategy(s.watermarkBound(), s.sourceIdleness(), s.bounded()),
            "media events",
            TypeInformation.of(DecodedRecord.class))
        .uid(AnalyticsJob.UID_SOURCE)
        .map(new CountRead(run), TypeInformation.of(DecodedRecord.class))
        .name("count read")
        .uid("count-read")
        .process(new SplitDecoded(), TypeInformation.of(JourneyEvent.class))
        .name("split dead letters")
        .uid(AnalyticsJob.UID_SPLIT)
        .keyBy(JourneyEvent::journeyKey, TypeInformation.of(JourneyKey.class))
        .process(
            new JourneySessionizer(
                s.stages(),
                s.sessionGap().toMillis(),
                s.allowedLateness().toMillis(),
                s.maxJourneyEvents()),
            TypeInformation.of(FunnelDelta.class))
        .name("sessionise journeys")
        .uid(AnalyticsJob.UID_SESSIONIZER)
        .sinkTo(new DiscardingSink<>())
        .name("discard")
        .uid("discard");
    JobClient job = env.executeAsync("bench: state of " + s.stateBackend());
    try {
      long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
      // Records counted here went down the chain before any barrier the source emits later, so
      // the savepoint holds the state of every one of them.
      while (read.get() < records) {
        if (System.nanoTime() > deadline || job.getJobStatus().get().isGloballyTerminalState()) {
          throw new TimeoutException(
              "the state job read " + read.get() + " of " + records + " records");
        }
        Thread.sleep(100);
      }
      return directorySize(Path.of(URI.create(savepoint(job, savepoints, deadline))));
    } finally {
      job.cancel().get(1, TimeUnit.MINUTES);
      READ.remove(run);
    }
  }

  /**
   * Takes the savepoint. A small topic can be read before every task of the job runs, and a
   * savepoint is refused until they all do: it is tried again until the deadline.
   */
  private static String savepoint(JobClient job, Path savepoints, long deadline) throws Exception {
    while (true) {
      try {
        return job.triggerSavepoint(savepoints.toUri().toString(), SavepointFormatType.NATIVE)
            .get(10, TimeUnit.MINUTES);
      } catch (ExecutionException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(500);
      }
    }
  }

  static long directorySize(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .mapToLong(
              f -> {
                try {
                  return Files.size(f);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .sum();
    }
  }

  /** Counts the records read, for the run named, in this JVM (the embedded cluster's). */
  private static final class CountRead implements MapFunction<DecodedRecord, DecodedRecord> {
    private static final long serialVersionUID = 1L;
    private final String run;
    private transient AtomicLong counter;

    CountRead(String run) {
      this.run = run;
    }

    @Override
    public DecodedRecord map(DecodedRecord r) {
      if (counter == null) {
        counter = READ.get(run);
      }
      counter.incrementAndGet();
      return r;
    }
  }
}
