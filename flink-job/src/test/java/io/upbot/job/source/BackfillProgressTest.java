package io.upbot.job.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.upbot.job.source.BackfillProgress.Offsets;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
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

  @Test
  void shouldPrintTheSummaryLastWhenAReportIsStillWaitingForKafka() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    CountDownLatch reading = new CountDownLatch(1);
    BackfillProgress progress =
        BackfillProgress.reporting(
            () -> {
              reading.countDown();
              new CountDownLatch(1).await(); // Kafka does not answer
              return Map.of();
            },
            () -> {},
            offsets(0, 100, 0, 100),
            out,
            System::nanoTime,
            Duration.ofMillis(5));
    assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();

    progress.finished();
    progress.close();

    List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).startsWith("backfill done: 200 records from 2 partitions");
  }

  @Test
  void shouldSayAReportIsUnavailableAndGoOnWhenKafkaCannotTell() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    AtomicInteger calls = new AtomicInteger();
    BackfillProgress progress =
        BackfillProgress.reporting(
            () -> {
              if (calls.incrementAndGet() == 1) {
                throw new TimeoutException("no answer in 10 s");
              }
              return Map.of(0, 40L, 1, 60L);
            },
            () -> {},
            offsets(0, 100, 0, 100),
            out,
            System::nanoTime,
            Duration.ofMillis(5));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> printed.toString(StandardCharsets.UTF_8).contains("backfill: 100 of 200"));

    progress.finished();
    progress.close();

    List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines.get(0))
        .isEqualTo("backfill: progress unavailable this time (no answer in 10 s)");
    assertThat(lines.get(1)).startsWith("backfill: 100 of 200 records (50.0%)");
    assertThat(lines.get(lines.size() - 1)).startsWith("backfill done:");
  }
}
