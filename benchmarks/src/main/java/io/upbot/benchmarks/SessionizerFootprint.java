package io.upbot.benchmarks;

import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.model.JourneyKey;
import io.upbot.job.model.serial.EdgeTypes;
import io.upbot.job.model.serial.StateTypes;
import io.upbot.job.session.JourneySessionizer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.management.ObjectName;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * What the sessionizer's state keeps on the heap per active journey: live bytes and objects, from
 * the JVM's class histogram (live objects, after a full collection) before and after N journeys of
 * five events each, none of which can end yet. Every object counts twice for the heap collector: a
 * young collection copies it while it is new, and each marking cycle visits it for the journey's G
 * + A (docs/performance.md, "Fewer objects per journey"). The events pass through the job's edge
 * serializer first, so each carries fresh strings, as in the job after its exchange by journey.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.upbot.benchmarks.SessionizerFootprint
 * [journeys]} measures the job's sessionizer and, in the same run, one that keeps every event name
 * in its map state (as before journeys kept small sets of names in one value).
 */
public final class SessionizerFootprint {

  /** One class's growth over the journeys. */
  public record Growth(String className, long instances, long bytes) {}

  /** The state's growth over {@code journeys} journeys, its largest classes first. */
  public record Footprint(
      int journeys, int inlineEvents, long bytes, long objects, List<Growth> top) {

    public double bytesPerJourney() {
      return (double) bytes / journeys;
    }

    public double objectsPerJourney() {
      return (double) objects / journeys;
    }
  }

  static final int EVENTS_PER_JOURNEY = 5;
  private static final int BLOCK = 2_000;
  private static final long BASE = Instant.parse("2026-11-30T10:00:00Z").toEpochMilli();

  private SessionizerFootprint() {}

  public static void main(String[] args) throws Exception {
    int journeys = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    // Both harnesses stay open until both are measured: a closed harness's state is freed at some
    // later collection, which would fall into the other measurement.
    List<AutoCloseable> open = new ArrayList<>();
    Footprint now;
    Footprint map;
    try {
      now = measure(journeys, JourneySessionizer.DEFAULT_INLINE_EVENTS, open);
      map = measure(journeys, 0, open);
    } finally {
      for (AutoCloseable c : open) {
        c.close();
      }
    }
    print(now, "names in one value (the job)");
    print(map, "every name in the map state");
    System.out.printf(
        Locale.ROOT,
        "one value / map state: bytes %.3f, objects %.3f%n",
        now.bytesPerJourney() / map.bytesPerJourney(),
        now.objectsPerJourney() / map.objectsPerJourney());
  }

  private static void print(Footprint f, String what) {
    System.out.printf(
        Locale.ROOT,
        "%s, %,d journeys of %d events: %.1f bytes and %.2f objects per journey%n",
        what,
        f.journeys(),
        EVENTS_PER_JOURNEY,
        f.bytesPerJourney(),
        f.objectsPerJourney());
    for (Growth g : f.top()) {
      System.out.printf(
          Locale.ROOT,
          "  %-72s %6.2f objects %8.1f bytes%n",
          g.className(),
          (double) g.instances() / f.journeys(),
          (double) g.bytes() / f.journeys());
    }
  }

  /**
   * The live heap the sessionizer's state takes for {@code journeys} active journeys; its harness
   * is added to {@code open}, for the caller to close once every measurement is done.
   */
  public static Footprint measure(int journeys, int inlineEvents, List<AutoCloseable> open)
      throws Exception {
    SessionizerBenchmark.CountedSessionizer operator =
        new SessionizerBenchmark.CountedSessionizer(inlineEvents);
    KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta> h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            operator, JourneyEvent::journeyKey, StateTypes.JOURNEY_KEY);
    open.add(h);
    h.setStateBackend(new HashMapStateBackend());
    h.open();
    TypeSerializer<JourneyEvent> edge =
        EdgeTypes.JOURNEY_EVENT.createSerializer(new SerializerConfigImpl());
    // One block first, so what the first events bring along (classes, the state maps' tables
    // at their first size) is in the baseline, not in the journeys' figure.
    feed(h, operator, edge, 0, BLOCK);
    Map<String, long[]> before = histogram();
    feed(h, operator, edge, BLOCK, journeys);
    Map<String, long[]> after = histogram();
    List<Growth> growth = new ArrayList<>();
    long bytes = 0;
    long objects = 0;
    for (Map.Entry<String, long[]> e : after.entrySet()) {
      long[] was = before.getOrDefault(e.getKey(), new long[2]);
      Growth g = new Growth(e.getKey(), e.getValue()[0] - was[0], e.getValue()[1] - was[1]);
      growth.add(g);
      bytes += g.bytes();
      objects += g.instances();
    }
    growth.sort(Comparator.comparingLong(Growth::bytes).reversed());
    return new Footprint(
        journeys,
        inlineEvents,
        bytes,
        objects,
        List.copyOf(growth.subList(0, Math.min(20, growth.size()))));
  }

  /** Journeys {@code [from, from + n)}, in blocks sorted by time, through the edge serializer. */
  private static void feed(
      KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta> h,
      SessionizerBenchmark.CountedSessionizer operator,
      TypeSerializer<JourneyEvent> edge,
      int from,
      int n)
      throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(512);
    DataInputDeserializer in = new DataInputDeserializer();
    for (int block = from; block < from + n; block += BLOCK) {
      for (JourneyEvent e : block(block, Math.min(BLOCK, from + n - block))) {
        out.clear();
        edge.serialize(e, out);
        in.setBuffer(out.getSharedBuffer(), 0, out.length());
        JourneyEvent fresh = edge.deserialize(in);
        h.processElement(fresh, fresh.t());
      }
      operator.outputs.drainRecords();
    }
  }

  /**
   * Journeys {@code [first, first + n)}, of {@link SessionizerBenchmark}'s small shape, one user
   * each, a journey starting every 100 ms, in time order.
   */
  static List<JourneyEvent> block(int first, int n) {
    List<JourneyEvent> out = new ArrayList<>(n * EVENTS_PER_JOURNEY);
    for (int j = first; j < first + n; j++) {
      SessionizerBenchmark.addSmallJourney(
          out,
          "wxd1c6c1b6c3f5a2e7",
          j,
          String.format(Locale.ROOT, "Fi6JoptoXX8EI3sttq3p%012d", j),
          String.format(Locale.ROOT, "oAbCdEfGhIjKlMnOp%011d", j),
          BASE + 100L * j);
    }
    out.sort(Comparator.comparingLong(JourneyEvent::t));
    return out;
  }

  /**
   * The JVM's class histogram of live objects (it collects first): per class, its instances and
   * bytes.
   */
  static Map<String, long[]> histogram() throws Exception {
    String table =
        (String)
            ManagementFactory.getPlatformMBeanServer()
                .invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram",
                    new Object[] {null},
                    new String[] {String[].class.getName()});
    Map<String, long[]> out = new HashMap<>();
    for (String line : table.split("\n")) {
      String[] f = line.trim().split("\\s+");
      // "  1:   16307678   602174240  [B (java.base@17.0.15)"; the header and total lines aside.
      if (f.length >= 4 && f[0].endsWith(":") && Character.isDigit(f[0].charAt(0))) {
        out.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
      }
    }
    if (out.isEmpty()) {
      throw new IOException("no class histogram from the JVM: " + table);
    }
    return out;
  }
}
