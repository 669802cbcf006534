package io.upbot.job.aggregate;

import io.upbot.job.model.DeadLetter;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/** The side output of deltas that reached a row whose state was already dropped. */
public final class DroppedRows {

  /** Dead-letter reason of such a delta. */
  public static final String REASON = "row_state_dropped";

  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("row-dead-letters", TypeInformation.of(DeadLetter.class));

  private DroppedRows() {}

  /**
   * The dead letter's source: the table, the row and the delta itself, all from the input, so that a
   * replay of the same delta gives the same source and inserts nothing new under the table's natural key
   * (source, reason). Two identical deltas for one dropped row (say, two distinct events each adding one
   * to it) collapse into one dead letter: acceptable, as the metric {@code deltasForDroppedRows} and the
   * log count every one, and the dead letter's job is to name the row that needs a look.
   */
  static String source(String table, Object rowKey, Object delta) {
    return table + "/" + rowKey + "/" + delta;
  }
}
