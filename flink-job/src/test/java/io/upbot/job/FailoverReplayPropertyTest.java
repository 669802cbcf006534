package io.upbot.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.FunnelStages;
import io.upbot.job.testing.HarnessPipeline;
import io.upbot.job.testing.HarnessPipeline.Checkpoint;
import io.upbot.job.testing.Reference;
import io.upbot.job.testing.Scenario;
import io.upbot.job.testing.Tables;
import java.time.ZoneId;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;

/**
 * After a failure the job restores its last checkpoint and replays the records since, and the rows
 * the failed attempt wrote after that checkpoint stay in the database until written again
 * (docs/tables.md#totals-upserts-and-exactly-once-results): the replay must rewrite every one of
 * them, however differently from the failed attempt it sums and flushes its deltas. Here the failed
 * attempt flushes often after its checkpoint, so rows get written, and the replay flushes at other
 * moments, often all at once, so changes the failed attempt wrote in separate flushes may cancel
 * out in one.
 */
@SuppressWarnings("try") // HarnessPipeline.close() throws Exception, as the harnesses do
class FailoverReplayPropertyTest {

  static final long FLUSH = 1000;

  /** How the replay flushes: the failed attempt's pattern is random, this one differs. */
  enum ReplayFlushes {
    /** Every replayed record in one flush, the one that sums the most changes to nothing. */
    ALL_AT_ONCE,
    /**
     * At random moments, other than the failed attempt's and rarer (a tick after about one record
     * in 8, against one in 2), so that some flushes still sum several changes of a row.
     */
    ELSEWHERE
  }

  /**
   * Few tries, as each builds two pipelines of Flink harnesses (most of its time); scenarios of up
   * to 16 journeys, twice JobSemanticsPropertyTest's, so that more sessions share rows and more
   * changes cancel out in a flush. Against the combiner and row aggregators of before dbbf6c7, a
   * try found a stale row for one seed in four.
   */
  @Property(tries = 60)
  void shouldLeaveNoStaleRowWhenAFailedAttemptIsReplayedFromItsCheckpoint(@ForAll long seed)
      throws Exception {
    Scenario s = Scenario.generate(seed, 16, 12);
    List<byte[]> records = s.partitioned(1).get(0);
    Random r = new Random(seed);
    ZoneId zone =
        JobSemanticsPropertyTest.ZONES.get(
            Math.floorMod(seed, JobSemanticsPropertyTest.ZONES.size()));
    int checkpointAt = r.nextInt(records.size() + 1);
    int failAt = checkpointAt + r.nextInt(records.size() - checkpointAt + 1);
    ReplayFlushes replayFlushes = ReplayFlushes.values()[r.nextInt(ReplayFlushes.values().length)];

    Checkpoint checkpoint;
    Tables database;
    long failedAt;
    try (HarnessPipeline failed =
        new HarnessPipeline(
            FunnelStages.DEFAULT,
            Scenario.G,
            Scenario.A,
            JobSemanticsPropertyTest.BOUND,
            FLUSH,
            zone)) {
      // Ticks of random length: a combiner's flush (after half a flush interval) then sometimes
      // reaches a row before the row's own flush, and the failure can fall in between.
      for (int i = 0; i < checkpointAt; i++) {
        failed.receive(records.get(i), "t/0/" + i);
        randomWatermarkAndTick(failed, r, 5);
      }
      checkpoint = failed.checkpoint();
      int writtenAtCheckpoint = failed.rowsWritten();
      for (int i = checkpointAt; i < failAt; i++) {
        failed.receive(records.get(i), "t/0/" + i);
        randomWatermarkAndTick(failed, r, 2);
      }
      Statistics.label("failed attempt wrote rows after its checkpoint")
          .collect(failed.rowsWritten() > writtenAtCheckpoint);
      Statistics.label("failed attempt wrote rows after its checkpoint")
          .coverage(c -> c.check(true).percentage(p -> p >= 30));
      database = failed.tables();
      failedAt = failed.processingTime();
    } // the failure: what the failed attempt held and had not written is lost

    Statistics.label("replay flushes").collect(replayFlushes);
    try (HarnessPipeline replay = HarnessPipeline.restore(checkpoint, database, failedAt + FLUSH)) {
      Random elsewhere = new Random(~seed);
      for (int i = checkpoint.records(); i < records.size(); i++) {
        replay.receive(records.get(i), "t/0/" + i);
        if (replayFlushes == ReplayFlushes.ELSEWHERE) {
          randomWatermarkAndTick(replay, elsewhere, 8);
        }
      }
      replay.tick(FLUSH);
      replay.finish();
      assertThat(replay.stateEntries())
          .as("all state cleared after the final watermark, the restored state's too")
          .isZero();
    }

    Tables expected =
        Reference.compute(s.received(), Scenario.G, Scenario.A, FunnelStages.DEFAULT, zone);
    assertThat(database.withoutZeroFunnelRows().differencesFrom(expected))
        .as(
            "rows of the database that differ from the reference after a failure (checkpoint after"
                + " %d records, failure after %d, replay flushes %s)%n%s",
            checkpointAt, failAt, replayFlushes, s)
        .isEmpty();
  }

  /** Now and then a watermark; a tick of random length about once in {@code tickOneIn} records. */
  private static void randomWatermarkAndTick(HarnessPipeline p, Random r, int tickOneIn)
      throws Exception {
    if (r.nextInt(4) == 0) {
      p.emitWatermark();
    }
    if (r.nextInt(tickOneIn) == 0) {
      p.tick(1 + r.nextInt((int) FLUSH));
    }
  }
}
