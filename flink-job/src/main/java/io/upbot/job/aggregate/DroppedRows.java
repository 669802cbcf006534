package io.upbot.job.aggregate;

import io.upbot.job.model.DeadLetter;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.util.OutputTag;

/** The side output of deltas that reached a row whose state was already dropped. */
public final class DroppedRows {

  /** Dead-letter reason of such a delta. */
  public static final String REASON = "row_state_dropped";

  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("row-dead-letters", TypeInformation.of(DeadLetter.class));

  private DroppedRows() {}

  /**
   * The dead letter's source: the row and the moment, so that distinct drops never collapse under the
   * table's natural key (source, reason).
   */
  static String source(String table, Object rowKey, TimerService timers) {
    return table + "/" + rowKey + "@wm" + timers.currentWatermark() + "/pt" + timers.currentProcessingTime();
  }
}
