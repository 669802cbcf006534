package io.upbot.job.aggregate;

import io.upbot.job.model.HourlyRowKey;
import io.upbot.job.recovery.WatermarkGuardedFunction;
import java.io.Serializable;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.util.Collector;

/**
 * Keeps one hourly row per key from deltas and writes it, as a total, at most once per flush
 * interval while it changes; each table plugs in its accumulator: how a delta applies, how the row
 * is made and, if it must wait for more than its hour's retention, when the row may be dropped.
 *
 * <p>The rules every row follows:
 *
 * <ul>
 *   <li>Its state is created by the first delta, which also sets a timer at the hour's retention
 *       end ({@link RowTiming#retentionEnd}): from then on no on-time event can change the row.
 *   <li>A delta that finds no state while the highest watermark seen (restores included) is already
 *       past the retention end reached a row whose state was dropped: it goes to the dead letters
 *       ({@link DroppedRows}), since a total built from zero would overwrite the right one.
 *   <li>Every delta that reaches the row ({@link #touches}) makes it dirty, even one that changes
 *       nothing (a sum whose changes cancel out, a session's end that changes only the live count),
 *       and a row that turns dirty sets a flush timer at the next flush tick: each dirty row is
 *       written once per tick, whatever the number of deltas. A replay after a failure then writes
 *       every row the failed attempt wrote after the checkpoint, since the same events reach the
 *       same rows, however differently their deltas were summed ({@link DeltaCombiner}).
 *   <li>Any timer writes a dirty row: processing-time timers do not fire at the end of a bounded
 *       input, the event-time ones do (the final watermark), so the retention timer also writes
 *       final totals.
 *   <li>At the retention timer the state is cleared, unless {@link #mayDrop} says the row must
 *       wait; then it is marked ({@link #pastRetention}) and dropped, after a last write, by the
 *       first delta after which it may be.
 * </ul>
 *
 * <p>Savepoints: the row's state is one value state named by the table ({@code funnel-row}, ...)
 * holding the table's accumulator record; tables that keep more (dwell's per-duration counts) add
 * their own.
 *
 * @param <K> the row's key, which names its hour (an {@link HourlyRowKey}) or, for a row that
 *     overrides {@link #retentionEnd}, its day
 * @param <D> the delta
 * @param <A> the accumulator kept in state
 * @param <R> the row written
 */
public abstract class RowAggregator<K, D, A extends RowAggregator.Accumulator<A>, R>
    extends WatermarkGuardedFunction<K, D, R> {
  private static final long serialVersionUID = 1L;

  /**
   * What the template reads from a table's accumulator: whether to write it, and it once written.
   * Serializable only so that a function can hold the empty one; Flink keeps it in state as the
   * record it is (a POJO), never by Java serialization.
   */
  public interface Accumulator<A> extends Serializable {

    /** Changed since the row was last written. */
    boolean dirty();

    /** The same accumulator, written (not dirty). */
    A written();

    /** The same accumulator, to be written at the next flush (dirty). */
    A touched();
  }

  private final String stateName;
  private final A empty;
  private final RowTiming timing;
  private transient ValueState<A> state;
  private transient Counter dropped;

  /**
   * @param stateName the value state's name, also the table named in dead letters: never change it,
   *     a savepoint's state is found by it
   * @param empty the accumulator of a row no delta has reached yet; its class is the state's type
   */
  protected RowAggregator(String stateName, A empty, RowTiming timing) {
    this.stateName = stateName;
    this.empty = empty;
    this.timing = timing;
  }

  /**
   * The accumulator with {@code delta} applied, dirty when the delta changed the row (the template
   * marks it dirty anyway when {@link #touches} says so).
   */
  protected abstract A apply(A acc, D delta) throws Exception;

  /**
   * Whether {@code delta} is one of those that make the row dirty, whatever it changes; all by
   * default. A table overrides it only for deltas that can never change its row, which then write
   * nothing (the row a replay must rewrite was written for a delta that can).
   */
  protected boolean touches(D delta) {
    return true;
  }

  /** The row to write for {@code key}, written at {@code nowMs}. */
  protected abstract R row(K key, A acc, long nowMs) throws Exception;

  /**
   * Whether the row may be dropped once its hour's retention has passed; by default always. A row
   * that may not is kept, marked with {@link #pastRetention}, until a delta makes it droppable.
   */
  protected boolean mayDrop(A acc) {
    return true;
  }

  /**
   * The accumulator marked as kept past its retention; needed only where {@link #mayDrop} can say
   * no.
   */
  protected A pastRetention(A acc) {
    throw new IllegalStateException(stateName + " cannot be kept past its retention");
  }

  /** Whether the accumulator was kept past its retention ({@link #pastRetention}). */
  protected boolean isPastRetention(A acc) {
    return false;
  }

  /**
   * The event time from which no on-time event can change the row: its hour's retention end ({@link
   * RowTiming#retentionEnd}). A row whose key is not an {@link HourlyRowKey} overrides it.
   */
  protected long retentionEnd(K key) {
    if (key instanceof HourlyRowKey hourly) {
      return timing.retentionEnd(hourly.bucketStart());
    }
    throw new IllegalStateException(
        stateName + ": a key without an hour needs its own retentionEnd: " + key);
  }

  /** The flush and retention settings. */
  protected RowTiming timing() {
    return timing;
  }

  /**
   * A map state a table keeps beside the accumulator, to get in {@link #open}; cleared in {@link
   * #clearExtraState}. Its name is in savepoints: never change it.
   */
  protected final <UK, UV> MapState<UK, UV> mapState(
      String name, TypeInformation<UK> keys, TypeInformation<UV> values) {
    return getRuntimeContext().getMapState(new MapStateDescriptor<>(name, keys, values));
  }

  /** Clears the state a table keeps beside the accumulator, when the row is dropped. */
  protected void clearExtraState() throws Exception {}

  @Override
  public void open(OpenContext openContext) throws Exception {
    @SuppressWarnings("unchecked") // a record class: nothing can extend it
    Class<A> accumulatorClass = (Class<A>) empty.getClass();
    state =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>(stateName, TypeInformation.of(accumulatorClass)));
    dropped = getRuntimeContext().getMetricGroup().counter("deltasForDroppedRows");
  }

  @Override
  public final void processElement(D delta, Context ctx, Collector<R> out) throws Exception {
    A acc = state.value();
    if (acc == null) {
      long retentionEnd = retentionEnd(ctx.getCurrentKey());
      if (observeWatermark(ctx.timerService()) >= retentionEnd) {
        // Normally impossible: a row is dropped only once no on-time event can reach it (the
        // watermark never passes an unseen record's received_at, and an on-time event of the hour
        // has received_at < hour end + A) and, for rows that wait (mayDrop), nothing live can.
        DroppedRows.divert(ctx, stateName, delta, dropped);
        return;
      }
      acc = empty;
      ctx.timerService().registerEventTimeTimer(retentionEnd);
    }
    A next = apply(acc, delta);
    if (touches(delta) && !next.dirty()) {
      // Even a delta that changes nothing is written: see the class comment.
      next = next.touched();
    }
    if (isPastRetention(next) && mayDrop(next)) {
      // Kept past its retention until now: nothing can change it any more.
      if (next.dirty()) {
        out.collect(row(ctx.getCurrentKey(), next, ctx.timerService().currentProcessingTime()));
      }
      clear();
      return;
    }
    if (next.dirty() && !acc.dirty()) {
      // A dirty row always has its flush timer pending (it is set here and the flush clears the
      // flag),
      // so one timer per dirty spell is enough.
      ctx.timerService()
          .registerProcessingTimeTimer(
              timing.nextFlush(ctx.timerService().currentProcessingTime()));
    }
    state.update(next);
  }

  @Override
  public final void onTimer(long timestamp, OnTimerContext ctx, Collector<R> out) throws Exception {
    // Recorded before the state is dropped: the restored guard must cover every drop.
    observeWatermark(ctx.timerService());
    A acc = state.value();
    if (acc == null) {
      return;
    }
    if (acc.dirty()) {
      out.collect(row(ctx.getCurrentKey(), acc, ctx.timerService().currentProcessingTime()));
      acc = acc.written();
    }
    if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
      if (mayDrop(acc)) {
        clear();
        return;
      }
      acc = pastRetention(acc);
    }
    state.update(acc);
  }

  private void clear() throws Exception {
    state.clear();
    clearExtraState();
  }
}
