package io.upbot.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.JobSettings;
import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.DecodedRecord;
import io.upbot.job.model.FunnelStages;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.testing.EmittedWatermarks;
import io.upbot.job.testing.HarnessPipeline;
import io.upbot.job.testing.Reference;
import io.upbot.job.testing.Scenario;
import io.upbot.job.testing.Tables;
import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try") // HarnessPipeline.close() throws Exception, as the harnesses do
class ServerClockWatermarksTest {

  static final long BOUND = 30_000;
  static final long R0 = 1_796_000_000_000L;
  static final long WALL_CLOCK_AT_R0 = R0 + 500;
  static final long G = Duration.ofMinutes(30).toMillis();
  static final long A = Duration.ofHours(24).toMillis();
  static final long H10 = Instant.parse("2026-11-30T10:00:00Z").toEpochMilli();
  static final long H11 = H10 + Duration.ofHours(1).toMillis();
  static final String JUMP = "1100102";

  final EmittedWatermarks out = new EmittedWatermarks();
  final List<Long> emitted = out.timestamps();

  static DecodedRecord event(long t, long receivedAt) {
    return DecodedRecord.ofEvent(
        new JourneyEvent("a", "", "tr", "1110201", t, t, receivedAt, null));
  }

  @Test
  void shouldFollowMaxReceivedAtMinusBoundNotClientTime() {
    ServerClockWatermarks g = new ServerClockWatermarks(BOUND);
    g.onPeriodicEmit(out);
    assertThat(emitted).as("nothing before the first record").isEmpty();

    g.onEvent(event(R0 + 300_000, R0), R0 + 300_000, out); // a phone clock far ahead
    g.onPeriodicEmit(out);
    g.onEvent(event(R0 - 5_000, R0 - 10_000), R0 - 5_000, out); // received out of order
    g.onPeriodicEmit(out);
    g.onEvent(event(R0, R0 + 1_000), R0, out);
    g.onPeriodicEmit(out);

    assertThat(emitted).containsExactly(R0 - BOUND, R0 + 1_000 - BOUND);
  }

  @Test
  void shouldIgnoreMalformedRecordsButCountLateOnes() {
    ServerClockWatermarks g = new ServerClockWatermarks(BOUND);
    g.onEvent(
        DecodedRecord.ofDeadLetter(
            DecodedRecord.NO_RECEIVED_AT, new DeadLetter("malformed", "", "t/0/0", 0)),
        0,
        out);
    g.onPeriodicEmit(out);
    assertThat(emitted).isEmpty();

    g.onEvent(DecodedRecord.ofDeadLetter(R0, new DeadLetter("late", "", "t/0/1", 0)), 0, out);
    g.onPeriodicEmit(out);
    assertThat(emitted).containsExactly(R0 - BOUND);
  }

  @Test
  void shouldIgnoreReceivedAtMoreThanAMinuteAheadOfTheWallClock() {
    ServerClockWatermarks g = new ServerClockWatermarks(BOUND, () -> WALL_CLOCK_AT_R0);
    g.onEvent(event(R0, R0), R0, out);
    g.onEvent(event(R0, R0 + Duration.ofDays(10).toMillis()), R0, out); // a broken host clock
    g.onPeriodicEmit(out);
    // Within the tolerance (host clock skew): still moves the watermark.
    g.onEvent(event(R0, WALL_CLOCK_AT_R0 + 60_000), R0, out);
    g.onPeriodicEmit(out);
    g.onEvent(event(R0, WALL_CLOCK_AT_R0 + 60_001), R0, out);
    g.onPeriodicEmit(out);

    assertThat(emitted).containsExactly(R0 - BOUND, WALL_CLOCK_AT_R0 + 60_000 - BOUND);
    assertThat(g.ignoredCount()).isEqualTo(2);
  }

  static MediaEvent record(String trace, long eventTime, long receivedAt) {
    return Scenario.event("app", "o1", "c1", trace, JUMP, eventTime, receivedAt, null);
  }

  static Tables run(List<MediaEvent> records, long boundMs, long wallClock) throws Exception {
    try (HarnessPipeline p = new HarnessPipeline(FunnelStages.DEFAULT, G, A, boundMs, 1000)) {
      p.wallClock(wallClock);
      int i = 0;
      for (MediaEvent m : records) {
        p.receive(MediaEventCodec.encode(m), "t/0/" + i++);
        p.emitWatermark();
      }
      p.finish();
      assertThat(p.deadLetters())
          .extracting(DeadLetter::reason)
          .as("no event is kept aside as behind the watermark or for a dropped row")
          .isSubsetOf(DeadLetter.LATE);
      return p.tables().withoutZeroFunnelRows();
    }
  }

  @Test
  void shouldKeepCountingOnTimeEventsAfterARecordWithAFutureReceivedAt() throws Exception {
    List<MediaEvent> in =
        List.of(
            record("tr1", H10, H10 + 1000),
            record("tr2", H10 + 2000, H10 + 10 * A), // an ingest host clock 10 days ahead: late
            record("tr3", H10 + 3000, H10 + 4000)); // on time: must count
    Tables expected = Reference.compute(in, G, A, FunnelStages.DEFAULT);
    assertThat(expected.events().values()).as("two events count").containsExactly(2L);

    assertThat(run(in, BOUND, H10 + 5000)).isEqualTo(expected);
  }

  @Test
  void shouldCountAnOnTimeEventAppendedAMinuteBehindWithTheDefaultWatermarkBound()
      throws Exception {
    long bound =
        JobSettings.parse(new String[] {"--kafka-bootstrap", "k:1"}, Map.of())
            .watermarkBound()
            .toMillis();
    List<MediaEvent> in =
        List.of(
            record("tr1", H11 + 60_000, H11 + 60_000),
            // Received exactly A after its time (on time), appended a minute after the first: a
            // 1005'd
            // batch the producer still delivers, or a slow body upload.
            record("tr2", H11 - A, H11));
    Tables expected = Reference.compute(in, G, A, FunnelStages.DEFAULT);
    assertThat(expected.events().values()).as("both events count").containsExactly(1L, 1L);

    assertThat(run(in, bound, Long.MAX_VALUE)).isEqualTo(expected);
  }

  @Test
  void shouldNotUseIdlenessForABoundedBackfill() {
    Duration bound = Duration.ofMinutes(2);
    Duration idleness = Duration.ofMinutes(1);

    assertThat(ServerClockWatermarks.strategy(bound, idleness, false).getClass().getSimpleName())
        .contains("Idleness");
    assertThat(ServerClockWatermarks.strategy(bound, idleness, true).getClass().getSimpleName())
        .doesNotContain("Idleness");
  }
}
