package io.upbot.job.session;

import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.DwellDelta;
import io.upbot.job.model.EventDelta;
import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.FunnelStages;
import io.upbot.job.model.HourBuckets;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.model.JourneyKey;
import io.upbot.job.model.SessionDelta;
import io.upbot.job.model.serial.EdgeTypes;
import io.upbot.job.model.serial.StateTypeInfo;
import io.upbot.job.model.serial.StateTypes;
import io.upbot.job.recovery.WatermarkGuardedFunction;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessionises one journey (docs/semantics.md#journey, #duplicates, #sessions, #funnel-depth) and
 * emits signed deltas for exactly what each new distinct event changes: funnel rows on the main
 * output, event and dwell rows and per-session changes ({@link SessionDelta}: the earliest event's
 * user and dimensions, the convert times) on side outputs.
 *
 * <p><b>State, sized so that one journey with many events costs each event O(log n).</b> Sessions
 * of a journey only ever merge, never split, so the journey keeps no sorted list of its events,
 * only:
 *
 * <ul>
 *   <li>{@code journey-sessions}: the {@link JourneyIndex}, its few live sessions (about {@code (A
 *       + 5 min) / G}) each with its span, size and matched stage times ({@link LiveSession}). Read
 *       and written once per new event; its size does not grow with the journey's events.
 *   <li>{@code journey-event-names}: a small journey's events by name ({@code event_time as sent /
 *       event_id}) with each one's {@code t}, in one value ({@link EventNames}) of up to {@code
 *       inlineEvents} (16) events: a scan of a few dozen longs drops a duplicate, and on the heap a
 *       journey's names are two objects, not twenty (the collector copies and marks every object a
 *       journey keeps for its G + A; docs/performance.md).
 *   <li>{@code journey-events}: a larger journey's events: {@code MapState} from the same name to
 *       the event's {@code t}: one point lookup to drop a duplicate, whatever the journey's size,
 *       on RocksDB too. The journey's 17th event moves its names here; it stays here until the
 *       journey empties. A journey restored from before {@code journey-event-names} existed (an
 *       index, no names value) goes on here.
 *   <li>{@code journey-pending}: {@code MapState} of the sessions' pending stage times, as
 *       max-heaps ({@link PendingHeaps}, {@link SessionDraft}).
 * </ul>
 *
 * A new event finds its neighbours in the index by binary search. It starts a session, extends one,
 * or bridges two (it cannot reach a third: sessions are at least {@code G} apart). Only those
 * sessions change: a bridge adds the side with fewer pending times to the other (small into large:
 * a pending time moves at most log n times, at O(log n) a move), then the event is added. The
 * deltas are −1 for the old version of each touched session and +1 for the new one, as {@code
 * (start hour, depth)}, coalesced per row with zero rows dropped. Every session in state is live,
 * so a row's {@code liveSessions} delta equals its {@code sessions} delta. The index also keeps
 * each session's earliest event ({@link FirstEvent}: its user and dimensions), so the same −1/+1
 * per touched session, with the user, dimensions, depth and convert times ({@code m2 − m1}, {@code
 * m3 − m2}), goes to {@link #SESSION_DELTAS}, uncoalesced (a pair that cancels is not sent).
 *
 * <p><b>Duplicates</b>: an event is named by {@code (event_time as sent, event_id)}; the first
 * received copy wins and its {@code t} is the event's time. A later copy changes nothing, even one
 * from a device whose clock runs ahead, whose capped {@code t} differs. Such a copy can arrive on
 * time long after the first one's session could otherwise end: it is on time while its {@code
 * received_at ≤ event_time + A}. So a session is kept, names of its events included, until the
 * watermark passes {@code event_time + A} of each of its events as well as {@code last + G + A}
 * ({@link LiveSession#copiesUntil()}). That wait is bounded at {@code t + 2A}: a device clock years
 * ahead must not pin state for years. Only a copy from a clock more than A ahead, received more
 * than about 2A after the first, would count again.
 *
 * <p><b>Cap</b>: a journey holds at most {@code maxEvents} distinct live events. Past that, its
 * further new events are dead-lettered as {@value #JOURNEY_TOO_LARGE} (logged once per journey,
 * counted in the {@code eventsJourneyTooLarge} metric); the sessions already counted stay exact, as
 * the events they hold are all counted. Copies of a counted event are still dropped silently; a
 * resend of a refused one is refused again under the same dead-letter source.
 *
 * <p><b>Cleanup</b>: a session can go at {@code last t + G + A} (or later, for copies, see above),
 * its cleanup time. When the watermark W passes it, any on-time event still to come has {@code
 * received_at ≥ W} (see {@code ServerClockWatermarks}), so {@code t ≥ W − A ≥ last + G}: it can
 * neither join nor precede that session, nor be a copy of one of its events. Sessions finish as a
 * time prefix of the journey (one that may go waits for the ones before it), so the events of
 * finished sessions are those at or before the last of them: the sessions leave the index, their
 * funnel rows get {@code liveSessions −1}, their pending heaps are dropped slot by slot, and one
 * pass over the journey's names drops their events (each event is passed over at most once per
 * session that finishes while it lives, a bounded number). An empty journey clears all its state.
 * One event-time timer per journey, not per session, drives this: sessions finish as a prefix, so
 * nothing can finish before the first session's cleanup time, and a session's cleanup time only
 * ever moves later (an event extends it, a bridge takes the later of two). So a timer is set when a
 * session opens in first place, none when an event only extends or bridges (most events: no timer
 * to delete and set again per event), and each firing sets the next one at the then first session's
 * cleanup time; one that fires early (its session was extended) finishes nothing and sets the later
 * time. Sessions still leave at exactly the watermark they left at with one timer per session,
 * which also keeps savepoints holding those timers valid. The behind-watermark guard uses the
 * highest watermark seen, before a restore too ({@link WatermarkGuardedFunction}).
 */
public final class JourneySessionizer
    extends WatermarkGuardedFunction<JourneyKey, JourneyEvent, FunnelDelta> {
  private static final long serialVersionUID = 2L;
  private static final Logger LOG = LoggerFactory.getLogger(JourneySessionizer.class);

  /** Reason of an event that arrived behind the watermark; see {@link #processElement}. */
  public static final String BEHIND_WATERMARK = "behind_watermark";

  /**
   * Reason of a new event of a journey that already holds the most distinct live events allowed.
   */
  public static final String JOURNEY_TOO_LARGE = "journey_too_large";

  /** The default cap on a journey's distinct live events. */
  public static final int DEFAULT_MAX_EVENTS = 10_000;

  /**
   * The most events a journey keeps by name in one value ({@link EventNames}); from the next one
   * on, its names move to {@code journey-events}, one entry each.
   */
  public static final int DEFAULT_INLINE_EVENTS = 16;

  public static final OutputTag<EventDelta> EVENT_DELTAS =
      new OutputTag<>("event-deltas", EdgeTypes.EVENT_DELTA);
  public static final OutputTag<DwellDelta> DWELL_DELTAS =
      new OutputTag<>("dwell-deltas", EdgeTypes.DWELL_DELTA);
  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("journey-dead-letters", TypeInformation.of(DeadLetter.class));

  /**
   * Per-session changes for the tables that need more than a row's counts: the earliest event's
   * user and dimensions, the convert times ({@link SessionDelta}).
   */
  public static final OutputTag<SessionDelta> SESSION_DELTAS =
      new OutputTag<>("session-deltas", EdgeTypes.SESSION_DELTA);

  private final FunnelStages stages;
  private final long gapMs;
  private final long allowedLatenessMs;
  private final int maxEvents;
  private final int inlineEvents;

  private transient ValueState<JourneyIndex> index;
  private transient ValueState<EventNames> names;
  private transient MapState<String, Long> events;
  private transient MapState<Long, Long> pendingSlots;
  private transient PendingHeaps pending;
  private transient Counter behindWatermark;
  private transient Counter tooLarge;

  /**
   * @param maxEvents the most distinct live events one journey may hold; further ones are
   *     dead-lettered
   */
  public JourneySessionizer(
      FunnelStages stages, long gapMs, long allowedLatenessMs, int maxEvents) {
    this(stages, gapMs, allowedLatenessMs, maxEvents, DEFAULT_INLINE_EVENTS);
  }

  /**
   * A sessionizer whose journeys keep up to {@code inlineEvents} names in one value: for tests and
   * for measuring what that value saves ({@code SessionizerFootprint}).
   *
   * @param inlineEvents the most events a journey keeps by name in one value; 0 keeps every name in
   *     {@code journey-events}, as before that value existed
   */
  public JourneySessionizer(
      FunnelStages stages, long gapMs, long allowedLatenessMs, int maxEvents, int inlineEvents) {
    if (maxEvents < 1) {
      throw new IllegalArgumentException("maxEvents must be at least 1");
    }
    if (inlineEvents < 0) {
      throw new IllegalArgumentException("inlineEvents must not be negative");
    }
    this.stages = stages;
    this.gapMs = gapMs;
    this.allowedLatenessMs = allowedLatenessMs;
    this.maxEvents = maxEvents;
    this.inlineEvents = inlineEvents;
  }

  /**
   * State names: the session index, a small journey's events by name in one value, a large
   * journey's events by name one entry each, the pending heaps' slots.
   */
  static final String INDEX_STATE = "journey-sessions";

  static final String NAMES_STATE = "journey-event-names";

  static final String EVENTS_STATE = "journey-events";
  static final String PENDING_STATE = "journey-pending";

  /**
   * The index's type: Flink's POJO format of an array of records (never Kryo), written by {@link
   * JourneyIndexSerializer} in one bulk write.
   */
  public static TypeInformation<JourneyIndex> indexType() {
    return new StateTypeInfo<>(JourneyIndex.class, new JourneyIndexSerializer());
  }

  /** The type of a small journey's event names: {@link EventNamesSerializer}'s format. */
  public static TypeInformation<EventNames> namesType() {
    return new StateTypeInfo<>(EventNames.class, new EventNamesSerializer());
  }

  @Override
  public void open(OpenContext openContext) {
    index = getRuntimeContext().getState(new ValueStateDescriptor<>(INDEX_STATE, indexType()));
    names = getRuntimeContext().getState(new ValueStateDescriptor<>(NAMES_STATE, namesType()));
    events =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>(EVENTS_STATE, StateTypes.STRING, Types.LONG));
    pendingSlots =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>(PENDING_STATE, Types.LONG, Types.LONG));
    pending = new PendingHeaps(pendingSlots);
    behindWatermark = getRuntimeContext().getMetricGroup().counter("eventsBehindWatermark");
    tooLarge = getRuntimeContext().getMetricGroup().counter("eventsJourneyTooLarge");
  }

  @Override
  public void processElement(JourneyEvent e, Context ctx, Collector<FunnelDelta> out)
      throws Exception {
    // The highest watermark seen, restores included: after a restore the current one starts at MIN.
    long w = observeWatermark(ctx.timerService());
    JourneyIndex before = index.value();
    // A journey keeps its names in one value from its first event until it passes inlineEvents;
    // one restored from before that value existed (an index, no value) keeps them in the map.
    EventNames inline = names.value();
    if (inline == null && before == null) {
      inline = EventNames.EMPTY;
    }
    if (inline != null
        ? inline.contains(e.eventTime(), e.eventId())
        : events.contains(eventName(e))) {
      return; // a copy of a known event: the first received copy won (docs/semantics.md#duplicates)
    }
    if (w > Long.MIN_VALUE + allowedLatenessMs && e.t() < w - allowedLatenessMs) {
      // Impossible while each partition's received_at disorder stays within the watermark bound:
      // then
      // received_at ≥ W and, being on time, t ≥ received_at − A ≥ W − A. Such an event might belong
      // to a
      // session already dropped, so counting it could write a row from partial state: keep it
      // aside.
      behindWatermark.inc();
      LOG.warn(
          "event of appid {} code {} at t={} arrived behind watermark {}: dead-lettered",
          e.appid(),
          e.code(),
          e.t(),
          w);
      ctx.output(DEAD_LETTERS, deadLetter(BEHIND_WATERMARK, e, ctx.timerService()));
      return;
    }
    if (before == null) {
      before = JourneyIndex.EMPTY;
    }
    if (before.events() >= maxEvents) {
      refuseOverCap(e, before, ctx);
      return;
    }
    remember(e, inline);

    // The sessions the event touches: the one starting at or before t if t is within G of its last
    // (or inside it), the next one if its start is within G of t; both means a bridge.
    long t = e.t();
    int p = before.lastStartingAtOrBefore(t);
    int n = p + 1;
    boolean joinsPrevious = p >= 0 && t - before.session(p).last() < gapMs;
    boolean joinsNext = n < before.size() && before.session(n).start() - t < gapMs;
    int from = joinsPrevious ? p : n;
    int to = joinsNext ? n + 1 : n;
    long nextId = before.nextSessionId();
    SessionDraft draft;
    if (joinsPrevious && joinsNext) {
      LiveSession a = before.session(p);
      LiveSession b = before.session(n);
      LiveSession large = a.pending() >= b.pending() ? a : b;
      draft = new SessionDraft(large, pending);
      draft.absorb(large == a ? b : a);
    } else if (joinsPrevious || joinsNext) {
      draft = new SessionDraft(before.session(from), pending);
    } else {
      draft = SessionDraft.open(nextId++, t, pending);
    }
    draft.add(e, t, stages.stageOf(e), copiesUntil(e));
    LiveSession now = draft.build();
    JourneyIndex after = before.replace(from, to, now, nextId);
    index.update(after);

    emitFunnelDeltas(e, before, from, to, now, out);
    emitSessionDeltas(e.appid(), e.code(), before, from, to, now, ctx);
    long bucket = HourBuckets.bucketStart(t);
    ctx.output(EVENT_DELTAS, new EventDelta(bucket, e.appid(), e.code(), e.eventId(), 1));
    if (e.duration() != null) {
      ctx.output(DWELL_DELTAS, new DwellDelta(bucket, e.appid(), e.code(), e.duration(), 1));
    }
    // One cleanup timer per journey, never later than its first session's cleanup time (see the
    // class comment). Only a session that opens in first place needs one; extending, bridging or
    // adding a later session only moves cleanup times later, so the timer already set still fires
    // in time, and onTimer sets the next one.
    if (from == 0 && !joinsPrevious && !joinsNext) {
      ctx.timerService().registerEventTimeTimer(cleanupAt(now));
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<FunnelDelta> out)
      throws Exception {
    // Recorded before anything is dropped: the restored guard must cover every drop.
    long w = observeWatermark(ctx.timerService());
    JourneyIndex s = index.value();
    if (s == null) {
      return;
    }
    // Sessions finish in time order: one that could go waits for those before it, so the finished
    // ones
    // form a time prefix and their events are those at or before the last of them.
    int finished = 0;
    while (finished < s.size() && cleanupAt(s.session(finished)) <= w) {
      finished++;
    }
    if (finished < s.size()) {
      // The journey's next timer: at its (new) first session's cleanup time, which events may have
      // moved past this one. Setting a time already set changes nothing.
      ctx.timerService().registerEventTimeTimer(cleanupAt(s.session(finished)));
    }
    if (finished == 0) {
      return;
    }
    JourneyKey key = ctx.getCurrentKey();
    for (int i = 0; i < finished; i++) {
      LiveSession session = s.session(i);
      out.collect(
          new FunnelDelta(
              HourBuckets.bucketStart(session.start()), key.appid(), key.code(), 0, 0, 0, 0, -1));
      if (session.first() != null) {
        ctx.output(SESSION_DELTAS, sessionDelta(key.appid(), key.code(), session, 0, -1));
      }
    }
    if (finished == s.size()) {
      index.clear();
      names.clear();
      events.clear();
      pendingSlots.clear();
      return;
    }
    long upTo = s.session(finished - 1).last();
    for (int i = 0; i < finished; i++) {
      LiveSession session = s.session(i);
      pending.drop(session.id(), 2, session.pending2());
      pending.drop(session.id(), 3, session.pending3());
    }
    // The finished sessions' events are exactly those at or before the last of them.
    EventNames inline = names.value();
    if (inline != null) {
      names.update(inline.withoutUpTo(upTo));
    } else {
      for (Iterator<Map.Entry<String, Long>> it = events.iterator(); it.hasNext(); ) {
        if (it.next().getValue() <= upTo) {
          it.remove();
        }
      }
    }
    index.update(s.dropFirst(finished));
  }

  /**
   * Keeps a new distinct event's name: in the journey's one value while it holds fewer than {@code
   * inlineEvents}, else in {@code journey-events}, where the value's names then move too.
   */
  private void remember(JourneyEvent e, EventNames inline) throws Exception {
    if (inline == null) {
      events.put(eventName(e), e.t());
    } else if (inline.size() < inlineEvents) {
      names.update(inline.with(e.eventTime(), e.eventId(), e.t()));
    } else {
      for (int i = 0; i < inline.size(); i++) {
        events.put(eventName(inline.eventTime(i), inline.eventId(i)), inline.t(i));
      }
      events.put(eventName(e), e.t());
      names.clear();
    }
  }

  /** The name of a distinct event within its journey: its event_time as sent and its event_id. */
  static String eventName(JourneyEvent e) {
    return eventName(e.eventTime(), e.eventId());
  }

  static String eventName(long eventTime, String eventId) {
    // The time is digits and an optional sign, so the first '/' separates it from any event_id.
    return eventTime + "/" + eventId;
  }

  private void refuseOverCap(JourneyEvent e, JourneyIndex journey, Context ctx) throws Exception {
    tooLarge.inc();
    if (!journey.capReported()) {
      LOG.warn(
          "journey of appid {} code {} holds {} distinct live events, the most allowed: its further new"
              + " events are dead-lettered as {} until its sessions end",
          e.appid(),
          e.code(),
          journey.events(),
          JOURNEY_TOO_LARGE);
      index.update(journey.withCapReported());
    }
    ctx.output(DEAD_LETTERS, deadLetter(JOURNEY_TOO_LARGE, e, ctx.timerService()));
  }

  private static DeadLetter deadLetter(String reason, JourneyEvent e, TimerService timers) {
    return new DeadLetter(
        reason,
        e.toString(),
        // Unique per distinct event (the table's natural key is source + reason), and the same on a
        // replay or a resend.
        e.sourceName(),
        timers.currentProcessingTime());
  }

  /** When a session can go: no on-time event can join it, precede it or copy one of its events. */
  private long cleanupAt(LiveSession s) {
    return Math.max(s.last() + gapMs + allowedLatenessMs, s.copiesUntil());
  }

  /**
   * The watermark from which no copy of {@code e} can arrive on time: a copy received at r is on
   * time while {@code r ≤ event_time + A}, and records still to come have {@code r ≥ W}. Bounded at
   * {@code t + 2A}, so a far-future event_time cannot pin state.
   */
  private long copiesUntil(JourneyEvent e) {
    return Math.min(e.eventTime(), e.t() + allowedLatenessMs) + allowedLatenessMs + 1;
  }

  /**
   * −1 for the touched sessions as they were, +1 for the session they became, coalesced per row.
   */
  private static void emitFunnelDeltas(
      JourneyEvent e,
      JourneyIndex before,
      int from,
      int to,
      LiveSession now,
      Collector<FunnelDelta> out) {
    // At most three sessions, so at most three rows: small arrays, not a map per event.
    int n = to - from + 1;
    long[] rows = new long[n];
    int[][] deltas = new int[n][];
    int used = add(rows, deltas, 0, now, +1);
    for (int i = from; i < to; i++) {
      used = add(rows, deltas, used, before.session(i), -1);
    }
    // In hour order, as a sorted map would send them.
    for (int sent = 0; sent < used; sent++) {
      int next = -1;
      for (int j = 0; j < used; j++) {
        if (deltas[j] != null && (next < 0 || rows[j] < rows[next])) {
          next = j;
        }
      }
      int[] d = deltas[next];
      deltas[next] = null;
      if (d[0] != 0 || d[1] != 0 || d[2] != 0 || d[3] != 0) {
        out.collect(new FunnelDelta(rows[next], e.appid(), e.code(), d[0], d[1], d[2], d[3], d[0]));
      }
    }
  }

  /**
   * +1 for the session a touch made, −1 for each touched session as it was; when one session
   * changed in nothing these tables see (most events), the pair cancels and neither is sent.
   */
  private static void emitSessionDeltas(
      String appid,
      String code,
      JourneyIndex before,
      int from,
      int to,
      LiveSession now,
      Context ctx) {
    if (to - from == 1 && sameFigures(before.session(from), now)) {
      return;
    }
    SessionDelta plus = sessionDelta(appid, code, now, 1, 1);
    // The +1 first: a row past its retention is dropped when its live count reaches zero, so it
    // must not touch zero between the −1 and the +1 of one session that stays in it.
    ctx.output(SESSION_DELTAS, plus);
    for (int i = from; i < to; i++) {
      // A session restored from state written before sessions kept their earliest event was never
      // counted in these tables: nothing to take back (docs/tables.md#upgrading-to-these-tables).
      if (before.session(i).first() != null) {
        ctx.output(SESSION_DELTAS, sessionDelta(appid, code, before.session(i), -1, -1));
      }
    }
  }

  /** Whether two versions of a session give these tables the same figures (the −1/+1 cancel). */
  private static boolean sameFigures(LiveSession was, LiveSession is) {
    FirstEvent a = was.first();
    FirstEvent b = is.first();
    return a != null
        && Objects.equals(a.openid(), b.openid())
        && a.accountType() == b.accountType()
        && a.deviceType() == b.deviceType()
        && a.mediaType() == b.mediaType()
        && HourBuckets.bucketStart(was.start()) == HourBuckets.bucketStart(is.start())
        && was.depth() == is.depth()
        && was.pressMs() == is.pressMs()
        && was.joinMs() == is.joinMs();
  }

  private static SessionDelta sessionDelta(
      String appid, String code, LiveSession s, int sessions, int live) {
    FirstEvent f = s.first();
    return new SessionDelta(
        HourBuckets.bucketStart(s.start()),
        appid,
        code,
        f.openid(),
        f.accountType(),
        f.deviceType(),
        f.mediaType(),
        s.depth(),
        s.pressMs(),
        s.joinMs(),
        sessions,
        live);
  }

  /** Adds a session's ±1 to its row among the first {@code used}; returns the rows now used. */
  private static int add(long[] rows, int[][] deltas, int used, LiveSession s, int sign) {
    long row = HourBuckets.bucketStart(s.start());
    int i = 0;
    while (i < used && rows[i] != row) {
      i++;
    }
    if (i == used) {
      rows[i] = row;
      deltas[i] = new int[4];
      used++;
    }
    int[] d = deltas[i];
    d[0] += sign;
    for (int k = 1; k <= 3; k++) {
      if (s.depth() >= k) {
        d[k] += sign;
      }
    }
    return used;
  }
}
