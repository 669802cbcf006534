package io.upbot.job.recovery;

import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;

/**
 * A keyed function whose guards against writing from dropped state read the highest watermark it
 * has seen, restores included ({@link HighestWatermark}), rather than the current one, which a
 * restore resets.
 */
public abstract class WatermarkGuardedFunction<K, I, O> extends KeyedProcessFunction<K, I, O>
    implements CheckpointedFunction {
  private static final long serialVersionUID = 1L;

  private transient HighestWatermark highestWatermark;

  @Override
  public void initializeState(FunctionInitializationContext ctx) throws Exception {
    highestWatermark = HighestWatermark.initialize(ctx, "highest-watermark");
  }

  @Override
  public void snapshotState(FunctionSnapshotContext ctx) throws Exception {
    highestWatermark.snapshot();
  }

  /**
   * Records the current watermark and returns the highest one seen. Call it on every element and,
   * before any state is dropped, in every event-time timer, so the restored guard covers every
   * drop.
   */
  protected final long observeWatermark(TimerService timers) {
    return highestWatermark.observe(timers.currentWatermark());
  }
}
