package io.upbot.local.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upbot.job.JobSettings;
import io.upbot.job.StartFrom;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PipelineTuningTest {

  private static final JobSettings BASE =
      JobSettings.defaults("127.0.0.1:9092")
          .withRuntime(2, Duration.ofSeconds(10), "file:///tmp/cp");

  @Test
  void shouldOnlyStartAtTheTopicsEndWhenNothingIsTuned() {
    JobSettings s = PipelineTuning.NONE.apply().apply(BASE);

    assertThat(s.startFrom().kind()).isEqualTo(StartFrom.Kind.LATEST);
    assertThat(s).usingRecursiveComparison().ignoringFields("startFrom").isEqualTo(BASE);
  }

  @Test
  void shouldChangeTheTunedSettingsAndKeepTheRest() {
    PipelineTuning tuning =
        new PipelineTuning(
            4, Duration.ofMillis(250), Duration.ofMillis(50), Duration.ofSeconds(3), "rocksdb");

    JobSettings s = tuning.apply().apply(BASE);

    assertThat(s.parallelism()).isEqualTo(4);
    assertThat(s.flushInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(s.jdbcBatchInterval()).isEqualTo(Duration.ofMillis(50));
    assertThat(s.checkpointInterval()).isEqualTo(Duration.ofSeconds(3));
    assertThat(s.stateBackend()).isEqualTo("rocksdb");
    assertThat(s)
        .usingRecursiveComparison()
        .ignoringFields(
            "startFrom",
            "parallelism",
            "flushInterval",
            "jdbcBatchInterval",
            "checkpointInterval",
            "stateBackend")
        .isEqualTo(BASE);
  }

  @Test
  void shouldTakeTheStateBackendFromTheCommandLine() {
    PipelineBench.Options o = PipelineBench.parse(new String[] {"--state-backend", "rocksdb"});

    assertThat(o.tuning().stateBackend()).isEqualTo("rocksdb");
    assertThat(PipelineBench.parse(new String[0]).tuning().stateBackend()).isNull();
  }

  @Test
  void shouldRefuseAStateBackendItDoesNotKnowWithAPlainMessage() {
    assertThatThrownBy(() -> PipelineBench.parse(new String[] {"--state-backend", "memory"}))
        .hasMessageContaining("--state-backend: must be hashmap or rocksdb, not memory");
  }
}
