package io.upbot.job.aggregate;

import static io.upbot.job.aggregate.AggregatorsTest.FLUSH;
import static io.upbot.job.aggregate.AggregatorsTest.H10;
import static io.upbot.job.aggregate.AggregatorsTest.H10_RETENTION_END;
import static io.upbot.job.aggregate.AggregatorsTest.NOW;
import static io.upbot.job.aggregate.AggregatorsTest.TIMING;
import static io.upbot.job.aggregate.AggregatorsTest.deadLetterReasons;
import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.HourlyRowKey;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * The rules {@link RowAggregator} gives every table, shown on the smallest table there is: a sum
 * per key whose deltas may also hold the row open past its retention, as funnel rows' live sessions
 * do.
 */
@SuppressWarnings("try") // the harnesses close() throws Exception, as Flink declares it
class RowAggregatorTest {

  /** The key of a row: a name in an hour. */
  public record Cell(String name, long bucketStart) implements HourlyRowKey {}

  /**
   * A delta: adds {@code n} to the row of {@code name} in the hour starting at {@code bucketStart}.
   */
  public record Add(String name, long bucketStart, long n, int holds) {
    Cell cell() {
      return new Cell(name, bucketStart);
    }
  }

  /** The row written: the name and its sum. */
  public record Sum(String name, long sum) {}

  /** A sum table: the row may be dropped once nothing holds it. */
  static final class Sums extends RowAggregator<Cell, Add, Sums.Acc, Sum> {
    private static final long serialVersionUID = 1L;

    /** The sum, the holds still open, and the template's flags. */
    public record Acc(long sum, long holds, boolean dirty, boolean kept)
        implements RowAggregator.Accumulator<Acc> {
      @Override
      public Acc written() {
        return new Acc(sum, holds, false, kept);
      }

      @Override
      public Acc touched() {
        return new Acc(sum, holds, true, kept);
      }
    }

    Sums() {
      super("sum-row", new Acc(0, 0, false, false), TIMING);
    }

    @Override
    protected Acc apply(Acc acc, Add d) {
      return new Acc(
          acc.sum() + d.n(), acc.holds() + d.holds(), acc.dirty() || d.n() != 0, acc.kept());
    }

    @Override
    protected Sum row(Cell key, Acc acc, long nowMs) {
      return new Sum(key.name(), acc.sum());
    }

    @Override
    protected boolean mayDrop(Acc acc) {
      return acc.holds() <= 0;
    }

    @Override
    protected Acc pastRetention(Acc acc) {
      return new Acc(acc.sum(), acc.holds(), acc.dirty(), true);
    }

    @Override
    protected boolean isPastRetention(Acc acc) {
      return acc.kept();
    }
  }

  static KeyedOneInputStreamOperatorTestHarness<Cell, Add, Sum> sums() throws Exception {
    var h =
        ProcessFunctionTestHarnesses.forKeyedProcessFunction(
            new Sums(), Add::cell, TypeInformation.of(Cell.class));
    h.setProcessingTime(NOW);
    return h;
  }

  static Add add(String key, long n) {
    return new Add(key, H10, n, 0);
  }

  @Test
  void shouldSetOneFlushTimerPerDirtyRowAndWriteItOncePerTick() throws Exception {
    try (var h = sums()) {
      for (int i = 0; i < 5; i++) {
        h.processElement(add("a", 1), 0);
      }
      h.processElement(add("b", 2), 0);
      assertThat(h.numProcessingTimeTimers()).as("one flush timer per dirty row").isEqualTo(2);

      h.setProcessingTime(NOW + FLUSH);
      assertThat(h.extractOutputValues())
          .containsExactlyInAnyOrder(new Sum("a", 5), new Sum("b", 2));

      // Written rows are clean: later ticks write nothing until a delta changes them again.
      h.setProcessingTime(NOW + 5 * FLUSH);
      assertThat(h.extractOutputValues()).hasSize(2);
      h.processElement(add("a", 1), 0);
      h.setProcessingTime(NOW + 6 * FLUSH);
      assertThat(h.extractOutputValues()).hasSize(3).last().isEqualTo(new Sum("a", 6));
    }
  }

  /**
   * A replay after a failure may sum to nothing the changes a failed attempt sent apart and wrote:
   * the row must be written again all the same.
   */
  @Test
  void shouldWriteARowAgainForADeltaThatChangesNothing() throws Exception {
    try (var h = sums()) {
      h.processElement(add("a", 2), 0);
      h.setProcessingTime(NOW + FLUSH);
      assertThat(h.extractOutputValues()).containsExactly(new Sum("a", 2));

      h.processElement(add("a", 0), 0);
      assertThat(h.numProcessingTimeTimers()).as("a flush timer").isEqualTo(1);
      h.setProcessingTime(NOW + 2 * FLUSH);
      assertThat(h.extractOutputValues()).containsExactly(new Sum("a", 2), new Sum("a", 2));
    }
  }

  @Test
  void shouldWriteDirtyRowAndClearItsStateAndTimersAtRetentionEnd() throws Exception {
    try (var h = sums()) {
      h.processElement(add("a", 3), 0);
      h.processWatermark(H10_RETENTION_END - 1);
      assertThat(h.numKeyedStateEntries()).isEqualTo(1);

      // Processing time has not reached the flush tick: the retention timer writes the total.
      h.processWatermark(H10_RETENTION_END);
      assertThat(h.extractOutputValues()).containsExactly(new Sum("a", 3));
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numEventTimeTimers()).isZero();

      h.setProcessingTime(NOW + 10 * FLUSH);
      assertThat(h.extractOutputValues()).as("the flush timer finds no state").hasSize(1);
    }
  }

  @Test
  void shouldDeadLetterEveryDeltaForADroppedRowAndNeverStartItFromZero() throws Exception {
    try (var h = sums()) {
      h.processElement(add("a", 3), 0);
      h.processWatermark(H10_RETENTION_END);
      h.processElement(add("a", 1), 0);
      h.processElement(add("a", 2), 0);
      h.processWatermark(Watermark.MAX_WATERMARK);
      h.setProcessingTime(NOW + 10 * FLUSH);

      assertThat(h.extractOutputValues()).containsExactly(new Sum("a", 3));
      assertThat(deadLetterReasons(h.getSideOutput(DroppedRows.DEAD_LETTERS)))
          .containsExactly(DroppedRows.REASON, DroppedRows.REASON);
      assertThat(h.getSideOutput(DroppedRows.DEAD_LETTERS))
          .allSatisfy(
              r ->
                  assertThat(r.getValue().source())
                      .startsWith("sum-row/Cell[name=a, bucketStart=" + H10 + "]/"));
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void shouldStartARowWhoseHourIsStillWithinRetention() throws Exception {
    try (var h = sums()) {
      h.processWatermark(H10_RETENTION_END);
      h.processElement(new Add("a", H10 + 3_600_000L, 1, 0), 0);
      h.setProcessingTime(NOW + FLUSH);
      assertThat(h.extractOutputValues()).containsExactly(new Sum("a", 1));
      assertThat(h.getSideOutput(DroppedRows.DEAD_LETTERS)).isNull();
    }
  }

  @Test
  void shouldKeepAHeldRowPastRetentionAndDropItAfterTheDeltaThatReleasesIt() throws Exception {
    try (var h = sums()) {
      h.processElement(new Add("a", H10, 1, 1), 0);
      h.processWatermark(H10_RETENTION_END);
      assertThat(h.extractOutputValues()).containsExactly(new Sum("a", 1));
      assertThat(h.numKeyedStateEntries()).as("held: kept").isEqualTo(1);

      // Still held: applied, not dead-lettered, although the watermark is past the retention end.
      h.processElement(new Add("a", H10, 2, 0), 0);
      assertThat(h.numKeyedStateEntries()).isEqualTo(1);
      // Released: written at once (no flush tick will come for a dropped row), then dropped.
      h.processElement(new Add("a", H10, 4, -1), 0);
      assertThat(h.extractOutputValues()).containsExactly(new Sum("a", 1), new Sum("a", 7));
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.getSideOutput(DroppedRows.DEAD_LETTERS)).isNull();

      h.setProcessingTime(NOW + 10 * FLUSH);
      assertThat(h.extractOutputValues()).hasSize(2);
    }
  }

  @Test
  void shouldWriteARowReleasedPastRetentionOnceMoreAndDropIt() throws Exception {
    try (var h = sums()) {
      h.processElement(new Add("a", H10, 1, 1), 0);
      h.processWatermark(H10_RETENTION_END);
      h.processElement(new Add("a", H10, 0, -1), 0);
      assertThat(h.extractOutputValues()).containsExactly(new Sum("a", 1), new Sum("a", 1));
      assertThat(h.numKeyedStateEntries()).isZero();
    }
  }
}
