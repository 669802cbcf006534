package io.upbot.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.DayBuckets;
import io.upbot.job.model.SessionDelta;
import java.time.ZoneId;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** {@link AnalyticsJob.DayKey}: the day it remembers for the last hour is that hour's day. */
class DayKeyTest {

  @Property(tries = 200)
  void shouldKeyEachDeltaByItsHoursDayWhateverHoursCameBefore(
      @ForAll @IntRange(min = -50_000, max = 500_000) int firstHour,
      @ForAll @Size(max = 30) List<@IntRange(max = 48) Integer> hours) {
    DayBuckets days = new DayBuckets(ZoneId.of("America/Los_Angeles"));
    AnalyticsJob.DayKey key = new AnalyticsJob.DayKey(days);
    for (int hour : hours) {
      long bucket = (firstHour + hour) * 3_600_000L; // hours repeat, days turn
      SessionDelta d = new SessionDelta(bucket, "wx1", "c1", "o1", 0, 0, 0, 1, -1, -1, 1, 1);
      assertThat(key.getKey(d)).isEqualTo(days.key(bucket, "wx1", "c1"));
    }
  }
}
