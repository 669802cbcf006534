package io.upbot.local.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./upbot bench pipeline}, briefly, on the real local stack: it writes a report with every
 * figure and leaves no stack behind. The figures' values depend on the machine, so only their
 * presence and plausibility are checked, never a goal.
 */
class PipelineBenchITCase {

  @TempDir Path dataDir;

  @Test
  void shouldWriteEveryFigureWhenRunBriefly() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int exit =
        BenchCli.run(
            new String[] {
              "pipeline",
              "--seconds",
              "4",
              "--step-seconds",
              "2",
              "--warmup-windows",
              "3",
              "--data-dir",
              dataDir.toString()
            },
            new PrintStream(bytes, true, StandardCharsets.UTF_8),
            System.err);
    String printed = bytes.toString(StandardCharsets.UTF_8);

    assertThat(exit).as(printed).isZero();
    List<Path> reports;
    try (Stream<Path> files = Files.list(dataDir.resolve("bench"))) {
      reports = files.filter(p -> p.toString().endsWith(".json")).toList();
    }
    assertThat(reports).hasSize(1);
    JsonNode json = new ObjectMapper().readTree(reports.get(0).toFile());
    assertThat(json.get("bench").asText()).isEqualTo("pipeline");
    // The settings the job ran with, not those the console's time zone was read from.
    assertThat(json.get("flush_interval_ms").asLong())
        .isEqualTo(io.upbot.local.LocalStack.LOCAL_FLUSH_INTERVAL.toMillis());
    for (String positive :
        List.of(
            "generator_ceiling_events_per_s",
            "endpoint_max_events_per_s",
            "ratio_generator_to_endpoint",
            "freshness_load_events_per_s",
            "freshness_probes",
            "freshness_half_stack_load_events_per_s")) {
      assertThat(json.get(positive).asDouble()).as(positive).isPositive();
    }
    for (String figure :
        List.of(
            "pipeline_sustained_events_per_s",
            "ratio_pipeline_to_endpoint",
            "freshness_p50_ms",
            "freshness_p99_ms",
            "freshness_half_stack_p50_ms",
            "freshness_half_stack_p99_ms")) {
      assertThat(json.get(figure).isNumber()).as(figure).isTrue();
      assertThat(json.get(figure).asDouble()).as(figure).isNotNegative();
    }
    // Warmed in windows until steady, at least three and here at most three, before measuring.
    for (String warmup : List.of("warmup_generator", "warmup_endpoint", "warmup_pipeline")) {
      assertThat(json.get(warmup).asText().split(" ")).as(warmup).hasSize(3);
    }
    assertThat(json.get("freshness_p99_ms").asLong())
        .isGreaterThanOrEqualTo(json.get("freshness_p50_ms").asLong());
    assertThat(json.get("freshness_half_stack_p99_ms").asLong())
        .isGreaterThanOrEqualTo(json.get("freshness_half_stack_p50_ms").asLong());
    // The second phase's probes are its own: none of them may be missing either.
    assertThat(json.get("freshness_half_stack_probes_missing").asLong()).isZero();
    assertThat(json.get("search_steps")).isNotEmpty();
    assertThat(json.get("search_steps").get(0).get("kept_up").isBoolean()).isTrue();
    assertThat(printed).contains("pipeline / endpoint alone");
    assertThat(dataDir.resolve("bench/pipeline-stack")).doesNotExist();
  }

  @Test
  void shouldRefuseAStepLongerThanTheSearchWithAPlainMessage() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> PipelineBench.parse(new String[] {"--seconds", "10", "--step-seconds", "20"}))
        .hasMessageContaining("--step-seconds: must not exceed --seconds");
  }

  @Test
  void shouldWarmUpInWindowsOfAtMostFiveSecondsOrAStep() {
    assertThat(PipelineBench.parse(new String[0]).warmupWindow()).hasSeconds(5);
    assertThat(PipelineBench.parse(new String[0]).warmupWindows()).isEqualTo(12);
    assertThat(PipelineBench.parse(new String[] {"--step-seconds", "2", "--warmup-windows", "0"}))
        .extracting(o -> o.warmupWindow().toSeconds(), PipelineBench.Options::warmupWindows)
        .containsExactly(2L, 0);
  }
}
