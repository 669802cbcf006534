package io.upbot.job.session;

import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.DwellDelta;
import io.upbot.job.model.EventDelta;
import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.FunnelStages;
import io.upbot.job.model.HourBuckets;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.model.JourneyKey;
import io.upbot.job.recovery.WatermarkGuardedFunction;
import io.upbot.job.session.JourneyState.Session;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessionises one journey (docs/semantics.md#journey to #funnel-depth) and emits signed deltas for exactly what each new distinct
 * event changes: funnel rows on the main output, event and dwell rows on side outputs.
 *
 * <p>State: the journey's distinct events of sessions that can still change ({@link JourneyState}). On
 * each new event the sessions are recomputed before and after the insert and diffed as multisets of
 * {@code (start hour, depth)}; the deltas are coalesced per row and zero ones dropped. Every session in
 * state is live, so a row's {@code liveSessions} delta equals its {@code sessions} delta.
 *
 * <p>Cleanup: an event-time timer at {@code last t + G + A} per session. When the watermark W passes it,
 * any on-time event still to come has {@code received_at ≥ W} (see {@code ServerClockWatermarks}), so
 * {@code t ≥ W − A ≥ last + G}: it can neither join nor precede that session. The session's events are
 * dropped and its funnel row gets {@code liveSessions −1}; an empty journey clears all its state. The
 * behind-watermark guard uses the highest watermark seen, before a restore too ({@link WatermarkGuardedFunction}).
 */
public final class JourneySessionizer
    extends WatermarkGuardedFunction<JourneyKey, JourneyEvent, FunnelDelta> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(JourneySessionizer.class);

  /** Reason of an event that arrived behind the watermark; see {@link #processElement}. */
  public static final String BEHIND_WATERMARK = "behind_watermark";

  public static final OutputTag<EventDelta> EVENT_DELTAS =
      new OutputTag<>("event-deltas", TypeInformation.of(EventDelta.class));
  public static final OutputTag<DwellDelta> DWELL_DELTAS =
      new OutputTag<>("dwell-deltas", TypeInformation.of(DwellDelta.class));
  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("journey-dead-letters", TypeInformation.of(DeadLetter.class));

  private final FunnelStages stages;
  private final long gapMs;
  private final long allowedLatenessMs;

  private transient ValueState<JourneyState> state;
  private transient Counter behindWatermark;

  public JourneySessionizer(FunnelStages stages, long gapMs, long allowedLatenessMs) {
    this.stages = stages;
    this.gapMs = gapMs;
    this.allowedLatenessMs = allowedLatenessMs;
  }

  /** The state's type: a POJO of arrays, never Kryo. */
  public static TypeInformation<JourneyState> stateType() {
    return TypeInformation.of(JourneyState.class);
  }

  @Override
  public void open(OpenContext openContext) {
    state = getRuntimeContext().getState(new ValueStateDescriptor<>("journey", stateType()));
    behindWatermark = getRuntimeContext().getMetricGroup().counter("eventsBehindWatermark");
  }

  @Override
  public void processElement(JourneyEvent e, Context ctx, Collector<FunnelDelta> out)
      throws Exception {
    // The highest watermark seen, restores included: after a restore the current one starts at MIN.
    long w = observeWatermark(ctx.timerService());
    if (w > Long.MIN_VALUE + allowedLatenessMs && e.t() < w - allowedLatenessMs) {
      // Impossible while each partition's received_at disorder stays within the watermark bound: then
      // received_at ≥ W and, being on time, t ≥ received_at − A ≥ W − A. Such an event might belong to a
      // session already dropped, so counting it could write a row from partial state: keep it aside.
      behindWatermark.inc();
      LOG.warn(
          "event of appid {} code {} at t={} arrived behind watermark {}: dead-lettered",
          e.appid(), e.code(), e.t(), w);
      ctx.output(
          DEAD_LETTERS,
          new DeadLetter(
              BEHIND_WATERMARK,
              e.toString(),
              // Unique per distinct event (the table's natural key is source + reason), and the same
              // on a replay.
              "journey/" + e.appid() + "/" + e.code() + "/" + e.trace() + "/" + e.eventId() + "@" + e.t(),
              ctx.timerService().currentProcessingTime()));
      return;
    }
    JourneyState before = state.value();
    if (before == null) {
      before = JourneyState.EMPTY;
    }
    if (before.contains(e.eventId(), e.t())) {
      return; // docs/semantics.md#duplicates: the first received copy wins, whatever the others carry.
    }
    JourneyState after = before.insert(e);
    List<Session> was = before.sessions(gapMs, stages);
    List<Session> now = after.sessions(gapMs, stages);
    emitFunnelDeltas(e, was, now, out);

    long bucket = HourBuckets.bucketStart(e.t());
    ctx.output(EVENT_DELTAS, new EventDelta(bucket, e.appid(), e.code(), e.eventId(), 1));
    if (e.duration() != null) {
      ctx.output(DWELL_DELTAS, new DwellDelta(bucket, e.appid(), e.code(), e.duration(), 1));
    }

    // One cleanup timer per session, at last + G + A; sessions never share a last t.
    Set<Long> wasTimers = new HashSet<>();
    for (Session s : was) {
      wasTimers.add(cleanupAt(s));
    }
    Set<Long> nowTimers = new HashSet<>();
    for (Session s : now) {
      nowTimers.add(cleanupAt(s));
    }
    for (long ts : wasTimers) {
      if (!nowTimers.contains(ts)) {
        ctx.timerService().deleteEventTimeTimer(ts);
      }
    }
    for (long ts : nowTimers) {
      if (!wasTimers.contains(ts)) {
        ctx.timerService().registerEventTimeTimer(ts);
      }
    }
    state.update(after);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<FunnelDelta> out)
      throws Exception {
    // Recorded before anything is dropped: the restored guard must cover every drop.
    long w = observeWatermark(ctx.timerService());
    JourneyState s = state.value();
    if (s == null) {
      return;
    }
    List<Session> sessions = s.sessions(gapMs, stages);
    int keepFrom = 0;
    JourneyKey key = ctx.getCurrentKey();
    // Sessions are in time order and so are their cleanup times: finished ones form a prefix.
    for (Session session : sessions) {
      if (cleanupAt(session) > w) {
        break;
      }
      out.collect(
          new FunnelDelta(
              HourBuckets.bucketStart(session.start()), key.appid(), key.code(), 0, 0, 0, 0, -1));
      keepFrom = session.to();
    }
    if (keepFrom == s.size()) {
      state.clear();
    } else if (keepFrom > 0) {
      state.update(s.dropBefore(keepFrom));
    }
  }

  private long cleanupAt(Session s) {
    return s.last() + gapMs + allowedLatenessMs;
  }

  /** Diffs the sessions as multisets of (start hour, depth), coalesced per funnel row. */
  private void emitFunnelDeltas(
      JourneyEvent e, List<Session> was, List<Session> now, Collector<FunnelDelta> out) {
    Map<Long, int[]> byRow = new TreeMap<>();
    for (Session s : was) {
      add(byRow, s, -1);
    }
    for (Session s : now) {
      add(byRow, s, +1);
    }
    for (Map.Entry<Long, int[]> row : byRow.entrySet()) {
      int[] d = row.getValue();
      if (d[0] != 0 || d[1] != 0 || d[2] != 0 || d[3] != 0) {
        out.collect(
            new FunnelDelta(row.getKey(), e.appid(), e.code(), d[0], d[1], d[2], d[3], d[0]));
      }
    }
  }

  private static void add(Map<Long, int[]> byRow, Session s, int sign) {
    int[] d = byRow.computeIfAbsent(HourBuckets.bucketStart(s.start()), k -> new int[4]);
    d[0] += sign;
    for (int k = 1; k <= 3; k++) {
      if (s.depth() >= k) {
        d[k] += sign;
      }
    }
  }
}
