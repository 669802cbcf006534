package io.upbot.job.session;

import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.model.JourneyKey;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * Prints the CPU time of a heap checkpoint of the sessionizer holding many open journeys, with
 * Flink's key and string serializers and with the job's ({@code StateTypes}), alternated: the
 * harness writes the snapshot through the same {@code DataOutputStream} a checkpoint does. Not a
 * test: run it by hand, e.g. {@code java -cp <test classpath>
 * io.upbot.job.session.SessionizerSnapshotBenchmark [journeys] [rounds]}.
 */
public final class SessionizerSnapshotBenchmark {

  private static final long G = 30 * 60_000L;
  private static final long A = 24 * 3_600_000L;
  private static final long BASE = Instant.parse("2026-11-30T10:00:00Z").toEpochMilli();
  private static final String[] IDS = {"1100102", "1110201", "1110204"};

  private SessionizerSnapshotBenchmark() {}

  public static void main(String[] args) throws Exception {
    int journeys = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    var flinks = filled(true, journeys);
    var ours = filled(false, journeys);
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    try {
      for (int r = 0; r <= rounds; r++) {
        for (var h : List.of(flinks, ours)) {
          long start = cpu.getCurrentThreadCpuTime();
          h.snapshot(r, BASE);
          long ns = cpu.getCurrentThreadCpuTime() - start;
          if (r > 0) { // round 0 warms up the JIT
            System.out.printf(
                Locale.ROOT,
                "round %d  %-22s %,d journeys: snapshot %,8.1f ms CPU%n",
                r,
                h == flinks ? "Flink's serializers" : "StateTypes' serializers",
                journeys,
                ns / 1e6);
          }
        }
      }
    } finally {
      flinks.close();
      ours.close();
    }
  }

  /** A heap sessionizer with {@code journeys} open journeys of three events each. */
  private static KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta>
      filled(boolean flinkTypes, int journeys) throws Exception {
    var h = SessionizerHarness.openWithTypes(SessionizerHarness.HEAP, G, A, flinkTypes, null);
    for (int j = 0; j < journeys; j++) {
      String trace = String.format(Locale.ROOT, "%032x", j * 2_654_435_761L);
      for (int i = 0; i < IDS.length; i++) {
        long t = BASE + i * 1_000L;
        h.processElement(
            new JourneyEvent(
                "wx" + (j % 4) + "a1b2c3d4e5f6a7b",
                "code-1-" + (j % 50),
                trace,
                IDS[i],
                t,
                t,
                t + 1_000,
                null),
            t);
      }
      h.getOutput().clear();
    }
    return h;
  }
}
