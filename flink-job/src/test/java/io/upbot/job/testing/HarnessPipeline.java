package io.upbot.job.testing;

import io.upbot.job.aggregate.BreakdownAggregator;
import io.upbot.job.aggregate.DailyConvertTimeAggregator;
import io.upbot.job.aggregate.DeltaCombiner;
import io.upbot.job.aggregate.DeltaSums;
import io.upbot.job.aggregate.DroppedRows;
import io.upbot.job.aggregate.DwellAggregator;
import io.upbot.job.aggregate.EventAggregator;
import io.upbot.job.aggregate.FunnelAggregator;
import io.upbot.job.aggregate.HourlyConvertTimeAggregator;
import io.upbot.job.aggregate.JoinAggregator;
import io.upbot.job.aggregate.RowTiming;
import io.upbot.job.aggregate.UsersDailyAggregator;
import io.upbot.job.attribution.JoinAttributor;
import io.upbot.job.model.AttributionKey;
import io.upbot.job.model.BreakdownRow;
import io.upbot.job.model.BreakdownRowKey;
import io.upbot.job.model.ConvertTimeDailyRow;
import io.upbot.job.model.ConvertTimeRow;
import io.upbot.job.model.DayBuckets;
import io.upbot.job.model.DayRowKey;
import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.DecodedRecord;
import io.upbot.job.model.DwellDelta;
import io.upbot.job.model.DwellRow;
import io.upbot.job.model.EventDelta;
import io.upbot.job.model.EventRow;
import io.upbot.job.model.EventRowKey;
import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.FunnelRow;
import io.upbot.job.model.FunnelRowKey;
import io.upbot.job.model.FunnelStages;
import io.upbot.job.model.JoinDelta;
import io.upbot.job.model.JoinRow;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.model.JourneyKey;
import io.upbot.job.model.SessionDelta;
import io.upbot.job.model.UsersDailyRow;
import io.upbot.job.session.JourneySessionizer;
import io.upbot.job.source.RecordDecoder;
import io.upbot.job.source.ServerClockWatermarks;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

/**
 * The job's functions wired by hand through test harnesses, in one thread: fast enough for many
 * property tries, and it moves watermarks and processing time mid-stream, so cleanup and retention
 * run while events still arrive. It takes checkpoints ({@link #checkpoint}) and restores from them
 * ({@link #restore}), as the job does after a failure.
 */
@SuppressWarnings("try") // close() throws Exception, as the harnesses do
public final class HarnessPipeline implements AutoCloseable {

  private final RecordDecoder decoder;
  private final ServerClockWatermarks watermarks;
  private final EmittedWatermarks watermarkOutput = new EmittedWatermarks();
  private final KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta>
      sessions;
  private final KeyedOneInputStreamOperatorTestHarness<FunnelRowKey, FunnelDelta, FunnelRow> funnel;
  private final KeyedOneInputStreamOperatorTestHarness<EventRowKey, EventDelta, EventRow> events;
  private final KeyedOneInputStreamOperatorTestHarness<FunnelRowKey, DwellDelta, DwellRow> dwell;
  private final KeyedOneInputStreamOperatorTestHarness<BreakdownRowKey, SessionDelta, BreakdownRow>
      breakdown;
  private final KeyedOneInputStreamOperatorTestHarness<DayRowKey, SessionDelta, UsersDailyRow>
      usersDaily;
  private final KeyedOneInputStreamOperatorTestHarness<FunnelRowKey, SessionDelta, ConvertTimeRow>
      convertTime;
  private final KeyedOneInputStreamOperatorTestHarness<DayRowKey, SessionDelta, ConvertTimeDailyRow>
      convertTimeDaily;
  private final KeyedOneInputStreamOperatorTestHarness<AttributionKey, JourneyEvent, JourneyEvent>
      attributor;
  private final KeyedOneInputStreamOperatorTestHarness<FunnelRowKey, JoinDelta, JoinRow> joins;
  private final OneInputStreamOperatorTestHarness<FunnelDelta, FunnelDelta> funnelSums;
  private final OneInputStreamOperatorTestHarness<EventDelta, EventDelta> eventSums;
  private final OneInputStreamOperatorTestHarness<SessionDelta, SessionDelta> sessionSums;
  private final List<OneInputStreamOperatorTestHarness<?, ?>> sumHarnesses;
  private final FunnelStages stages;
  private final List<KeyedOneInputStreamOperatorTestHarness<?, ?, ?>> rowHarnesses;

  /**
   * Every harness by name (the job's operators by uid), in the order records flow through them: a
   * checkpoint's barrier passes them in this order.
   */
  private final Map<String, AbstractStreamOperatorTestHarness<?>> operators = new LinkedHashMap<>();

  private final Settings settings;

  /** The checkpoint this pipeline was restored from; {@code null} for a fresh start. */
  private final Checkpoint restoredFrom;

  private final Tables tables;
  private final List<DeadLetter> deadLetters = new ArrayList<>();
  private long watermark = Long.MIN_VALUE;
  private long now;

  /** The records taken off the stream, those of the checkpoint restored from included. */
  private int received;

  private int rowsWritten;
  private long checkpointId;

  /**
   * The job's wall clock, as its watermark generator sees it: by default long after every record.
   */
  private long wallClock = Long.MAX_VALUE;

  public HarnessPipeline(
      FunnelStages stages, long gapMs, long latenessMs, long boundMs, long flushMs)
      throws Exception {
    this(stages, gapMs, latenessMs, boundMs, flushMs, Reference.DEFAULT_ZONE);
  }

  /** As above, the daily tables' days in {@code zone}. */
  public HarnessPipeline(
      FunnelStages stages, long gapMs, long latenessMs, long boundMs, long flushMs, ZoneId zone)
      throws Exception {
    this(
        new Settings(stages, gapMs, latenessMs, boundMs, flushMs, zone),
        null,
        Tables.empty(),
        1_000);
  }

  /** What a pipeline is built from; a restored one is built from its checkpoint's. */
  public record Settings(
      FunnelStages stages, long gapMs, long latenessMs, long boundMs, long flushMs, ZoneId zone) {}

  /**
   * A checkpoint: every operator's state, and the source's position ({@code records} taken off the
   * stream). A restore replays the stream from that position.
   */
  public record Checkpoint(
      Settings settings, int records, Map<String, OperatorSubtaskState> operatorStates) {}

  /**
   * A pipeline restored from {@code checkpoint}, as the job after a failure, that writes into
   * {@code database} (the rows the failed attempt wrote stay there until overwritten), its
   * processing time starting at {@code nowMs}. Its watermark generator starts afresh and its
   * operators at watermark {@code Long.MIN_VALUE}, as Flink's do: watermarks are not checkpointed.
   */
  public static HarnessPipeline restore(Checkpoint checkpoint, Tables database, long nowMs)
      throws Exception {
    return new HarnessPipeline(checkpoint.settings(), checkpoint, database, nowMs);
  }

  private HarnessPipeline(Settings settings, Checkpoint restoredFrom, Tables database, long nowMs)
      throws Exception {
    this.settings = settings;
    this.restoredFrom = restoredFrom;
    this.tables = database;
    this.now = nowMs;
    this.received = restoredFrom == null ? 0 : restoredFrom.records();
    FunnelStages stages = settings.stages();
    long gapMs = settings.gapMs();
    long latenessMs = settings.latenessMs();
    long flushMs = settings.flushMs();
    this.decoder = new RecordDecoder(latenessMs);
    this.watermarks = new ServerClockWatermarks(settings.boundMs(), () -> wallClock);
    RowTiming timing = new RowTiming(flushMs, latenessMs);
    this.stages = stages;
    // Created in the order records flow through them (see operators).
    attributor =
        keyed(
            "attributor",
            new JoinAttributor(stages, gapMs, latenessMs),
            AttributionKey::of,
            AttributionKey.class);
    sessions =
        keyed(
            "sessionizer",
            new JourneySessionizer(
                stages, gapMs, latenessMs, JourneySessionizer.DEFAULT_MAX_EVENTS),
            JourneyEvent::journeyKey,
            JourneyKey.class);
    // The job sums the sessionizer's funnel, event and session deltas for a moment, holding the
    // watermark back meanwhile; so does this pipeline, with the job's longest wait.
    funnelSums = combiner("funnel-sums", new DeltaSums.Funnel(), flushMs);
    eventSums = combiner("event-sums", new DeltaSums.Events(), flushMs);
    sessionSums = combiner("session-sums", new DeltaSums.Sessions(), flushMs);
    sumHarnesses = List.of(funnelSums, eventSums, sessionSums);
    joins = keyed("joins", new JoinAggregator(timing), JoinDelta::rowKey, FunnelRowKey.class);
    funnel = keyed("funnel", new FunnelAggregator(timing), FunnelDelta::rowKey, FunnelRowKey.class);
    events = keyed("events", new EventAggregator(timing), EventDelta::rowKey, EventRowKey.class);
    dwell = keyed("dwell", new DwellAggregator(timing), DwellDelta::rowKey, FunnelRowKey.class);
    DayBuckets days = new DayBuckets(settings.zone());
    breakdown =
        keyed(
            "breakdown",
            new BreakdownAggregator(timing),
            SessionDelta::breakdownKey,
            BreakdownRowKey.class);
    usersDaily =
        keyed(
            "users-daily",
            new UsersDailyAggregator(timing, days),
            d -> days.key(d.bucketStart(), d.appid(), d.code()),
            DayRowKey.class);
    convertTime =
        keyed(
            "convert-time",
            new HourlyConvertTimeAggregator(timing),
            SessionDelta::hourKey,
            FunnelRowKey.class);
    convertTimeDaily =
        keyed(
            "convert-time-daily",
            new DailyConvertTimeAggregator(timing, days),
            d -> days.key(d.bucketStart(), d.appid(), d.code()),
            DayRowKey.class);
    rowHarnesses =
        List.of(funnel, events, dwell, breakdown, usersDaily, convertTime, convertTimeDaily, joins);
    // A restored pipeline's overdue flush timers fire here, as Flink's do right after a restore.
    setProcessingTime(now);
    collectRows();
  }

  private <K, I, O> KeyedOneInputStreamOperatorTestHarness<K, I, O> keyed(
      String name, KeyedProcessFunction<K, I, O> function, KeySelector<I, K> key, Class<K> keyType)
      throws Exception {
    return started(
        name,
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(function), key, TypeInformation.of(keyType), 1, 1, 0));
  }

  private <D> OneInputStreamOperatorTestHarness<D, D> combiner(
      String name, DeltaCombiner.Sum<D> sum, long flushMs) throws Exception {
    return started(
        name,
        new OneInputStreamOperatorTestHarness<>(
            new DeltaCombiner<>(sum, Math.min(500, flushMs / 2))));
  }

  /** Opens {@code h}, with its state from the checkpoint restored from if any. */
  private <H extends AbstractStreamOperatorTestHarness<?>> H started(String name, H h)
      throws Exception {
    if (restoredFrom != null) {
      h.initializeState(restoredFrom.operatorStates().get(name));
    }
    h.open();
    operators.put(name, h);
    return h;
  }

  /**
   * Takes a checkpoint after the records received so far, as an aligned barrier would: each
   * operator, in the order records flow, does its pre-barrier work (the combiners flush) and its
   * output reaches the next ones before they snapshot; then every operator snapshots.
   */
  public Checkpoint checkpoint() throws Exception {
    long id = ++checkpointId;
    for (AbstractStreamOperatorTestHarness<?> h : operators.values()) {
      h.prepareSnapshotPreBarrier(id);
      forwardAttributed();
      forwardDeltas();
    }
    Map<String, OperatorSubtaskState> states = new LinkedHashMap<>();
    for (Map.Entry<String, AbstractStreamOperatorTestHarness<?>> e : operators.entrySet()) {
      states.put(e.getKey(), e.getValue().snapshot(id, now));
    }
    return new Checkpoint(settings, received, Map.copyOf(states));
  }

  /** One record off the stream. */
  public void receive(byte[] payload, String source) throws Exception {
    received++;
    DecodedRecord d = decoder.decode(payload, source, now);
    watermarks.onEvent(d, d.event() != null ? d.event().t() : Long.MIN_VALUE, watermarkOutput);
    if (d.event() != null) {
      if (JoinAttributor.concerns(d.event(), stages)) {
        attributor.processElement(d.event(), d.event().t());
        forwardAttributed();
      } else {
        sessions.processElement(d.event(), d.event().t());
      }
      forwardDeltas();
    } else {
      deadLetters.add(d.deadLetter());
    }
  }

  /**
   * Sets the job's wall clock (epoch ms) that the watermark generator compares received_at with.
   */
  public void wallClock(long epochMs) {
    wallClock = epochMs;
  }

  /** Emits the server-clock watermark, as the source would on its periodic tick. */
  public void emitWatermark() throws Exception {
    watermarks.onPeriodicEmit(watermarkOutput);
    for (long w : watermarkOutput.drain()) {
      if (w > watermark) {
        advanceWatermark(w);
      }
    }
  }

  /** Moves processing time on, firing due flushes. */
  public void tick(long ms) throws Exception {
    now += ms;
    setProcessingTime(now);
    collectRows();
  }

  /** The end of a bounded input: the final watermark. */
  public void finish() throws Exception {
    advanceWatermark(Watermark.MAX_WATERMARK.getTimestamp());
  }

  /** The tables as written: the last write of a key wins, as in the database. */
  public Tables tables() {
    return tables;
  }

  /** The rows this pipeline has written. */
  public int rowsWritten() {
    return rowsWritten;
  }

  /** The processing time now. */
  public long processingTime() {
    return now;
  }

  public List<DeadLetter> deadLetters() {
    return deadLetters;
  }

  /** Keyed state entries left in every function. */
  public int stateEntries() {
    int n = sessions.numKeyedStateEntries() + attributor.numKeyedStateEntries();
    for (KeyedOneInputStreamOperatorTestHarness<?, ?, ?> h : rowHarnesses) {
      n += h.numKeyedStateEntries();
    }
    return n;
  }

  private void advanceWatermark(long w) throws Exception {
    watermark = w;
    attributor.processWatermark(w);
    forwardAttributed();
    sessions.processWatermark(w);
    forwardDeltas();
    for (OneInputStreamOperatorTestHarness<?, ?> h : sumHarnesses) {
      h.processWatermark(w);
    }
    // The rows behind a combiner see the watermark when the combiner lets it go, after the sums.
    forwardSums();
    for (KeyedOneInputStreamOperatorTestHarness<?, ?, ?> h : List.of(dwell, joins)) {
      h.processWatermark(w);
    }
    collectRows();
  }

  private void setProcessingTime(long t) throws Exception {
    attributor.setProcessingTime(t);
    sessions.setProcessingTime(t);
    for (OneInputStreamOperatorTestHarness<?, ?> h : sumHarnesses) {
      h.setProcessingTime(t);
    }
    forwardSums();
    for (KeyedOneInputStreamOperatorTestHarness<?, ?, ?> h : rowHarnesses) {
      h.setProcessingTime(t);
    }
  }

  /** The attributor's events to the sessionizer, its join deltas to the join rows. */
  private void forwardAttributed() throws Exception {
    for (Object o; (o = attributor.getOutput().poll()) != null; ) {
      if (o instanceof StreamRecord<?> r) {
        JourneyEvent e = (JourneyEvent) r.getValue();
        sessions.processElement(e, e.t());
      }
    }
    for (StreamRecord<JoinDelta> r : drain(attributor.getSideOutput(JoinAttributor.JOIN_DELTAS))) {
      joins.processElement(r);
    }
  }

  private void forwardDeltas() throws Exception {
    for (Object o; (o = sessions.getOutput().poll()) != null; ) {
      if (o instanceof StreamRecord<?> r) {
        funnelSums.processElement((FunnelDelta) r.getValue(), r.getTimestamp());
      }
    }
    for (StreamRecord<EventDelta> r :
        drain(sessions.getSideOutput(JourneySessionizer.EVENT_DELTAS))) {
      eventSums.processElement(r);
    }
    for (StreamRecord<DwellDelta> r :
        drain(sessions.getSideOutput(JourneySessionizer.DWELL_DELTAS))) {
      dwell.processElement(r);
    }
    for (StreamRecord<SessionDelta> r :
        drain(sessions.getSideOutput(JourneySessionizer.SESSION_DELTAS))) {
      sessionSums.processElement(r);
    }
    drainDeadLetters(sessions, JourneySessionizer.DEAD_LETTERS);
    forwardSums();
  }

  /** What the combiners let go, to the row aggregators. */
  private void forwardSums() throws Exception {
    pump(funnelSums, List.of(funnel));
    pump(eventSums, List.of(events));
    pump(sessionSums, List.of(breakdown, usersDaily, convertTime, convertTimeDaily));
    collectRows();
  }

  /** A combiner's sums and watermarks, in the order it sent them, to the rows behind it. */
  @SuppressWarnings("unchecked") // a combiner sends what it receives
  private static <D> void pump(
      OneInputStreamOperatorTestHarness<D, D> combiner,
      List<KeyedOneInputStreamOperatorTestHarness<?, D, ?>> rows)
      throws Exception {
    for (Object o; (o = combiner.getOutput().poll()) != null; ) {
      for (KeyedOneInputStreamOperatorTestHarness<?, D, ?> h : rows) {
        if (o instanceof StreamRecord<?> r) {
          h.processElement((D) r.getValue(), 0);
        } else if (o instanceof org.apache.flink.streaming.api.watermark.Watermark w) {
          h.processWatermark(w);
        }
      }
    }
  }

  private void collectRows() {
    for (KeyedOneInputStreamOperatorTestHarness<?, ?, ?> h : rowHarnesses) {
      for (Object o; (o = h.getOutput().poll()) != null; ) {
        if (o instanceof StreamRecord<?> r) {
          tables.upsert(r.getValue());
          rowsWritten++;
        }
      }
      drainDeadLetters(h, DroppedRows.DEAD_LETTERS);
    }
  }

  private void drainDeadLetters(
      KeyedOneInputStreamOperatorTestHarness<?, ?, ?> h, OutputTag<DeadLetter> tag) {
    for (StreamRecord<DeadLetter> r : drain(h.getSideOutput(tag))) {
      deadLetters.add(r.getValue());
    }
  }

  private static <T> List<StreamRecord<T>> drain(Queue<StreamRecord<T>> q) {
    List<StreamRecord<T>> out = new ArrayList<>();
    if (q != null) {
      for (StreamRecord<T> r; (r = q.poll()) != null; ) {
        out.add(r);
      }
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    for (AbstractStreamOperatorTestHarness<?> h : operators.values()) {
      h.close();
    }
  }
}
