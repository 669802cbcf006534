package io.upbot.job.attribution;

import io.upbot.job.model.AttributionKey;
import io.upbot.job.model.FunnelStages;
import io.upbot.job.model.HourBuckets;
import io.upbot.job.model.JoinDelta;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.model.serial.StateTypes;
import io.upbot.job.recovery.WatermarkGuardedFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Attributes each WeCom join (a {@code source = wecom} record) to the journey whose long-press led
 * to it, by the user's unionid (docs/semantics.md#wecom-joins): per (appid, code, unionid) it
 * remembers the user's long-presses (stage-2 events of client reports carrying a unionid) and moves
 * a join to the trace of the latest long-press at or before the join's {@code t} and less than the
 * session gap {@code G} before it, as that journey's stage-3 event. A join with no such long-press
 * yet waits until the watermark passes its {@code t + A}, since an on-time long-press is received
 * by then; one still without a long-press then is unattributable and never reaches the funnel.
 * Every other event passes unchanged. Each distinct join (by {@code event_time} as sent, the member
 * being the key's) emits {@link JoinDelta}s for {@code code_join_hourly} on {@link #JOIN_DELTAS}:
 * one when it arrives, one when it is attributed or found unattributable.
 *
 * <p><b>Why G.</b> A long-press less than {@code G} before the join puts the join in the
 * long-press's session (docs/semantics.md#sessions), where it can complete the funnel; an older one
 * would give the join a session of its own, of depth 0, and count a session nobody had.
 *
 * <p><b>Arrival order.</b> A join is attributed to the latest long-press of its window present when
 * it arrives, or, when it waits, to the first long-press of its window that arrives: a journey's
 * later long-press arriving after the join is attributed does not move the join again (the
 * sessionizer cannot take an event back). With one long-press per window, the usual case, the
 * outcome does not depend on arrival order.
 *
 * <p><b>State</b>, per key: the long-presses ({@code t → trace}, the smallest trace for equal
 * {@code t}), each dropped when the watermark passes its {@code t + G + A} (no on-time join can
 * reach it any more), and the joins ({@code event_time → join and its trace}), each dropped when
 * the watermark passes its {@code t + A} (no on-time copy can arrive any more), one event-time
 * timer each.
 */
public final class JoinAttributor
    extends WatermarkGuardedFunction<AttributionKey, JourneyEvent, JourneyEvent> {
  private static final long serialVersionUID = 1L;

  public static final OutputTag<JoinDelta> JOIN_DELTAS =
      new OutputTag<>("join-deltas", TypeInformation.of(JoinDelta.class));

  /** The trace of a join that can never be attributed (it has no unionid). */
  static final String UNATTRIBUTABLE = "";

  /**
   * A join the key has seen: {@code trace} is the journey it went to, {@code null} while it waits,
   * {@link #UNATTRIBUTABLE} when it has no unionid.
   */
  public record SeenJoin(JourneyEvent join, String trace) {}

  private final FunnelStages stages;
  private final long gapMs;
  private final long allowedLatenessMs;
  private final String joinEventId;

  private transient MapState<Long, String> longPresses;
  private transient MapState<Long, SeenJoin> joins;
  private transient Counter attributedCount;
  private transient Counter unattributedCount;

  /**
   * @param stages the funnel's event ids: stage 2 is a long-press; an attributed join takes a stage
   *     3 id
   * @param gapMs G, the session gap: the attribution window
   * @param allowedLatenessMs A: how long a join waits for its long-press
   */
  public JoinAttributor(FunnelStages stages, long gapMs, long allowedLatenessMs) {
    this.stages = stages;
    this.gapMs = gapMs;
    this.allowedLatenessMs = allowedLatenessMs;
    this.joinEventId = stages.joined().stream().sorted().findFirst().orElseThrow();
  }

  /**
   * Whether the event is the attribution's: a WeCom join, or a client's long-press carrying a
   * unionid. Every other event goes straight to the sessionizer.
   */
  public static boolean concerns(JourneyEvent e, FunnelStages stages) {
    return e.fromWeCom() || (e.unionid() != null && stages.stageOf(e.eventId()) == 2);
  }

  @Override
  public void open(OpenContext openContext) {
    longPresses =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>("join-long-presses", Types.LONG, StateTypes.STRING));
    joins =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "join-joins", Types.LONG, TypeInformation.of(SeenJoin.class)));
    attributedCount = getRuntimeContext().getMetricGroup().counter("joinsAttributed");
    unattributedCount = getRuntimeContext().getMetricGroup().counter("joinsUnattributed");
  }

  @Override
  public void processElement(JourneyEvent e, Context ctx, Collector<JourneyEvent> out)
      throws Exception {
    long watermark = observeWatermark(ctx.timerService());
    if (e.fromWeCom()) {
      join(e, watermark, ctx, out);
    } else {
      out.collect(e);
      if (stages.stageOf(e.eventId()) == 2) {
        longPress(e, watermark, ctx, out);
      }
    }
  }

  private void join(JourneyEvent e, long watermark, Context ctx, Collector<JourneyEvent> out)
      throws Exception {
    if (joins.contains(e.eventTime())) {
      return; // a copy: the first one decided (docs/semantics.md#duplicates)
    }
    if (e.unionid() == null) {
      delta(ctx, e, 1, 0, 1);
      keep(e, UNATTRIBUTABLE, watermark, ctx);
      return;
    }
    Map.Entry<Long, String> lp = latestLongPressFor(e.t());
    if (lp != null) {
      out.collect(e.inTrace(lp.getValue(), joinEventIdOf(e)));
      delta(ctx, e, 1, 1, 0);
      keep(e, lp.getValue(), watermark, ctx);
    } else if (e.t() + allowedLatenessMs <= watermark) {
      // Behind the watermark (a partition beyond the watermark bound): nothing can come for it.
      delta(ctx, e, 1, 0, 1);
    } else {
      delta(ctx, e, 1, 0, 0);
      keep(e, null, watermark, ctx);
    }
  }

  private void keep(JourneyEvent e, String trace, long watermark, Context ctx) throws Exception {
    long dropAt = e.t() + allowedLatenessMs;
    if (dropAt <= watermark) {
      return;
    }
    joins.put(e.eventTime(), new SeenJoin(e, trace));
    ctx.timerService().registerEventTimeTimer(dropAt);
  }

  private void longPress(JourneyEvent e, long watermark, Context ctx, Collector<JourneyEvent> out)
      throws Exception {
    long dropAt = e.t() + gapMs + allowedLatenessMs;
    if (dropAt <= watermark) {
      return; // no on-time join can reach it
    }
    String known = longPresses.get(e.t());
    if (known == null || e.trace().compareTo(known) < 0) {
      longPresses.put(e.t(), e.trace());
      ctx.timerService().registerEventTimeTimer(dropAt);
    }
    List<SeenJoin> attributed = new ArrayList<>();
    for (SeenJoin s : joins.values()) {
      if (s.trace() == null && inWindow(e.t(), s.join().t())) {
        attributed.add(new SeenJoin(s.join(), e.trace()));
      }
    }
    for (SeenJoin s : attributed) {
      joins.put(s.join().eventTime(), s);
      out.collect(s.join().inTrace(s.trace(), joinEventIdOf(s.join())));
      delta(ctx, s.join(), 0, 1, 0);
    }
  }

  /** A long-press at {@code p} attributes a join at {@code j}: {@code p ≤ j < p + G}. */
  private boolean inWindow(long p, long j) {
    return p <= j && j - p < gapMs;
  }

  private Map.Entry<Long, String> latestLongPressFor(long j) throws Exception {
    Map.Entry<Long, String> best = null;
    for (Map.Entry<Long, String> lp : longPresses.entries()) {
      if (inWindow(lp.getKey(), j) && (best == null || lp.getKey() > best.getKey())) {
        best = Map.entry(lp.getKey(), lp.getValue());
      }
    }
    return best;
  }

  /** The join's own id when it is a stage-3 id, else the first stage-3 id (stage ids are set). */
  private String joinEventIdOf(JourneyEvent join) {
    return stages.stageOf(join.eventId()) == 3 ? join.eventId() : joinEventId;
  }

  private void delta(Context ctx, JourneyEvent join, int joined, int attributed, int unattributed) {
    if (attributed > 0) {
      attributedCount.inc();
    }
    if (unattributed > 0) {
      unattributedCount.inc();
    }
    ctx.output(
        JOIN_DELTAS,
        new JoinDelta(
            HourBuckets.bucketStart(join.t()),
            join.appid(),
            join.code(),
            joined,
            attributed,
            unattributed));
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<JourneyEvent> out)
      throws Exception {
    long watermark = Math.max(observeWatermark(ctx.timerService()), timestamp);
    // Collected first, then removed: MapState#remove drops the map once it is empty, which removing
    // through the iterator does not do on the heap backend.
    List<SeenJoin> done = new ArrayList<>();
    for (SeenJoin s : joins.values()) {
      if (s.join().t() + allowedLatenessMs <= watermark) {
        done.add(s);
      }
    }
    for (SeenJoin s : done) {
      if (s.trace() == null) {
        delta(ctx, s.join(), 0, 0, 1);
      }
      joins.remove(s.join().eventTime());
    }
    List<Long> old = new ArrayList<>();
    for (Long p : longPresses.keys()) {
      if (p + gapMs + allowedLatenessMs <= watermark) {
        old.add(p);
      }
    }
    for (Long p : old) {
      longPresses.remove(p);
    }
  }
}
