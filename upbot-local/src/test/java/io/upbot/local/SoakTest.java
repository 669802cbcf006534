package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** How the soak judges growth over its second half. */
class SoakTest {

  @Test
  void shouldSeeNoGrowthWhenTheSecondHalfIsFlatAfterAWarmUp() {
    // Heap climbs during the first half, then holds within noise.
    List<Soak.Sample> samples =
        samples(new long[] {10, 20, 40, 60, 80, 100, 101, 99, 100, 102, 98, 100});

    assertThat(Soak.growthOverSecondHalf(samples, Soak.Sample::heapBytes)).isBetween(-0.05, 0.05);
  }

  @Test
  void shouldSeeGrowthThatGoesOnThroughTheSecondHalf() {
    List<Soak.Sample> samples =
        samples(new long[] {10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120});

    // The second half is 30 s to 60 s (60 to 120): the medians of its first and last three
    // samples, 70 and 110.
    assertThat(Soak.growthOverSecondHalf(samples, Soak.Sample::heapBytes))
        .isCloseTo(40.0 / 70, Offset.offset(1e-9));
  }

  @Test
  void shouldNotLetOneHighLastSampleDecideAOneMinuteSoak() {
    // CI saw this: a flat second half whose very last heap sample came out high.
    List<Soak.Sample> samples =
        samples(new long[] {53, 50, 51, 51, 52, 52, 52, 52, 52, 52, 52, 84});

    assertThat(Soak.growthOverSecondHalf(samples, Soak.Sample::heapBytes)).isBetween(-0.05, 0.05);
  }

  @Test
  void shouldNotJudgeAValueThatWasNeverMeasured() {
    List<Soak.Sample> samples = samples(new long[] {-1, -1, -1, -1});

    assertThat(Soak.growthOverSecondHalf(samples, Soak.Sample::stateBytes)).isNaN();
    assertThat(Soak.growthOverSecondHalf(List.of(), Soak.Sample::stateBytes)).isNaN();
  }

  @Test
  void shouldListEveryBadSoakOptionBeforeStartingAnything() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        UpbotCli.run(
            new String[] {"soak", "--minutes", "soon", "--max-rate", "fast", "--bogus", "1"},
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--minutes: not a whole number")
        .contains("--max-rate: not a rate")
        .contains("--bogus: unknown flag");
  }

  /** One sample every 5 s, heap and state both {@code values[i]}. */
  private static List<Soak.Sample> samples(long[] values) {
    List<Soak.Sample> out = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      out.add(new Soak.Sample(5.0 * (i + 1), values[i], values[i], 0, 0));
    }
    return out;
  }
}
