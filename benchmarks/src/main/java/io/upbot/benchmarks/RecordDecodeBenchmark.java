package io.upbot.benchmarks;

import io.upbot.ingest.BatchValidator;
import io.upbot.job.model.DecodedRecord;
import io.upbot.job.source.MediaEventDeserializer;
import io.upbot.job.source.RecordDecoder;
import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The job's first step per Kafka record: {@link MediaEventDeserializer}, i.e. {@link
 * RecordDecoder}'s decode, contract check and late rule, on the records the endpoint writes for a
 * realistic batch. Scores are ns per record.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// Light defaults, the same for every benchmark: the 9 cases run in about 4 minutes. The warm-up
// is longer than a measurement: on a busy machine the JIT gets little CPU and is late.
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 8)
@Measurement(iterations = 3, time = 3)
public class RecordDecodeBenchmark {

  /** Records per invocation: one full batch's worth. */
  static final int RECORDS = 500;

  /** The job's default allowed lateness, A = 24 h (docs/semantics.md#late-events). */
  static final long ALLOWED_LATENESS_MS = 24 * 3_600_000L;

  /** The stream records, as the Kafka source hands them over, and where their decodes go. */
  @State(Scope.Thread)
  public static class Records {
    MediaEventDeserializer deserializer;
    List<ConsumerRecord<byte[], byte[]>> records;
    DecodedRecord[] decoded;
    Into into;

    @Setup
    public void setUp() {
      BatchValidator validator =
          new BatchValidator(
              IngestRequestBenchmark.MAX_ITEMS, IngestRequestBenchmark.MAX_BODY_BYTES);
      if (!(validator.validate(Traffic.body(RECORDS, 7), Traffic.RECEIVED_AT_MS)
          instanceof BatchValidator.Accepted batch)) {
        throw new IllegalStateException("the benchmark's batch was refused");
      }
      List<MediaEvent> events = batch.events();
      ConsumerRecord<byte[], byte[]>[] rs = newRecords(events.size());
      for (int i = 0; i < rs.length; i++) {
        MediaEvent e = events.get(i);
        rs[i] =
            new ConsumerRecord<>(
                "upbot-media-events",
                i % 3,
                1_000_000L + i,
                e.kafkaKey().getBytes(StandardCharsets.UTF_8),
                MediaEventCodec.encode(e));
      }
      records = List.of(rs);
      deserializer = new MediaEventDeserializer(new RecordDecoder(ALLOWED_LATENESS_MS));
      decoded = new DecodedRecord[RECORDS];
      into = new Into(decoded);
    }

    @SuppressWarnings("unchecked")
    private static ConsumerRecord<byte[], byte[]>[] newRecords(int n) {
      return (ConsumerRecord<byte[], byte[]>[]) new ConsumerRecord<?, ?>[n];
    }
  }

  /** Keeps each decoded record, at the next index, so none of the work can be optimised away. */
  static final class Into implements Collector<DecodedRecord> {
    private final DecodedRecord[] out;
    int next;

    Into(DecodedRecord[] out) {
      this.out = out;
    }

    @Override
    public void collect(DecodedRecord record) {
      out[next++] = record;
    }

    @Override
    public void close() {}
  }

  /** Decodes every record; returns how many became events (not dead letters). */
  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public int deserialize(Records s) {
    s.into.next = 0;
    int events = 0;
    for (ConsumerRecord<byte[], byte[]> r : s.records) {
      s.deserializer.deserialize(r, s.into);
      if (s.decoded[s.into.next - 1].event() != null) {
        events++;
      }
    }
    return events;
  }
}
