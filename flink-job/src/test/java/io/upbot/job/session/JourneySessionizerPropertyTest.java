package io.upbot.job.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.DecodedRecord;
import io.upbot.job.model.DwellDelta;
import io.upbot.job.model.EventDelta;
import io.upbot.job.model.EventRowKey;
import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.FunnelRowKey;
import io.upbot.job.model.FunnelStages;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.model.JourneyKey;
import io.upbot.job.source.RecordDecoder;
import io.upbot.job.source.ServerClockWatermarks;
import io.upbot.job.testing.EmittedWatermarks;
import io.upbot.job.testing.Reference;
import io.upbot.job.testing.Scenario;
import io.upbot.job.testing.Tables;
import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * The sessionizer alone, on the heap and on RocksDB, against the plain reference of
 * docs/semantics.md: after every event, the sums of its deltas are the reference's tables over the
 * events received so far (funnel counts, event counts, dwell counts and totals), whatever the order
 * events arrive in. The inputs merge and bridge sessions, hold equal times, gaps of exactly G,
 * duplicates and resends from fast clocks, and move the server-clock watermark on mid-stream so
 * sessions are cleaned up while their journeys still receive events. At the end every session is
 * released ({@code liveSessions} sums to zero) and every state entry is gone.
 */
@SuppressWarnings("try") // the harness's close() throws Exception
class JourneySessionizerPropertyTest {

  static final long G = Scenario.G;
  static final long A = Scenario.A;

  /**
   * The dense journey's lateness: the default, far above its span, so events arrive in any order.
   */
  static final long DENSE_A = 24 * 3_600_000L;

  static final long MIN = 60_000L;
  static final long BOUND = 30_000L;
  static final String[] IDS = {"1110201", "1110204", "1110205", "1100102"};

  /** The most names a journey keeps in one value, per run: the default, small ones, none. */
  static final int[] INLINE_LIMITS = {JourneySessionizer.DEFAULT_INLINE_EVENTS, 0, 1, 3};

  @Property(tries = 150)
  void shouldSumToTheReferenceTablesAfterEveryEvent(@ForAll long seed) throws Exception {
    Scenario s = Scenario.generate(seed, 3, 30).withoutWeComJoins();
    Run run = check(seed, s.received(), 1, A);
    Statistics.label("bridging event").collect(run.bridges > 0);
    Statistics.label("bridging event").coverage(c -> c.check(true).percentage(p -> p >= 20));
    Statistics.label("cleanup mid-stream").collect(run.cleanedMidStream > 0);
    Statistics.label("cleanup mid-stream").coverage(c -> c.check(true).percentage(p -> p >= 30));
    Statistics.label("duplicate").collect(run.duplicates > 0);
    Statistics.label("duplicate").coverage(c -> c.check(true).percentage(p -> p >= 30));
  }

  @Property(tries = 40)
  void shouldSumToTheReferenceTablesForALongDenseJourney(@ForAll long seed) throws Exception {
    List<MediaEvent> received = denseJourney(seed, 300);
    Run run = check(seed, received, 25, DENSE_A);
    // A few sessions at most over three hours, so a few bridges at most: but they must happen.
    Statistics.label("bridging event").collect(run.bridges > 0);
    Statistics.label("bridging event").coverage(c -> c.check(true).percentage(p -> p >= 10));
    Statistics.label("duplicate").collect(run.duplicates > 0);
    Statistics.label("duplicate").coverage(c -> c.check(true).percentage(p -> p >= 30));
  }

  /**
   * Feeds {@code received} in order, checking against the reference every {@code every} records and
   * at the end; returns the finished run for its counters.
   */
  private static Run check(long seed, List<MediaEvent> received, int every, long latenessMs)
      throws Exception {
    String backend = seed % 2 == 0 ? SessionizerHarness.HEAP : SessionizerHarness.ROCKSDB;
    // Journeys keep their names in one value up to a limit, then in a map: every limit must give
    // the same tables, the move from one to the other included (0: all in the map from the start).
    int inline = INLINE_LIMITS[(int) Math.floorMod(seed >> 1, (long) INLINE_LIMITS.length)];
    Random r = new Random(seed);
    try (Run run = new Run(backend, latenessMs, inline)) {
      List<MediaEvent> prefix = new ArrayList<>();
      for (MediaEvent m : received) {
        prefix.add(m);
        run.receive(m);
        if (r.nextInt(4) == 0) {
          run.emitWatermark();
        }
        if (prefix.size() % every == 0 || prefix.size() == received.size()) {
          run.assertEqualsReference(prefix, backend, latenessMs);
        }
      }
      run.finish();
      run.assertEqualsReference(prefix, backend, latenessMs);
      assertThat(run.deadLetters).as("nothing is behind the watermark or over the cap").isEmpty();
      assertThat(run.funnel.values())
          .as("every session released once its journey ends")
          .allSatisfy(v -> assertThat(v[4]).isZero());
      assertThat(SessionizerHarness.totalEntries(run.harness)).as("state left").isZero();
      assertThat(run.harness.numEventTimeTimers()).as("timers left").isZero();

      Statistics.label("backend").collect(backend);
      Statistics.label("inline names").collect(inline);
      return run;
    }
  }

  /**
   * One journey of up to {@code maxEvents} events over 6 G (three hours), on a grid of 1 s, 1 min,
   * 10 min or G (many equal times; consecutive times exactly G apart), received in about random
   * order of time (delays up to {@link #DENSE_A}; or clocks up to two hours ahead), a fifth of them
   * sent twice.
   */
  static List<MediaEvent> denseJourney(long seed, int maxEvents) {
    Random r = new Random(seed);
    int n = 1 + r.nextInt(maxEvents);
    long step = new long[] {1_000, MIN, 10 * MIN, G}[r.nextInt(4)];
    long slots = 6 * G / step;
    List<MediaEvent> sent = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long happened = Scenario.BASE + r.nextLong(slots) * step;
      String id = IDS[r.nextInt(IDS.length)];
      Integer duration = r.nextBoolean() ? null : r.nextInt(20);
      long eventTime = happened;
      long receivedAt = happened + r.nextLong(DENSE_A + 1);
      if (r.nextInt(5) == 0) {
        // A device clock up to two hours ahead, sending within two hours: t is capped now and then.
        eventTime = happened + r.nextLong(2 * 60 * MIN);
        receivedAt = happened + r.nextLong(2 * 60 * MIN);
      }
      sent.add(Scenario.event("app", "o1", "c1", "tr1", id, eventTime, receivedAt, duration));
      if (r.nextInt(5) == 0) {
        sent.add(
            Scenario.event(
                "app",
                "o1",
                "c1",
                "tr1",
                id,
                eventTime,
                receivedAt + r.nextLong(30 * MIN),
                r.nextBoolean() ? duration : null));
      }
    }
    sent.sort(Comparator.comparingLong(MediaEvent::receivedAt));
    return sent;
  }

  /** The sessionizer in a harness, fed as the job feeds it, with its deltas summed per row. */
  private static final class Run implements AutoCloseable {
    final KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta> harness;
    final RecordDecoder decoder;
    final ServerClockWatermarks watermarks = new ServerClockWatermarks(BOUND, () -> Long.MAX_VALUE);
    final EmittedWatermarks output = new EmittedWatermarks();

    /** Per funnel row: sessions, exposed, long_pressed, joined, live sessions. */
    final Map<FunnelRowKey, long[]> funnel = new TreeMap<>(Tables.FUNNEL_ORDER);

    final Map<EventRowKey, Long> events = new TreeMap<>(Tables.EVENT_ORDER);

    /** Per dwell row: events, total seconds. */
    final Map<FunnelRowKey, long[]> dwell = new TreeMap<>(Tables.FUNNEL_ORDER);

    final List<DeadLetter> deadLetters = new ArrayList<>();
    long watermark = Long.MIN_VALUE;
    int bridges;
    int duplicates;
    int cleanedMidStream;

    Run(String backend, long latenessMs, int inlineEvents) throws Exception {
      decoder = new RecordDecoder(latenessMs);
      harness =
          SessionizerHarness.open(
              backend, G, latenessMs, JourneySessionizer.DEFAULT_MAX_EVENTS, inlineEvents, null);
    }

    void receive(MediaEvent m) throws Exception {
      DecodedRecord d = decoder.decode(MediaEventCodec.encode(m), "t/0/0", 0);
      watermarks.onEvent(d, d.event() != null ? d.event().t() : Long.MIN_VALUE, output);
      if (d.event() == null) {
        return; // late: the decoder's business, not the sessionizer's
      }
      harness.processElement(d.event(), d.event().t());
      int sessionsDelta = 0;
      int deltas = 0;
      for (FunnelDelta f : drainFunnel()) {
        sessionsDelta += f.sessions();
        deltas++;
      }
      int eventDeltas = drainSideOutputs();
      if (sessionsDelta < 0) {
        bridges++;
      }
      if (deltas == 0 && eventDeltas == 0) {
        duplicates++;
      }
    }

    void emitWatermark() throws Exception {
      watermarks.onPeriodicEmit(output);
      for (long w : output.drain()) {
        if (w > watermark) {
          watermark = w;
          harness.processWatermark(w);
          for (FunnelDelta f : drainFunnel()) {
            cleanedMidStream += f.liveSessions() < 0 ? 1 : 0;
          }
        }
      }
    }

    void finish() throws Exception {
      harness.processWatermark(Watermark.MAX_WATERMARK.getTimestamp());
      drainFunnel();
    }

    void assertEqualsReference(List<MediaEvent> prefix, String backend, long latenessMs) {
      Tables expected = Reference.compute(prefix, G, latenessMs, FunnelStages.DEFAULT);
      Map<FunnelRowKey, List<Long>> funnelCounts = new TreeMap<>(Tables.FUNNEL_ORDER);
      funnel.forEach(
          (k, v) -> {
            assertThat(v[4]).as("live sessions of %s", k).isBetween(0L, v[0]);
            if (v[0] != 0 || v[1] != 0 || v[2] != 0 || v[3] != 0) {
              funnelCounts.put(k, List.of(v[0], v[1], v[2], v[3]));
            }
          });
      Map<EventRowKey, Long> eventCounts = new TreeMap<>(Tables.EVENT_ORDER);
      events.forEach(
          (k, v) -> {
            if (v != 0) {
              eventCounts.put(k, v);
            }
          });
      Map<FunnelRowKey, List<Long>> dwellCounts = new TreeMap<>(Tables.FUNNEL_ORDER);
      dwell.forEach(
          (k, v) -> {
            if (v[0] != 0) {
              dwellCounts.put(k, List.of(v[0], v[1]));
            }
          });
      Map<FunnelRowKey, List<Long>> expectedDwell = new TreeMap<>(Tables.FUNNEL_ORDER);
      expected.dwell().forEach((k, v) -> expectedDwell.put(k, v.subList(0, 2)));

      String input = backend + ", after " + prefix.size() + " records:\n" + describe(prefix);
      assertThat(funnelCounts).as(input).isEqualTo(expected.funnel());
      assertThat(eventCounts).as(input).isEqualTo(expected.events());
      assertThat(dwellCounts).as(input).isEqualTo(expectedDwell);
    }

    private List<FunnelDelta> drainFunnel() {
      List<FunnelDelta> out = new ArrayList<>();
      for (Object o; (o = harness.getOutput().poll()) != null; ) {
        if (o instanceof StreamRecord<?> rec && rec.getValue() instanceof FunnelDelta f) {
          long[] v = funnel.computeIfAbsent(f.rowKey(), k -> new long[5]);
          v[0] += f.sessions();
          v[1] += f.exposed();
          v[2] += f.longPressed();
          v[3] += f.joined();
          v[4] += f.liveSessions();
          out.add(f);
        }
      }
      return out;
    }

    private int drainSideOutputs() {
      int n = 0;
      for (EventDelta e : drain(harness.getSideOutput(JourneySessionizer.EVENT_DELTAS))) {
        events.merge(e.rowKey(), (long) e.events(), Long::sum);
        n++;
      }
      for (DwellDelta d : drain(harness.getSideOutput(JourneySessionizer.DWELL_DELTAS))) {
        long[] v = dwell.computeIfAbsent(d.rowKey(), k -> new long[2]);
        v[0] += d.count();
        v[1] += (long) d.count() * d.durationS();
      }
      deadLetters.addAll(drain(harness.getSideOutput(JourneySessionizer.DEAD_LETTERS)));
      return n;
    }

    private static <T> List<T> drain(Queue<StreamRecord<T>> q) {
      List<T> out = new ArrayList<>();
      if (q != null) {
        for (StreamRecord<T> rec; (rec = q.poll()) != null; ) {
          out.add(rec.getValue());
        }
      }
      return out;
    }

    private static String describe(List<MediaEvent> prefix) {
      StringBuilder b = new StringBuilder();
      for (MediaEvent m : prefix) {
        b.append("  ").append(MediaEventCodec.encodeToString(m)).append('\n');
      }
      return b.toString();
    }

    @Override
    public void close() throws Exception {
      harness.close();
    }
  }
}
