package io.upbot.local.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upbot.local.bench.PipelineRateSearch.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class PipelineRateSearchTest {

  private static final PipelineRateSearch SEARCH = new PipelineRateSearch(10_000, 0.05, 8);

  @Test
  void shouldStartAtHalfTheCeilingWhenNothingRanYet() {
    assertThat(SEARCH.next(List.of())).hasValue(5_000);
  }

  @Test
  void shouldGoHalfwayUpWhenTheFirstStepKeptUp() {
    assertThat(SEARCH.next(List.of(new Step(5_000, 5_000, true)))).hasValue(7_500);
  }

  @Test
  void shouldGoHalfwayDownWhenTheFirstStepFellBehind() {
    assertThat(SEARCH.next(List.of(new Step(5_000, 4_900, false)))).hasValue(2_500);
  }

  @Test
  void shouldBisectBetweenTheHighestPassAndTheLowestFailure() {
    List<Step> steps =
        List.of(
            new Step(5_000, 5_000, false),
            new Step(2_500, 2_500, true),
            new Step(3_750, 3_700, true));

    assertThat(SEARCH.next(steps)).hasValue(4_375);
  }

  @Test
  void shouldIgnoreAPassAboveALowerFailureWhenNoiseContradicts() {
    List<Step> steps = List.of(new Step(5_000, 5_000, false), new Step(7_000, 7_000, true));

    assertThat(SEARCH.next(steps)).hasValue(2_500);
    assertThat(PipelineRateSearch.sustained(steps)).isZero();
  }

  @Test
  void shouldStopWhenTheBracketIsNarrowerThanTheResolution() {
    List<Step> steps = List.of(new Step(5_000, 5_000, false), new Step(4_600, 4_600, true));

    assertThat(SEARCH.next(steps)).isEmpty();
  }

  @Test
  void shouldStopWhenAStepKeptUpAtTheCeiling() {
    assertThat(SEARCH.next(List.of(new Step(10_000, 9_800, true)))).isEmpty();
  }

  @Test
  void shouldStopAfterMaxSteps() {
    PipelineRateSearch two = new PipelineRateSearch(10_000, 0.01, 2);
    List<Step> steps = List.of(new Step(5_000, 5_000, true), new Step(7_500, 7_500, true));

    assertThat(two.next(steps)).isEmpty();
  }

  @Test
  void shouldReportTheMostAcceptedOfTheStepsThatKeptUpBelowTheLowestFailure() {
    List<Step> steps =
        List.of(
            new Step(5_000, 4_800, true),
            new Step(7_500, 6_100, false),
            new Step(6_250, 6_000, true));

    assertThat(PipelineRateSearch.sustained(steps)).isEqualTo(6_000);
  }

  @Test
  void shouldReportZeroWhenNoStepKeptUp() {
    assertThat(PipelineRateSearch.sustained(List.of(new Step(5_000, 5_000, false)))).isZero();
  }

  @Test
  void shouldRefuseANonPositiveCeilingOrResolutionOutsideZeroToOne() {
    assertThatThrownBy(() -> new PipelineRateSearch(0, 0.05, 4))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PipelineRateSearch(1_000, 1.0, 4))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PipelineRateSearch(1_000, 0.05, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Against a pipeline that keeps up exactly below a capacity, the search ends within its steps,
   * never offers more than the ceiling, and finds the capacity to within the resolution when it has
   * steps enough.
   */
  @Property
  void shouldConvergeOnTheCapacityOfAMonotonePipeline(
      @ForAll @DoubleRange(min = 0.01, max = 0.99) double capacityFraction,
      @ForAll @IntRange(min = 1, max = 12) int maxSteps) {
    double ceiling = 50_000;
    double capacity = capacityFraction * ceiling;
    PipelineRateSearch search = new PipelineRateSearch(ceiling, 0.05, maxSteps);
    List<Step> steps = new ArrayList<>();
    for (OptionalDouble next = search.next(steps); next.isPresent(); next = search.next(steps)) {
      double offered = next.getAsDouble();
      assertThat(offered).isBetween(0.0, ceiling);
      steps.add(new Step(offered, offered, offered <= capacity));
    }
    assertThat(steps).hasSizeLessThanOrEqualTo(maxSteps);
    double found = PipelineRateSearch.sustained(steps);
    assertThat(found).isLessThanOrEqualTo(capacity);
    if (maxSteps >= 6) {
      assertThat(found).isGreaterThanOrEqualTo(capacity - 0.05 * ceiling);
    }
  }
}
