package io.upbot.local.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.schema.MediaEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JourneyFillRecordsTest {

  private static final long START = 1_699_272_000_000L; // 2023-11-06T12:00:00Z
  private static final long SPAN = 3_600_000L;
  private static final long GAP = 30 * 60_000L;

  private static List<JourneyFillRecords.FillRecord> records(long seed, long n) {
    JourneyFillRecords g = new JourneyFillRecords(seed, n, START, SPAN, 3, 20);
    List<JourneyFillRecords.FillRecord> out = new ArrayList<>();
    g.forEachRemaining(out::add);
    return out;
  }

  private static String journey(MediaEvent e) {
    return e.appid() + "|" + e.code() + "|" + e.trace();
  }

  @Test
  void shouldProduceExactlyTheRequestedNumberOfRecords() {
    assertThat(records(1, 1_000)).hasSize(1_000);
    assertThat(records(2, 20_001)).hasSize(20_001);
  }

  @Test
  void shouldProduceEveryRecordOfExactlyTheRequestedJourneys() {
    JourneyFillRecords g = JourneyFillRecords.ofJourneys(8, 500, START, SPAN, 3, 20);
    Set<String> journeys = new HashSet<>();
    g.forEachRemaining(r -> journeys.add(journey(r.event())));
    assertThat(journeys).hasSize(500);
    assertThat(g.journeys()).isEqualTo(500);
  }

  @Test
  void shouldProduceTheSameRecordsForTheSameSeed() {
    assertThat(records(5, 2_000)).isEqualTo(records(5, 2_000));
    assertThat(records(5, 2_000)).isNotEqualTo(records(6, 2_000));
  }

  @Test
  void shouldWriteInSendOrderWithReceivedAtShuffledWithinTheBound() {
    List<JourneyFillRecords.FillRecord> rs = records(3, 20_000);
    assertThat(rs).extracting(JourneyFillRecords.FillRecord::sendAt).isSorted();
    long maxReceivedAt = Long.MIN_VALUE;
    int outOfOrder = 0;
    for (JourneyFillRecords.FillRecord r : rs) {
      long receivedAt = r.event().receivedAt();
      assertThat(r.sendAt() - receivedAt).isBetween(0L, JourneyFillRecords.SHUFFLE_MS);
      if (receivedAt < maxReceivedAt) {
        outOfOrder++;
        // Within the job's default watermark bound (2 minutes): shuffled, never behind it.
        assertThat(maxReceivedAt - receivedAt).isLessThan(JourneyFillRecords.SHUFFLE_MS + 1);
      }
      maxReceivedAt = Math.max(maxReceivedAt, receivedAt);
    }
    assertThat(outOfOrder).isGreaterThan(rs.size() / 10);
  }

  @Test
  void shouldDeliverSomeJourneysOutOfTheirEventTimeOrder() {
    Map<String, Long> latest = new HashMap<>();
    int earlierThanSeen = 0;
    for (JourneyFillRecords.FillRecord r : records(4, 20_000)) {
      MediaEvent e = r.event();
      Long before = latest.merge(journey(e), e.eventTime(), Math::max);
      if (before > e.eventTime()) {
        earlierThanSeen++;
      }
    }
    assertThat(earlierThanSeen).isGreaterThan(100);
  }

  @Test
  void shouldResendSomeBatchesAsExactCopiesLaterReceived() {
    JourneyFillRecords g = new JourneyFillRecords(9, 20_000, START, SPAN, 3, 20);
    Map<String, MediaEvent> first = new HashMap<>();
    int copies = 0;
    while (g.hasNext()) {
      MediaEvent e = g.next().event();
      String identity = journey(e) + "|" + e.eventId() + "@" + e.eventTime();
      MediaEvent seen = first.putIfAbsent(identity, e);
      if (seen != null) {
        copies++;
        assertThat(e.receivedAt()).isGreaterThan(seen.receivedAt());
        assertThat(e.duration()).isEqualTo(seen.duration());
      }
    }
    assertThat(copies).isPositive().isEqualTo((int) g.duplicates());
    assertThat(copies).isBetween(20_000 / 100, 20_000 / 10);
  }

  @Test
  void shouldGiveSomeJourneysSeveralSessions() {
    Map<String, List<Long>> times = new HashMap<>();
    for (JourneyFillRecords.FillRecord r : records(11, 20_000)) {
      times.computeIfAbsent(journey(r.event()), k -> new ArrayList<>()).add(r.event().eventTime());
    }
    int several = 0;
    for (List<Long> ts : times.values()) {
      ts.sort(null);
      for (int i = 1; i < ts.size(); i++) {
        if (ts.get(i) - ts.get(i - 1) >= GAP) {
          several++;
          break;
        }
      }
    }
    assertThat(several).isGreaterThan(times.size() / 5).isLessThan(times.size() / 2);
  }

  @Test
  void shouldMixJourneysWithoutTraceOrCodeAndKeyEveryRecordByAppidAndTrace() {
    Set<String> traces = new HashSet<>();
    int withoutTrace = 0;
    int withoutCode = 0;
    for (JourneyFillRecords.FillRecord r : records(12, 20_000)) {
      MediaEvent e = r.event();
      assertThat(r.key()).isEqualTo(e.appid() + "|" + e.trace());
      withoutTrace += e.traceId() == null ? 1 : 0;
      withoutCode += e.code() == null ? 1 : 0;
      traces.add(e.trace());
    }
    assertThat(withoutTrace).isPositive();
    assertThat(withoutCode).isPositive();
    assertThat(traces.size()).isGreaterThan(20_000 / 10);
  }
}
