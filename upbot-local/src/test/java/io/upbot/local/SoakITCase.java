package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./upbot soak} on the local stack: at half the maximum rate, heap and state stay flat over
 * the second half and every accepted event is counted once. Short: 1 minute at half of 600
 * events/s. Long ({@code -Dupbot.faults=long}): 10 minutes at half of the measured maximum.
 */
class SoakITCase {

  @TempDir Path dataDir;

  @Test
  void shouldKeepHeapAndStateFlatAndCountEveryAcceptedEvent() throws Exception {
    FaultMode mode = FaultMode.current();
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Soak.Options options =
        new Soak.Options(
            mode.pick(Duration.ofMinutes(1), Duration.ofMinutes(10)),
            mode == FaultMode.SHORT ? 600.0 : null,
            20,
            Duration.ofSeconds(5),
            0.20,
            0.20,
            dataDir,
            Duration.ofMinutes(2));

    Soak.Result r = Soak.run(options, new PrintStream(printed, true, StandardCharsets.UTF_8));
    String report = r.render();
    System.out.println(report);

    assertThat(r.failures()).as(report).isEmpty();
    assertThat(r.accepted()).as(report).isGreaterThan((long) (r.rate() * 50));
    assertThat(r.counted()).as(report).isBetween(r.accepted(), r.accepted() + r.unsure());
    assertThat(r.samples()).as(report).hasSizeGreaterThanOrEqualTo(10);
    assertThat(r.samples().get(r.samples().size() - 1).stateBytes()).as(report).isPositive();
  }
}
