package io.upbot.job.session;

import io.upbot.job.model.FunnelStages;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.model.JourneyKey;
import io.upbot.job.model.serial.StateTypes;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * Prints how many events per second the sessionizer takes in a harness, on the heap and on RocksDB,
 * for one journey (one trace) of 1,000, 10,000 and 200,000 distinct events, and the cost per event
 * over the last tenth of each run: it must not grow with the journey's size. Not a test: run it by
 * hand, e.g. {@code java -cp <test classpath> io.upbot.job.session.JourneySessionizerBenchmark
 * [hashmap,rocksdb,rocksdb-bloom] [sizes…]} ({@code rocksdb-bloom}: RocksDB with bloom filters,
 * which answer "not there" for a new event's name without reading every level).
 */
public final class JourneySessionizerBenchmark {

  private static final long G = 30 * 60_000L;
  private static final long A = 24 * 3_600_000L;
  private static final long BASE = Instant.parse("2026-11-30T10:00:00Z").toEpochMilli();
  private static final String[] IDS = {"1110201", "1110204", "1110205", "1100102"};

  /** A run stops after this long; it then reports how far it got. */
  private static final long BUDGET_NS = 120_000_000_000L;

  private JourneySessionizerBenchmark() {}

  public static void main(String[] args) throws Exception {
    List<String> backends = List.of(SessionizerHarness.HEAP, SessionizerHarness.ROCKSDB);
    int from = 0;
    if (args.length > 0 && !args[0].matches("\\d+")) {
      backends = List.of(args[0].split(","));
      from = 1;
    }
    int[] sizes = {1_000, 10_000, 200_000};
    if (args.length > from) {
      sizes = new int[args.length - from];
      for (int i = from; i < args.length; i++) {
        sizes[i - from] = Integer.parseInt(args[i]);
      }
    }
    // A warm-up, so the first figures do not measure the JIT.
    for (String b : backends) {
      run(b, 5_000, false);
    }
    for (int n : sizes) {
      for (String b : backends) {
        run(b, n, true);
      }
    }
  }

  private static StateBackend backend(String name) {
    if (name.equals("rocksdb-bloom")) {
      Configuration conf = new Configuration();
      conf.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
      return new EmbeddedRocksDBStateBackend()
          .configure(conf, JourneySessionizerBenchmark.class.getClassLoader());
    }
    return SessionizerHarness.backend(name);
  }

  private static void run(String name, int n, boolean print) throws Exception {
    KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, ?> h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(sessionizer()),
            JourneyEvent::journeyKey,
            StateTypes.JOURNEY_KEY);
    h.setStateBackend(backend(name));
    h.open();
    Random r = new Random(n);
    int tail = Math.max(1, n / 10);
    long start = System.nanoTime();
    long tailStart = start;
    int done = 0;
    try {
      for (int i = 0; i < n; i++) {
        if (i == n - tail) {
          tailStart = System.nanoTime();
        }
        // Distinct events 10 ms apart, in one session, arriving a little out of order, every stage
        // mixed.
        long t = BASE + 10L * i - r.nextInt(5_000);
        String id = IDS[r.nextInt(IDS.length)];
        h.processElement(new JourneyEvent("app", "code", "trace", id, t, t, t + 1_000, null), t);
        h.getOutput().clear(); // deltas are not the subject here
        done++;
        if ((done & 1023) == 0 && System.nanoTime() - start > BUDGET_NS) {
          break;
        }
      }
    } finally {
      h.close();
    }
    long end = System.nanoTime();
    if (print) {
      double secs = (end - start) / 1e9;
      String tailFigure =
          done == n
              ? String.format(
                  Locale.ROOT,
                  "%8.1f µs/event over the last %d",
                  (end - tailStart) / 1e3 / tail,
                  tail)
              : "  (stopped at the time budget)";
      System.out.printf(
          Locale.ROOT,
          "%-13s %,9d events of one journey: %,9d done in %7.2f s = %,10.0f events/s;%s%n",
          name,
          n,
          done,
          secs,
          done / secs,
          tailFigure);
    }
  }

  private static JourneySessionizer sessionizer() {
    return new JourneySessionizer(FunnelStages.DEFAULT, G, A, Integer.MAX_VALUE);
  }
}
