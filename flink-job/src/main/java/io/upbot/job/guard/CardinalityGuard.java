package io.upbot.job.guard;

import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.HourBuckets;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.model.serial.StateTypes;
import io.upbot.job.recovery.WatermarkGuardedFunction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the distinct {@code code} and {@code event_id} values that may create rows per appid and UTC
 * hour of the event's time {@code t}, so that a client sending random codes or event ids cannot
 * grow the tables, nor the state of every later operator, without bound. An event whose code (or
 * event_id) is new for its (appid, hour) when the hour already holds the cap of codes (or of event
 * ids) is dead-lettered with reason {@link #REASON}; events with values already admitted keep
 * passing. A cap of 0 turns that cap off.
 *
 * <p><b>Keyed by appid.</b> The cap is a per-appid rule, so every event that competes for an
 * appid's slots must meet in one place and be decided there in one order. The key must not hold
 * more than the appid: the sessionizer takes the first received copy of an event as the one that
 * counts (docs/semantics.md#duplicates), so a journey's events must reach it in the order of their
 * partition. With the appid as the key, all of a journey's events travel from its one source
 * subtask through one guard subtask, channel by channel in order; keyed by (appid, hour of t), two
 * copies of one event whose capped t fall in different hours would take different subtasks and
 * could overtake each other. The cost: all of one appid's traffic goes through one subtask, so one
 * appid cannot use more than one subtask's throughput here. The work per event is two map lookups,
 * far less than sessionising it, so that subtask is not the job's bottleneck.
 *
 * <p><b>What the tables then hold.</b> The guard removes whole events before they are sessionised,
 * so the funnel, event and dwell rows are exactly those of the admitted events: a subset of the
 * input, consistent with itself (a journey that lost an event is sessionised without it, which can
 * split a session the event would have bridged). It never changes an admitted event's rows. Each of
 * an appid's hours has at most N codes, hence N funnel and N dwell rows, and at most N × M event
 * rows.
 *
 * <p><b>State.</b> Per appid and hour the admitted codes and event ids (map state, one entry per
 * hour and value: nothing is reserialised per event, on the heap or in RocksDB) and their counts
 * (map state by hour). An event-time timer at hour end + A clears the hour's entries: an on-time
 * event of the hour has {@code t < end} and {@code received_at ≤ t + A}, and the watermark never
 * passes an unseen record's {@code received_at} (see {@code ServerClockWatermarks}), so from then
 * on no on-time event can fall in the hour. ({@code t} may run up to 5 minutes ahead of {@code
 * received_at}: that opens an hour early, it never extends its end.) An event of an hour already
 * closed, possible only when a partition breaks the watermark bound, passes without touching state:
 * the sessionizer dead-letters it as {@code behind_watermark}.
 *
 * <p><b>Restores.</b> The admitted values and counts are keyed state in checkpoints, so a restored
 * job keeps every decision made before the checkpoint and decides each later event by the same
 * state. Which of several new values competing for an hour's last slots wins depends on the order
 * they reach the subtask, and events of one appid come from several Kafka partitions, so a replay
 * can admit another subset of them than the run it repeats: only once an hour is full, and only for
 * the values admitted between the checkpoint and the failure (a row such a value wrote then keeps
 * that total).
 */
public final class CardinalityGuard
    extends WatermarkGuardedFunction<String, JourneyEvent, JourneyEvent> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(CardinalityGuard.class);

  /** The dead-letter reason of an event over a cap. */
  public static final String REASON = "cardinality";

  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("cardinality-dead-letters", TypeInformation.of(DeadLetter.class));

  /** How many codes and event ids an hour has admitted, and how many events it dead-lettered. */
  public record HourCounts(int codes, int eventIds, long rejected) {}

  private final int maxCodes;
  private final int maxEventIds;
  private final long allowedLatenessMs;

  private transient MapState<Long, HourCounts> counts;
  private transient MapState<String, Boolean> codes;
  private transient MapState<String, Boolean> eventIds;
  private transient Counter overCap;

  /**
   * @param maxCodes distinct codes per appid and hour, 0 for no cap
   * @param maxEventIds distinct event ids per appid and hour, 0 for no cap
   * @param allowedLatenessMs A
   */
  public CardinalityGuard(int maxCodes, int maxEventIds, long allowedLatenessMs) {
    if (maxCodes < 0 || maxEventIds < 0) {
      throw new IllegalArgumentException("caps must be 0 (off) or positive");
    }
    this.maxCodes = maxCodes;
    this.maxEventIds = maxEventIds;
    this.allowedLatenessMs = allowedLatenessMs;
  }

  /** The key: the event's appid (not its hour: see the class comment). */
  public static String key(JourneyEvent e) {
    return e.appid();
  }

  @Override
  public void open(OpenContext openContext) {
    counts =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "hour-counts", Types.LONG, TypeInformation.of(HourCounts.class)));
    codes =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>("admitted-codes", StateTypes.STRING, Types.BOOLEAN));
    eventIds =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>("admitted-event-ids", StateTypes.STRING, Types.BOOLEAN));
    overCap = getRuntimeContext().getMetricGroup().counter("eventsOverCardinalityCap");
  }

  @Override
  public void processElement(JourneyEvent e, Context ctx, Collector<JourneyEvent> out)
      throws Exception {
    long hour = HourBuckets.bucketStart(e.t());
    long closesAt = closesAt(hour);
    if (observeWatermark(ctx.timerService()) >= closesAt) {
      out.collect(e); // the hour is closed: see the class comment
      return;
    }
    String code = entry(hour, e.code());
    String eventId = entry(hour, e.eventId());
    boolean newCode = maxCodes > 0 && !codes.contains(code);
    boolean newEventId = maxEventIds > 0 && !eventIds.contains(eventId);
    if (!newCode && !newEventId) {
      out.collect(e);
      return;
    }
    HourCounts c = counts.get(hour);
    if (c == null) {
      c = new HourCounts(0, 0, 0);
      ctx.timerService().registerEventTimeTimer(closesAt);
    }
    if ((newCode && c.codes() >= maxCodes) || (newEventId && c.eventIds() >= maxEventIds)) {
      reject(e, hour, c, ctx);
      return;
    }
    if (newCode) {
      codes.put(code, Boolean.TRUE);
    }
    if (newEventId) {
      eventIds.put(eventId, Boolean.TRUE);
    }
    counts.put(
        hour,
        new HourCounts(
            c.codes() + (newCode ? 1 : 0), c.eventIds() + (newEventId ? 1 : 0), c.rejected()));
    out.collect(e);
  }

  /** A value's entry in its hour: the hour first, so an hour's entries share a prefix. */
  private static String entry(long hour, String value) {
    return hour + "/" + value;
  }

  private void reject(JourneyEvent e, long hour, HourCounts c, Context ctx) throws Exception {
    overCap.inc();
    if (c.rejected() == 0) {
      // Once per appid and hour; the hour's total is logged when it closes.
      LOG.warn(
          "appid {} hour {}: cap reached ({} of {} codes, {} of {} event ids); events with new values"
              + " are dead-lettered as {}",
          ctx.getCurrentKey(),
          Instant.ofEpochMilli(hour),
          c.codes(),
          maxCodes,
          c.eventIds(),
          maxEventIds,
          REASON);
    }
    counts.put(hour, new HourCounts(c.codes(), c.eventIds(), c.rejected() + 1));
    ctx.output(
        DEAD_LETTERS,
        new DeadLetter(
            REASON, e.toString(), e.sourceName(), ctx.timerService().currentProcessingTime()));
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<JourneyEvent> out)
      throws Exception {
    // Recorded before the state is dropped: the restored guard must cover every drop.
    observeWatermark(ctx.timerService());
    long hour = timestamp - HourBuckets.HOUR_MS - allowedLatenessMs;
    HourCounts c = counts.get(hour);
    if (c != null && c.rejected() > 0) {
      LOG.warn(
          "appid {} hour {} closed: {} events dead-lettered as {} (caps: {} codes, {} event ids)",
          ctx.getCurrentKey(),
          Instant.ofEpochMilli(hour),
          c.rejected(),
          REASON,
          maxCodes,
          maxEventIds);
    }
    counts.remove(hour);
    // One pass over the appid's entries per closing hour: at most the caps times the open hours.
    String prefix = hour + "/";
    removeHour(codes, prefix);
    removeHour(eventIds, prefix);
  }

  private static void removeHour(MapState<String, Boolean> entries, String prefix)
      throws Exception {
    // Collected first, then removed one by one: MapState#remove drops the map once it is empty,
    // which
    // removing through the iterator does not do on the heap backend.
    List<String> closed = new ArrayList<>();
    for (String entry : entries.keys()) {
      if (entry.startsWith(prefix)) {
        closed.add(entry);
      }
    }
    for (String entry : closed) {
      entries.remove(entry);
    }
  }

  /** Hour end + A: from then on no on-time event can fall in the hour. */
  private long closesAt(long hour) {
    return hour + HourBuckets.HOUR_MS + allowedLatenessMs;
  }
}
