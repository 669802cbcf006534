package io.upbot.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.source.BackfillProgress.Offsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class BackfillProgressTest {

  static Offsets offsets(long start0, long end0, long start1, long end1) {
    return new Offsets(
        new TreeMap<>(Map.of(0, start0, 1, start1)), new TreeMap<>(Map.of(0, end0, 1, end1)));
  }

  @Test
  void shouldReportRecordsReadAgainstEachEndOffsetWithRateAndTimeLeft() {
    Offsets o = offsets(0, 100, 10, 60);

    String line = BackfillProgress.line(o, Map.of(0, 50L), 10.0);

    // 50 of 150 read in 10 s: 5 records/s, 100 left take 20 s. Partition 1 has committed nothing
    // yet.
    assertThat(line)
        .isEqualTo(
            "backfill: 50 of 150 records (33.3%), 5 records/s, time left about 20 s;"
                + " offsets p0 50/100, p1 10/60");
  }

  @Test
  void shouldCountOnlyTheRangeBetweenStartAndEndWhateverTheGroupCommitted() {
    Offsets o = offsets(20, 100, 10, 60);

    // An offset committed before the start (an older run of the group) or past the end (records
    // appended since the backfill began) counts as the start or the end.
    String line = BackfillProgress.line(o, Map.of(0, 5L, 1, 90L), 2.0);

    assertThat(line)
        .startsWith("backfill: 50 of 130 records (38.5%), 25 records/s, time left about 4 s;")
        .endsWith("offsets p0 20/100, p1 60/60");
  }

  @Test
  void shouldSayTheTimeLeftIsUnknownBeforeAnythingWasReadAndZeroAtTheEnd() {
    Offsets o = offsets(0, 10, 0, 0);

    assertThat(BackfillProgress.line(o, Map.of(), 3.0))
        .contains("0 of 10 records (0.0%)", "time left unknown");
    assertThat(BackfillProgress.line(o, Map.of(0, 10L), 3.0))
        .contains("10 of 10 records (100.0%)", "time left 0 s");
    assertThat(o.total()).isEqualTo(10);
  }

  @Test
  void shouldGiveLongEstimatesInMinutesAndHours() {
    Offsets o = offsets(0, 1_000_000, 0, 0);

    // 999,000 left at 100/s: 9,990 s; 990,000 left at 1,000/s: 990 s.
    assertThat(BackfillProgress.line(o, Map.of(0, 1_000L), 10.0))
        .contains("100 records/s", "time left about 2.8 h");
    assertThat(BackfillProgress.line(o, Map.of(0, 10_000L), 10.0))
        .contains("1,000 records/s", "time left about 16 min");
  }
}
