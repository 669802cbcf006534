package io.upbot.local.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.upbot.local.bench.IngestRounds.Round;
import java.util.Iterator;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** How the rounds of the ingest bench add up: per-round ratios, their median, merged runs. */
class IngestRoundsTest {

  /** Session 10's third run: ceilings measured in a fast spell, ours in a slow one. */
  private static final Round SLOW_SPELL = new Round(113_589, 510_509, 244_000);

  private static final Round ROUND_A = new Round(130_688, 416_982, 225_000);
  private static final Round ROUND_B = new Round(137_459, 466_523, 220_000);

  @Test
  void shouldComputeTheLimitOfBothCeilingsAndOursAgainstIt() {
    Round r = new Round(50, 300, 150);

    assertThat(r.limit()).isCloseTo(100, within(1e-9));
    assertThat(r.ratio()).isCloseTo(0.5, within(1e-9));
  }

  @Test
  void shouldGiveNoRatioWhenACeilingWasNotMeasured() {
    assertThat(new Round(100, 0, 0).ratio()).isZero();
    assertThat(new Round(100, 500, 0).limit()).isZero();
  }

  @Test
  void shouldLeaveOutOneRoundThatRanInASlowSpell() {
    List<Round> rounds = List.of(ROUND_A, SLOW_SPELL, ROUND_B);

    assertThat(SLOW_SPELL.ratio()).isLessThan(0.7);
    assertThat(IngestRounds.medianRatio(rounds))
        .isCloseTo(Math.min(ROUND_A.ratio(), ROUND_B.ratio()), within(1e-12))
        .isGreaterThan(0.7);
  }

  @Test
  void shouldHalveTheMedianRoundsRateNotOneInASlowSpell() {
    // Session 10: 170,156, 150,384 and, in a slow spell, 75,650 events/s.
    List<Round> rounds =
        List.of(new Round(170_156, 1, 1), new Round(150_384, 1, 1), new Round(75_650, 1, 1));

    assertThat(IngestRounds.medianOurs(rounds)).isEqualTo(150_384);
  }

  @Test
  void shouldTakeTheMeanOfTheMiddleTwoOfAnEvenCount() {
    List<Round> rounds =
        List.of(new Round(40, 300, 150), new Round(90, 300, 150), new Round(60, 300, 150), ROUND_A);

    // Ratios 0.4, 0.9, 0.6 and ROUND_A's (above 0.6): the middle two are 0.6 and ROUND_A's.
    assertThat(IngestRounds.medianRatio(rounds))
        .isCloseTo((0.6 + ROUND_A.ratio()) / 2, within(1e-12));
    assertThat(IngestRounds.medianRatio(List.of())).isZero();
  }

  @Test
  void shouldListTheRoundsRatiosInTheOrderTheyRan() {
    assertThat(IngestRounds.ratios(List.of(new Round(60, 300, 150), new Round(90, 300, 150))))
        .isEqualTo("0.600 0.900");
  }

  @Test
  void shouldWarmUpUntilTwoWindowsInARowSetNoNewHigh() throws Exception {
    // Session 10's endpoint alone, rising to a third more than its first seconds' three times.
    Iterator<Double> rates =
        List.of(59_954.0, 98_466.0, 162_212.0, 170_000.0, 168_000.0, 1e9).iterator();

    List<Double> windows = IngestRounds.warmUntilSteady(rates::next, 12);

    // 170,000 and 168,000 are both within 5 % of 162,212, the best before them: steady.
    assertThat(windows).containsExactly(59_954.0, 98_466.0, 162_212.0, 170_000.0, 168_000.0);
  }

  @Test
  void shouldWarmUpOnPastOneWindowSlowerThanTheOneBefore() throws Exception {
    // Session 10: ours dipped from 120,904 to 112,336 on its way to about 190,000.
    Iterator<Double> rates =
        List.of(29_612.0, 67_876.0, 98_040.0, 120_904.0, 112_336.0, 173_520.0, 176_000.0, 175_000.0)
            .iterator();

    assertThat(IngestRounds.warmUntilSteady(rates::next, 12)).hasSize(8).endsWith(175_000.0);
  }

  @Test
  void shouldWarmUpAtLeastThreeWindowsAndAtMostTheGivenCount() throws Exception {
    Iterator<Double> falling = List.of(200.0, 100.0, 50.0, 25.0).iterator();
    assertThat(IngestRounds.warmUntilSteady(falling::next, 12)).containsExactly(200.0, 100.0, 50.0);

    double[] rising = {1};
    assertThat(IngestRounds.warmUntilSteady(() -> rising[0] *= 2, 4)).hasSize(4);
  }

  @Test
  void shouldMergeRunsIntoTheirSumsAndOneHistogram() {
    LoadDriver.Result a = run(100, 10, 2, 0.2, 5_000_000);
    LoadDriver.Result b = run(300, 30, 6, 0.1, 1_000_000);

    LoadDriver.Result m = LoadDriver.Result.merge(List.of(a, b));

    assertThat(m.answered()).isEqualTo(400);
    assertThat(m.okTotal()).isEqualTo(40);
    assertThat(m.seconds()).isEqualTo(8);
    assertThat(m.requestsPerSecond()).isEqualTo(50);
    // The generator's share, weighted by each window: (0.2·2 + 0.1·6) / 8.
    assertThat(m.generatorCores()).isCloseTo(0.125, within(1e-12));
    assertThat(m.latencyNanos().getTotalCount()).isEqualTo(400);
    assertThat(m.latencyMillis(99)).isCloseTo(5, within(0.01));
    assertThat(m.latencyMillis(50)).isCloseTo(1, within(0.01));
    assertThat(LoadDriver.Result.merge(List.of())).isSameAs(LoadDriver.Result.NONE);
  }

  @Test
  void shouldMergeTheCeilingProducersRunsIntoTheMeanRate() {
    CeilingProducer.Result m =
        CeilingProducer.Result.merge(
            List.of(
                new CeilingProducer.Result(200_000, 2_000_000, 0, null),
                new CeilingProducer.Result(300_000, 3_000_000, 1, "timeout")));

    assertThat(m.recordsPerSecond()).isEqualTo(250_000);
    assertThat(m.ackedTotal()).isEqualTo(5_000_000);
    assertThat(m.errors()).isEqualTo(1);
    assertThat(m.firstError()).isEqualTo("timeout");
  }

  /** A run of {@code answered} answers in {@code seconds}, each taking {@code latencyNanos}. */
  private static LoadDriver.Result run(
      long answered, long ok, double seconds, double cores, long latencyNanos) {
    Histogram h = new Histogram(3);
    h.recordValueWithCount(latencyNanos, answered);
    return new LoadDriver.Result(
        answered, ok, seconds, h, 0, 0, null, cores, cores * seconds, 0, List.of());
  }

  @Test
  void shouldListWarmUpRatesAsWholeNumbersSeparatedBySpaces() {
    assertThat(IngestRounds.listed(List.of(61_234.4, 88_409.6, 90_102.0)))
        .isEqualTo("61234 88410 90102");
    assertThat(IngestRounds.listed(List.of())).isEmpty();
  }
}
