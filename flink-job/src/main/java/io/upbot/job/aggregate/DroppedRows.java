package io.upbot.job.aggregate;

import io.upbot.job.model.DeadLetter;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The side output of deltas that reached a row whose state was already dropped. */
public final class DroppedRows {

  /** Dead-letter reason of such a delta. */
  public static final String REASON = "row_state_dropped";

  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("row-dead-letters", TypeInformation.of(DeadLetter.class));

  private static final Logger LOG = LoggerFactory.getLogger(DroppedRows.class);

  private DroppedRows() {}

  /**
   * Keeps aside a delta that reached a row whose state was already dropped: counted, logged and
   * sent to the dead letters, never applied, since a total built from zero would overwrite the
   * right one.
   */
  static <K> void divert(
      KeyedProcessFunction<K, ?, ?>.Context ctx, String table, Object delta, Counter dropped) {
    dropped.inc();
    LOG.warn("delta for {} {} whose state was dropped: dead-lettered", table, ctx.getCurrentKey());
    ctx.output(
        DEAD_LETTERS,
        new DeadLetter(
            REASON,
            delta.toString(),
            source(table, ctx.getCurrentKey(), delta),
            ctx.timerService().currentProcessingTime()));
  }

  /**
   * The dead letter's source: the table, the row and the delta itself, all from the input, so that
   * a replay of the same delta gives the same source and inserts nothing new under the table's
   * natural key (source, reason). Two identical deltas for one dropped row (say, two distinct
   * events each adding one to it) collapse into one dead letter: acceptable, as the metric {@code
   * deltasForDroppedRows} and the log count every one, and the dead letter's job is to name the row
   * that needs a look.
   */
  static String source(String table, Object rowKey, Object delta) {
    return table + "/" + rowKey + "/" + delta;
  }
}
