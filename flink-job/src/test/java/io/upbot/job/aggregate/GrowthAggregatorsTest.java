package io.upbot.job.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.BreakdownRow;
import io.upbot.job.model.BreakdownRowKey;
import io.upbot.job.model.ConvertTimeDailyRow;
import io.upbot.job.model.ConvertTimeRow;
import io.upbot.job.model.ConvertTimes;
import io.upbot.job.model.DayBuckets;
import io.upbot.job.model.DayRowKey;
import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.FunnelRowKey;
import io.upbot.job.model.SessionDelta;
import io.upbot.job.model.UsersDailyRow;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * The aggregators of the per-session tables: exact rows under −1/+1 corrections, and state (map
 * states included) cleared once the row's hour or day can no longer change.
 */
@SuppressWarnings("try") // the harnesses close() throws Exception, as Flink declares it
class GrowthAggregatorsTest {

  static final long A = Duration.ofHours(24).toMillis();
  static final long FLUSH = 1000;
  static final long HOUR = 3_600_000L;
  static final long H10 = Instant.parse("2026-11-30T10:00:00Z").toEpochMilli();
  static final long H10_RETENTION_END = H10 + HOUR + A;
  static final long NOW = 1_000_000_500L;
  static final RowTiming TIMING = new RowTiming(FLUSH, A);
  static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
  static final DayBuckets DAYS = new DayBuckets(SHANGHAI);

  /** 10:00 UTC is 18:00 in Shanghai: the day 2026-11-30, whose last hour ends at 16:00 UTC. */
  static final int DAY = (int) LocalDate.parse("2026-11-30").toEpochDay();

  static final long DAY_RETENTION_END = Instant.parse("2026-11-30T16:00:00Z").toEpochMilli() + A;

  static SessionDelta sd(
      String openid, int device, int depth, long pressMs, long joinMs, int sessions, int live) {
    return new SessionDelta(
        H10, "app", "c", openid, 2, device, 0, depth, pressMs, joinMs, sessions, live);
  }

  static <K, R> KeyedOneInputStreamOperatorTestHarness<K, SessionDelta, R> open(
      RowAggregator<K, SessionDelta, ?, R> f,
      org.apache.flink.api.java.functions.KeySelector<SessionDelta, K> key,
      Class<K> keyType)
      throws Exception {
    var h =
        ProcessFunctionTestHarnesses.forKeyedProcessFunction(f, key, TypeInformation.of(keyType));
    h.setProcessingTime(NOW);
    return h;
  }

  static KeyedOneInputStreamOperatorTestHarness<BreakdownRowKey, SessionDelta, BreakdownRow>
      breakdown() throws Exception {
    return open(new BreakdownAggregator(TIMING), SessionDelta::breakdownKey, BreakdownRowKey.class);
  }

  static KeyedOneInputStreamOperatorTestHarness<DayRowKey, SessionDelta, UsersDailyRow> users()
      throws Exception {
    return open(
        new UsersDailyAggregator(TIMING, DAYS),
        d -> DAYS.key(d.bucketStart(), d.appid(), d.code()),
        DayRowKey.class);
  }

  static KeyedOneInputStreamOperatorTestHarness<FunnelRowKey, SessionDelta, ConvertTimeRow>
      convert() throws Exception {
    return open(new HourlyConvertTimeAggregator(TIMING), SessionDelta::hourKey, FunnelRowKey.class);
  }

  static KeyedOneInputStreamOperatorTestHarness<DayRowKey, SessionDelta, ConvertTimeDailyRow>
      convertDaily() throws Exception {
    return open(
        new DailyConvertTimeAggregator(TIMING, DAYS),
        d -> DAYS.key(d.bucketStart(), d.appid(), d.code()),
        DayRowKey.class);
  }

  static void flush(KeyedOneInputStreamOperatorTestHarness<?, ?, ?> h) throws Exception {
    h.setProcessingTime(h.getProcessingTime() + FLUSH);
  }

  // ---------------------------------------------------------------------------------------------
  // code_funnel_breakdown_hourly

  @Test
  void shouldMoveASessionBetweenBreakdownRowsWhenItsEarliestEventChanges() throws Exception {
    try (var h = breakdown()) {
      h.processElement(sd("o1", 1, 1, -1, -1, 1, 1), 0);
      flush(h);
      // An earlier event from an iOS device becomes the session's earliest: +1 there, −1 here.
      h.processElement(sd("o1", 2, 2, 5000, -1, 1, 1), 0);
      h.processElement(sd("o1", 1, 1, -1, -1, -1, -1), 0);
      flush(h);

      assertThat(h.extractOutputValues())
          .containsExactly(
              new BreakdownRow(H10, "app", "c", 1, 2, 0, 1, 1, 0, 0, NOW + FLUSH),
              new BreakdownRow(H10, "app", "c", 2, 2, 0, 1, 1, 1, 0, NOW + 2 * FLUSH),
              new BreakdownRow(H10, "app", "c", 1, 2, 0, 0, 0, 0, 0, NOW + 2 * FLUSH));
    }
  }

  @Test
  void shouldKeepBreakdownRowWhileItsSessionIsLivePastRetentionAndClearItWhenItEnds()
      throws Exception {
    try (var h = breakdown()) {
      h.processElement(sd("o1", 1, 1, -1, -1, 1, 1), 0);
      h.processWatermark(H10_RETENTION_END);
      assertThat(h.numKeyedStateEntries()).isEqualTo(1);

      h.processElement(sd("o1", 1, 0, -1, -1, 0, -1), 0);
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void shouldDeadLetterABreakdownDeltaForADroppedRowInsteadOfWritingFromZero() throws Exception {
    try (var h = breakdown()) {
      h.processElement(sd("o1", 1, 1, -1, -1, 1, 1), 0);
      h.processElement(sd("o1", 1, 1, -1, -1, 0, -1), 0);
      h.processWatermark(H10_RETENTION_END);
      assertThat(h.numKeyedStateEntries()).isZero();

      h.processElement(sd("o1", 1, 1, -1, -1, 1, 1), 0);
      flush(h);

      assertThat(h.extractOutputValues())
          .as("only the last write before the drop")
          .containsExactly(new BreakdownRow(H10, "app", "c", 1, 2, 0, 1, 1, 0, 0, NOW));
      assertThat(h.getSideOutput(DroppedRows.DEAD_LETTERS))
          .extracting(StreamRecord::getValue)
          .extracting(DeadLetter::reason)
          .containsExactly(DroppedRows.REASON);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // code_users_daily

  @Test
  void shouldCountEachUserOnceAtEachDepthItsDeepestSessionReaches() throws Exception {
    try (var h = users()) {
      h.processElement(sd("o1", 1, 1, -1, -1, 1, 1), 0);
      h.processElement(sd("o1", 1, 3, 10, 20, 1, 1), 0);
      h.processElement(sd("o2", 1, 0, -1, -1, 1, 1), 0);
      flush(h);

      assertThat(h.extractOutputValues())
          .containsExactly(new UsersDailyRow(DAY, "app", "c", 2, 1, 1, 1, NOW + FLUSH));
    }
  }

  @Test
  void shouldTakeAUserAwayOnlyWhenItsLastSessionAtADepthGoes() throws Exception {
    try (var h = users()) {
      h.processElement(sd("o1", 1, 2, 10, -1, 1, 1), 0);
      h.processElement(sd("o1", 1, 1, -1, -1, 1, 1), 0);
      flush(h);
      // The deeper session merges into another user's session: o1 keeps its other session only.
      h.processElement(sd("o2", 1, 2, 10, -1, 1, 1), 0);
      h.processElement(sd("o1", 1, 2, 10, -1, -1, -1), 0);
      flush(h);
      // Its last session moves to another day.
      h.processElement(sd("o1", 1, 1, -1, -1, -1, -1), 0);
      flush(h);

      assertThat(h.extractOutputValues())
          .containsExactly(
              new UsersDailyRow(DAY, "app", "c", 1, 1, 1, 0, NOW + FLUSH),
              new UsersDailyRow(DAY, "app", "c", 2, 2, 1, 0, NOW + 2 * FLUSH),
              new UsersDailyRow(DAY, "app", "c", 1, 1, 1, 0, NOW + 3 * FLUSH));
    }
  }

  @Test
  void shouldClearUsersStateIncludingOpenidsWhenTheDayCanNoLongerChange() throws Exception {
    try (var h = users()) {
      h.processElement(sd("o1", 1, 1, -1, -1, 1, 1), 0);
      h.processElement(sd("o2", 1, 1, -1, -1, 1, 1), 0);
      h.processElement(sd("o1", 1, 0, -1, -1, 0, -1), 0);
      h.processElement(sd("o2", 1, 0, -1, -1, 0, -1), 0);
      // Past the retention of the hour, not of the day: the evening hours can still start sessions.
      h.processWatermark(H10_RETENTION_END);
      assertThat(h.numKeyedStateEntries()).as("the row and its openids").isEqualTo(2);

      h.processWatermark(DAY_RETENTION_END - 1);
      assertThat(h.numKeyedStateEntries()).isEqualTo(2);
      h.processWatermark(DAY_RETENTION_END);

      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numEventTimeTimers()).isZero();
      assertThat(h.extractOutputValues())
          .containsExactly(new UsersDailyRow(DAY, "app", "c", 2, 2, 0, 0, NOW));
    }
  }

  @Test
  void shouldKeepUsersStateWhileASessionOfTheDayIsLiveAndClearItWhenItEnds() throws Exception {
    try (var h = users()) {
      h.processElement(sd("o1", 1, 1, -1, -1, 1, 1), 0);
      h.processWatermark(DAY_RETENTION_END);
      assertThat(h.numKeyedStateEntries()).isEqualTo(2);

      h.processElement(sd("o1", 1, 0, -1, -1, 0, -1), 0);

      assertThat(h.numKeyedStateEntries()).isZero();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // code_convert_time_hourly and _daily

  @Test
  void shouldComputeExactNearestRankConvertTimesAndNullsWhenNoSessionConverted() throws Exception {
    try (var h = convert()) {
      h.processElement(sd("o1", 1, 1, -1, -1, 1, 1), 0);
      flush(h);
      assertThat(h.extractOutputValues()).as("no pressed session: nothing to write").isEmpty();

      for (long ms : new long[] {5000, 8000, 12_000, 40_000}) {
        h.processElement(sd("o1", 1, 2, ms, -1, 1, 1), 0);
      }
      h.processElement(sd("o1", 1, 3, 1500, 61_001, 1, 1), 0);
      flush(h);

      assertThat(h.extractOutputValues())
          .extracting(ConvertTimeRow::times)
          .containsExactly(
              // press times 1.5, 5, 8, 12, 40 s: p50 = rank 3, p90 = p99 = rank 5
              new ConvertTimes(5, 8000L, 40_000L, 40_000L, 1, 61_001L, 61_001L, 61_001L));
    }
  }

  @Test
  void shouldCorrectConvertTimesWhenASessionChangesAndWriteNullsWhenNoneIsLeft() throws Exception {
    try (var h = convert()) {
      h.processElement(sd("o1", 1, 2, 9000, -1, 1, 1), 0);
      flush(h);
      // An earlier exposure: the same session, now 12 s to its long-press.
      h.processElement(sd("o1", 1, 2, 12_000, -1, 1, 1), 0);
      h.processElement(sd("o1", 1, 2, 9000, -1, -1, -1), 0);
      flush(h);
      // It merges into a session of an earlier hour.
      h.processElement(sd("o1", 1, 2, 12_000, -1, -1, -1), 0);
      flush(h);

      assertThat(h.extractOutputValues())
          .extracting(ConvertTimeRow::times)
          .containsExactly(
              new ConvertTimes(1, 9000L, 9000L, 9000L, 0, null, null, null),
              new ConvertTimes(1, 12_000L, 12_000L, 12_000L, 0, null, null, null),
              new ConvertTimes(0, null, null, null, 0, null, null, null));
      assertThat(h.numKeyedStateEntries()).as("the row, no per-time counts").isEqualTo(1);
    }
  }

  @Test
  void shouldClearConvertTimeStateIncludingPerTimeCountsAfterRetention() throws Exception {
    try (var h = convert()) {
      h.processElement(sd("o1", 1, 3, 9000, 4000, 1, 1), 0);
      h.processElement(sd("o1", 1, 3, 9000, 4000, 0, -1), 0);
      assertThat(h.numKeyedStateEntries()).as("row, press and join counts").isEqualTo(3);

      h.processWatermark(H10_RETENTION_END);

      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numEventTimeTimers()).isZero();
      assertThat(h.extractOutputValues()).hasSize(1);
    }
  }

  @Test
  void shouldKeepDailyConvertTimesOverTheWholeDayAndClearThemAfterIt() throws Exception {
    try (var h = convertDaily()) {
      h.processElement(sd("o1", 1, 2, 9000, -1, 1, 1), 0);
      h.processElement(
          new SessionDelta(
              H10 + 5 * HOUR, "app", "c", "o2", 2, 1, 0, 2, 3000, -1, 1, 1), // 23:00 Shanghai
          0);
      h.processElement(sd("o1", 1, 2, 9000, -1, 0, -1), 0);
      h.processElement(
          new SessionDelta(H10 + 5 * HOUR, "app", "c", "o2", 2, 1, 0, 2, 3000, -1, 0, -1), 0);
      h.processWatermark(DAY_RETENTION_END - 1);
      assertThat(h.numKeyedStateEntries()).as("the row and its press times").isEqualTo(2);

      h.processWatermark(DAY_RETENTION_END);

      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.extractOutputValues())
          .containsExactly(
              new ConvertTimeDailyRow(
                  DAY,
                  "app",
                  "c",
                  new ConvertTimes(2, 3000L, 9000L, 9000L, 0, null, null, null),
                  NOW));
    }
  }
}
