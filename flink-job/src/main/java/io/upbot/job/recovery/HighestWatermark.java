package io.upbot.job.recovery;

import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;

/**
 * The highest watermark a function has acted on, kept across checkpoints, so its guards hold after
 * a restore.
 *
 * <p>Flink does not checkpoint watermarks: a restored operator starts at {@code Long.MIN_VALUE}
 * until the sources emit again, so a guard reading only the current watermark is off just when a
 * replay brings stragglers, and a row or session whose state was dropped before the checkpoint
 * could be rebuilt from zero. The functions take {@code max(current, highest)} instead.
 *
 * <p>The functions record the watermark on every element and timer, not on every watermark (a
 * function sees no watermark callback), so the value may lag the operator's. That is enough: state
 * is dropped only in an event-time timer, which records the watermark that fired it, so every drop
 * before the checkpoint is covered. Kept in union list state, one value per subtask; a restore, at
 * any parallelism, takes the highest of all: each subtask's watermark is the minimum over all the
 * source partitions, so a watermark one subtask reached holds for every key.
 */
public final class HighestWatermark {

  private final ListState<Long> state;
  private long highest;

  private HighestWatermark(ListState<Long> state, long highest) {
    this.state = state;
    this.highest = highest;
  }

  /** Registers the state (named {@code name} in the operator) and reads what a restore brought. */
  public static HighestWatermark initialize(FunctionInitializationContext ctx, String name)
      throws Exception {
    ListState<Long> state =
        ctx.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>(name, Types.LONG));
    long highest = Long.MIN_VALUE;
    if (ctx.isRestored()) {
      for (Long w : state.get()) {
        highest = Math.max(highest, w);
      }
    }
    return new HighestWatermark(state, highest);
  }

  /**
   * Records the operator's current watermark and returns the watermark the guards should use: the
   * highest seen, before or since the last restore.
   */
  public long observe(long currentWatermark) {
    highest = Math.max(highest, currentWatermark);
    return highest;
  }

  /** Writes the highest watermark seen into the checkpoint. */
  public void snapshot() throws Exception {
    state.update(List.of(highest));
  }
}
