package io.upbot.benchmarks;

import io.upbot.ingest.BatchValidator;
import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The endpoint's work per item of an accepted batch, as {@code ReportHandler} does it once the body
 * is in: decompress (gzip only), parse and validate ({@link BatchValidator}), then the Kafka keys
 * and the stream records of the batch ({@link MediaEventCodec#encodeAll}). Not included: HTTP, the
 * token and rate checks (a map lookup each) and the Kafka producer. Scores are ns per item.
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
public class IngestRequestBenchmark {

  /** The endpoint's default limits: items per batch, body bytes after decompression. */
  static final int MAX_ITEMS = 500;

  static final int MAX_BODY_BYTES = 1 << 20;

  /** The three bodies, as sent, and where their records go. */
  @State(Scope.Thread)
  public static class Requests {

    /** {@code identity} or {@code gzip}, the body's Content-Encoding. */
    @Param({"identity", "gzip"})
    public String encoding;

    BatchValidator validator;
    boolean gzip;
    byte[] one;
    byte[] twenty;
    byte[] fiveHundred;

    /** The last batch's records, kept so that none of the work can be optimised away. */
    byte[][] keys;

    byte[][] values;

    @Setup
    public void setUp() {
      // As ReportHandler builds its validator, with the endpoint's default limits (BenchmarksTest
      // checks they are IngestConfig's).
      validator = new BatchValidator(MAX_ITEMS, MAX_BODY_BYTES);
      gzip =
          switch (encoding) {
            case "identity" -> false;
            case "gzip" -> true;
            default -> throw new IllegalArgumentException("encoding: " + encoding);
          };
      one = asSent(Traffic.body(1, 1));
      twenty = asSent(Traffic.body(20, 20));
      fiveHundred = asSent(Traffic.body(500, 500));
      keys = new byte[MAX_ITEMS][];
      values = new byte[MAX_ITEMS][];
    }

    private byte[] asSent(byte[] body) {
      return gzip ? Traffic.gzip(body) : body;
    }
  }

  @Benchmark
  @OperationsPerInvocation(1)
  public int batchOf1(Requests s) {
    return handle(s, s.one);
  }

  @Benchmark
  @OperationsPerInvocation(20)
  public int batchOf20(Requests s) {
    return handle(s, s.twenty);
  }

  @Benchmark
  @OperationsPerInvocation(500)
  public int batchOf500(Requests s) {
    return handle(s, s.fiveHundred);
  }

  /** ReportHandler's path from the body's bytes to each record's key and value; the item count. */
  static int handle(Requests s, byte[] body) {
    BatchValidator.Result result = s.validator.validateBody(body, s.gzip, Traffic.RECEIVED_AT_MS);
    if (!(result instanceof BatchValidator.Accepted batch)) {
      throw new IllegalStateException("the benchmark's batch was refused: " + result);
    }
    // As ReportHandler.write: the records encoded together, a key per run of one trace.
    byte[][] values = MediaEventCodec.encodeAll(batch.events());
    String lastTrace = null;
    byte[] key = null;
    int n = 0;
    for (MediaEvent e : batch.events()) {
      String trace = e.trace();
      if (key == null || !trace.equals(lastTrace)) {
        key = e.kafkaKey().getBytes(StandardCharsets.UTF_8);
        lastTrace = trace;
      }
      s.keys[n] = key;
      s.values[n] = values[n];
      n++;
    }
    return n;
  }
}
