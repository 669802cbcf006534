package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.JobSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class LocalStackOptionsTest {

  private static final LocalStack.Options BASE =
      new LocalStack.Options(
          8080,
          9092,
          8081,
          Path.of("data"),
          "jdbc:sqlite:x.db",
          "u",
          "p",
          Path.of("tokens.json"),
          true,
          "t",
          Duration.ofSeconds(7));

  @Test
  void shouldStartWithAFixedWebPortTheJobsOwnSettingsAndNoWeCom() {
    JobSettings job = JobSettings.defaults("k:9092");

    assertThat(BASE.webPortFallback()).isFalse();
    assertThat(BASE.wecom()).isFalse();
    assertThat(BASE.tune(job)).isEqualTo(job);
  }

  @Test
  void shouldChangeOnlyTheWebPortAndItsFallbackWhenFallingBack() {
    LocalStack.Options o = BASE.withWebPortFallback(9999);

    assertThat(o.webPort()).isEqualTo(9999);
    assertThat(o.webPortFallback()).isTrue();
    assertThat(o)
        .usingRecursiveComparison()
        .ignoringFields("webPort", "webPortFallback")
        .isEqualTo(BASE);
  }

  @Test
  void shouldChangeOnlyTheJobTuningWhenTuned() {
    UnaryOperator<JobSettings> tuning = s -> s.withLimits(5, 6, 7);
    LocalStack.Options o = BASE.withWebPortFallback(8081).withJobTuning(tuning);

    assertThat(o.jobTuning()).isSameAs(tuning);
    assertThat(o.webPortFallback()).as("kept from before").isTrue();
    assertThat(o)
        .usingRecursiveComparison()
        .ignoringFields("jobTuning", "webPortFallback")
        .isEqualTo(BASE);
  }

  @Test
  void shouldChangeOnlyWeComWhenWeComIsAdded() {
    UnaryOperator<JobSettings> tuning = s -> s.withLimits(5, 6, 7);
    LocalStack.Options o = BASE.withJobTuning(tuning).withWeCom();

    assertThat(o.wecom()).isTrue();
    assertThat(o.jobTuning()).as("kept from before").isSameAs(tuning);
    assertThat(o).usingRecursiveComparison().ignoringFields("wecom", "jobTuning").isEqualTo(BASE);
    assertThat(o.tune(JobSettings.defaults("k:9092")).stages().wecomJoinsOnly()).isTrue();
  }
}
