package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.JobSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LocalJobTest {

  @Test
  void shouldChangeOnlyTheFlushIntervalWhenLocalSettingsAreApplied() {
    JobSettings base =
        JobSettings.defaults("127.0.0.1:9092")
            .withRuntime(1, Duration.ofSeconds(30), "file:///tmp/cp")
            .withTimes(Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(2));

    JobSettings local = LocalJob.withFlushInterval(base, Duration.ofMillis(500));

    assertThat(local.flushInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(local).usingRecursiveComparison().ignoringFields("flushInterval").isEqualTo(base);
  }
}
