package io.upbot.local.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointProcessTest {

  @Test
  void shouldReadArgumentFileOptionsWithoutTheirComments() {
    List<String> options =
        EndpointProcess.parseJvmOptions(
            "# why\n-XX:+UseZGC   -Xms256m # a fixed heap\n\n  -Xmx256m\n#-XX:+AlwaysPreTouch\n");

    assertThat(options).containsExactly("-XX:+UseZGC", "-Xms256m", "-Xmx256m");
  }

  @Test
  void shouldRecommendExitingOnOutOfMemoryForTheEndpoint() {
    assertThat(EndpointProcess.recommendedJvmOptions())
        .contains("-XX:+ExitOnOutOfMemoryError")
        .allSatisfy(o -> assertThat(o).startsWith("-").doesNotContain("#"));
  }

  @Test
  void shouldRecommendAPreTouchedHeapInHugePagesForTheEndpoint() {
    // Huge pages halved the bursts of the benchmark VM's memory monitor that made the tail
    // (docs/performance.md); without AlwaysPreTouch they would be assembled while answering.
    assertThat(EndpointProcess.recommendedJvmOptions())
        .contains("-XX:+UseTransparentHugePages", "-XX:+AlwaysPreTouch");
  }
}
