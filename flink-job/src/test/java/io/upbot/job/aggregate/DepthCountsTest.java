package io.upbot.job.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the live rows' accumulators share: counts by depth, the dirty flag and the mark. */
class DepthCountsTest {

  private static final FunnelAggregator.Acc CLEAN =
      new FunnelAggregator.Acc(10, 8, 6, 4, 2, false, false);

  @Test
  void shouldAddCountsAndMakeTheRowDirtyEvenWhenOnlyTheLiveCountChanges() {
    assertThat(CLEAN.add(1, 2, 3, 4, 5))
        .isEqualTo(new FunnelAggregator.Acc(11, 10, 9, 8, 7, true, false));
    assertThat(CLEAN.add(0, 0, 0, 0, -1))
        .as("a replay must rewrite every row a change reached")
        .isEqualTo(new FunnelAggregator.Acc(10, 8, 6, 4, 1, true, false));
    assertThat(CLEAN.add(0, 0, 0, 1, 0).add(0, 0, 0, 0, 0).dirty()).as("stays dirty").isTrue();
  }

  @Test
  void shouldCountSessionsAtEveryDepthUpToTheirs() {
    BreakdownAggregator.Acc zero = new BreakdownAggregator.Acc(0, 0, 0, 0, 0, false, false);

    assertThat(zero.addSessions(0, 3, 1))
        .isEqualTo(new BreakdownAggregator.Acc(3, 0, 0, 0, 1, true, false));
    assertThat(zero.addSessions(2, 3, 0))
        .isEqualTo(new BreakdownAggregator.Acc(3, 3, 3, 0, 0, true, false));
    assertThat(zero.addSessions(3, -1, -1))
        .isEqualTo(new BreakdownAggregator.Acc(-1, -1, -1, -1, -1, true, false));
  }

  @Test
  void shouldClearOnlyTheDirtyFlagWhenWrittenAndKeepTheMark() {
    UsersDailyAggregator.Acc dirtyMarked = new UsersDailyAggregator.Acc(1, 2, 3, 4, 5, true, true);

    assertThat(dirtyMarked.written())
        .isEqualTo(new UsersDailyAggregator.Acc(1, 2, 3, 4, 5, false, true));
    assertThat(new ConvertTimeAggregator.Acc(1, 2, 3, true, true).written())
        .isEqualTo(new ConvertTimeAggregator.Acc(1, 2, 3, false, true));
  }

  @Test
  void shouldMarkARowPastItsRetentionKeepingItsFlagAndDropItOnlyWithoutLiveSessions() {
    FunnelAggregator f = new FunnelAggregator(new RowTiming(1000, 1000));
    FunnelAggregator.Acc dirty = CLEAN.add(1, 0, 0, 0, 0);

    assertThat(f.pastRetention(dirty))
        .isEqualTo(new FunnelAggregator.Acc(11, 8, 6, 4, 2, true, true));
    assertThat(f.isPastRetention(f.pastRetention(CLEAN))).isTrue();
    assertThat(f.isPastRetention(CLEAN)).isFalse();
    assertThat(f.mayDrop(CLEAN)).as("2 live sessions").isFalse();
    assertThat(f.mayDrop(CLEAN.add(0, 0, 0, 0, -2))).isTrue();
  }
}
