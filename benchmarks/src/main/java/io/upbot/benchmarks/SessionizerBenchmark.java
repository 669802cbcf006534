package io.upbot.benchmarks;

import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.FunnelStages;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.model.JourneyKey;
import io.upbot.job.session.JourneySessionizer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link JourneySessionizer} per event, on the heap state backend, in Flink's operator test
 * harness: each invocation feeds {@value #EVENTS} new distinct events, then a watermark past every
 * session's end, so the score includes each event's share of its session's timer and cleanup and
 * state does not grow from one invocation to the next. {@code small}: 2,000 journeys of 5 events
 * each (exposure, page jump, a second exposure, then a long-press and a join for some), interleaved
 * in time order; {@code large}: one journey of 10,000 events (the default cap of distinct events
 * per journey), 10 ms apart, arriving a little out of order. Scores are ns per event. The deltas it
 * emits are counted and dropped ({@link CountingOutput}): handing them on to the next operator is
 * not included.
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
public class SessionizerBenchmark {

  /** Events per invocation, both shapes. */
  static final int EVENTS = 10_000;

  static final long GAP_MS = 30 * 60_000L;
  static final long ALLOWED_LATENESS_MS = 24 * 3_600_000L;
  private static final long BASE = Instant.parse("2026-11-30T10:00:00Z").toEpochMilli();

  /**
   * How far each invocation's events are from the last one's: past its closing watermark ({@code
   * last t + 2A + G} at most) plus the allowed lateness, so no event lands behind the watermark.
   */
  private static final long ROUND_MS = 4 * ALLOWED_LATENESS_MS;

  private static final int SMALL_JOURNEYS = 2_000;
  private static final int SMALL_EVENTS = EVENTS / SMALL_JOURNEYS;
  private static final int CODES = 20;

  /** The operator in its harness, and the next invocation's events. */
  @State(Scope.Thread)
  public static class Journeys {

    /** {@code small} or {@code large}: many short journeys, or one long one. */
    @Param({"small", "large"})
    public String shape;

    KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta> harness;
    CountedSessionizer operator;
    int round;
    JourneyEvent[] events;
    long closingWatermark;

    /** Dead letters of the last invocation: none expected, as no event is late or over the cap. */
    int deadLetters;

    @Setup(Level.Trial)
    public void open() throws Exception {
      operator = new CountedSessionizer();
      harness =
          new KeyedOneInputStreamOperatorTestHarness<>(
              operator, JourneyEvent::journeyKey, TypeInformation.of(JourneyKey.class));
      harness.setStateBackend(new HashMapStateBackend());
      harness.open();
      round = 0;
    }

    /**
     * The next invocation's events, new distinct ones in a later time range, built outside the
     * measurement.
     */
    @Setup(Level.Invocation)
    public void nextEvents() {
      long base = BASE + round * ROUND_MS;
      events =
          switch (shape) {
            case "small" -> smallJourneys(base, round);
            case "large" -> largeJourney(base, round);
            default -> throw new IllegalArgumentException("shape: " + shape);
          };
      long last = Long.MIN_VALUE;
      for (JourneyEvent e : events) {
        last = Math.max(last, e.t());
      }
      closingWatermark = last + 2 * ALLOWED_LATENESS_MS + GAP_MS + 1;
      round++;
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
      harness.close();
    }
  }

  /** Sessionises one invocation's events and closes their sessions; how many deltas it emitted. */
  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public int sessionise(Journeys s) throws Exception {
    KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta> h = s.harness;
    for (JourneyEvent e : s.events) {
      h.processElement(e, e.t());
    }
    h.processWatermark(s.closingWatermark);
    s.deadLetters = s.operator.outputs.deadLetters();
    h.getOutput().clear(); // the watermark
    return s.operator.outputs.drainRecords();
  }

  /** The job's operator around the sessionizer, with its records counted and dropped. */
  static final class CountedSessionizer
      extends KeyedProcessOperator<JourneyKey, JourneyEvent, FunnelDelta> {
    private static final long serialVersionUID = 1L;

    transient CountingOutput<FunnelDelta> outputs;

    CountedSessionizer() {
      this(JourneySessionizer.DEFAULT_INLINE_EVENTS);
    }

    /** The job's defaults, but journeys keep up to {@code inlineEvents} names in one value. */
    CountedSessionizer(int inlineEvents) {
      // The job's defaults (docs/semantics.md): G = 30 min, A = 24 h, 10,000 events per journey.
      super(
          new JourneySessionizer(
              FunnelStages.DEFAULT,
              GAP_MS,
              ALLOWED_LATENESS_MS,
              JourneySessionizer.DEFAULT_MAX_EVENTS,
              inlineEvents));
    }

    @Override
    public void open() throws Exception {
      // Before super.open(): the function's collector and context write to this output.
      outputs = new CountingOutput<>(output);
      output = outputs;
      super.open();
    }
  }

  /**
   * 2,000 journeys on 20 codes, one starting every 100 ms; each is an exposure with its dwell, a
   * page jump, a second exposure, then a long-press and a join (a quarter of them), a long-press
   * and a page jump (half), or two page jumps (a quarter). All in time order, as they would arrive.
   */
  static JourneyEvent[] smallJourneys(long base, int round) {
    List<JourneyEvent> out = new ArrayList<>(EVENTS);
    String appid = "wxd1c6c1b6c3f5a2e7";
    for (int j = 0; j < SMALL_JOURNEYS; j++) {
      addSmallJourney(out, appid, j, "r" + round + "-j" + j, null, base + 100L * j);
    }
    out.sort(Comparator.comparingLong(JourneyEvent::t));
    if (out.size() != SMALL_JOURNEYS * SMALL_EVENTS) {
      throw new IllegalStateException("small journeys: " + out.size() + " events");
    }
    return out.toArray(new JourneyEvent[0]);
  }

  /**
   * One journey of 10,000 distinct events 10 ms apart, every stage mixed, each arriving up to about
   * half a second out of order.
   */
  static JourneyEvent[] largeJourney(long base, int round) {
    Random r = new Random(round);
    String[] ids = {Traffic.EXPOSED, Traffic.LONG_PRESSED, Traffic.JOINED, Traffic.PAGE_JUMP};
    JourneyEvent[] out = new JourneyEvent[EVENTS];
    for (int i = 0; i < EVENTS; i++) {
      String id = ids[r.nextInt(ids.length)];
      Integer duration = id.equals(Traffic.EXPOSED) ? 1 + r.nextInt(60) : null;
      out[i] =
          event(
              "wxd1c6c1b6c3f5a2e7", "IsFXtWUZ3x3hywGl", "one-trace", id, base + 10L * i, duration);
    }
    for (int i = 0; i < EVENTS - 1; i++) {
      int j = Math.min(EVENTS - 1, i + r.nextInt(50));
      JourneyEvent swap = out[i];
      out[i] = out[j];
      out[j] = swap;
    }
    return out;
  }

  /**
   * Small journey {@code j} of {@code trace}, from {@code start}: an exposure with its dwell, a
   * page jump, a second exposure, then a long-press and a join, a long-press and a jump, or two
   * jumps; code {@code j} of 20.
   */
  static void addSmallJourney(
      List<JourneyEvent> out, String appid, int j, String trace, String openid, long start) {
    String code = "IsFXtWUZ3x3hyw" + (j % CODES);
    String fourth = j % 4 == 3 ? Traffic.PAGE_JUMP : Traffic.LONG_PRESSED;
    String fifth = j % 4 == 0 ? Traffic.JOINED : Traffic.PAGE_JUMP;
    out.add(event(appid, code, trace, openid, Traffic.EXPOSED, start, 14));
    out.add(event(appid, code, trace, openid, Traffic.PAGE_JUMP, start + 15_000, null));
    out.add(event(appid, code, trace, openid, Traffic.EXPOSED, start + 40_000, 9));
    out.add(event(appid, code, trace, openid, fourth, start + 50_000, null));
    out.add(event(appid, code, trace, openid, fifth, start + 80_000, null));
  }

  private static JourneyEvent event(
      String appid, String code, String trace, String id, long t, Integer duration) {
    return event(appid, code, trace, null, id, t, duration);
  }

  private static JourneyEvent event(
      String appid, String code, String trace, String openid, String id, long t, Integer duration) {
    // openid null: an event without its user (openid "", every dimension absent)
    return openid == null
        ? new JourneyEvent(appid, code, trace, id, t, t, t + 1_000, duration)
        : new JourneyEvent(appid, code, trace, id, t, t, t + 1_000, duration, openid, 2, 1, 2);
  }
}
