package io.upbot.local.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./upbot bench ingest} end to end, for a few seconds per phase: a real broker, the real
 * endpoint in its own JVM, the ceilings; the JSON file under the data dir has every figure, and the
 * ratios are positive. The goals themselves are not asserted: timings on a shared machine are not a
 * test.
 */
class IngestBenchITCase {

  @Test
  void shouldWriteEveryFigureWithPositiveRatiosWhenRunForAFewSeconds(@TempDir Path dataDir)
      throws Exception {
    String printed =
        bench(
            dataDir,
            "--seconds",
            "2",
            "--rounds",
            "2",
            "--warmup-windows",
            "3",
            "--batch",
            "10",
            "--connections",
            "8");

    List<Path> files;
    try (Stream<Path> list = Files.list(dataDir.resolve("bench"))) {
      files = list.toList();
    }
    assertThat(files)
        .singleElement()
        .satisfies(
            f -> assertThat(f.getFileName().toString()).startsWith("ingest-").endsWith(".json"));
    JsonNode json = new ObjectMapper().readTree(files.get(0).toFile());
    for (String figure :
        List.of(
            "ours_events_per_s",
            "u_events_per_s",
            "p_records_per_s",
            "limit_events_per_s",
            "ratio_ours_to_limit",
            "ratio_ours_to_u",
            "ratio_ours_to_p",
            "ratio_generator_to_ours",
            "ours_p50_ms",
            "ours_p99_ms",
            "ours_p999_ms",
            "half_p50_ms",
            "half_p99_ms",
            "half_p999_ms")) {
      assertThat(json.path(figure).isNumber()).as(figure).isTrue();
      assertThat(json.path(figure).asDouble()).as(figure).isPositive();
    }
    assertThat(json.path("ours_p99_ms").asDouble())
        .isGreaterThanOrEqualTo(json.path("ours_p50_ms").asDouble());
    assertThat(json.path("batch").asInt()).isEqualTo(10);
    // U, P and ours in each of two rounds; the ratio is the median (here the mean) of theirs.
    assertThat(json.path("rounds").asInt()).isEqualTo(2);
    String[] byRound = json.path("ours_to_limit_by_round").asText().split(" ");
    assertThat(byRound).hasSize(2);
    assertThat(Double.parseDouble(byRound[0])).isPositive();
    assertThat(Double.parseDouble(byRound[1])).isPositive();
    assertThat(json.path("ratio_ours_to_limit").asDouble())
        .isCloseTo(
            (Double.parseDouble(byRound[0]) + Double.parseDouble(byRound[1])) / 2, within(0.001));
    assertThat(printed).contains("round 2/2: ours");
    // Each side warmed up in 1 s windows (a round's window): three, the least and here the most.
    for (String side : List.of("warmup_u", "warmup_p", "warmup_ours")) {
      assertThat(json.path(side).asText().split(" ")).as(side).hasSize(3);
    }
    assertThat(json.path("not_ok_answers").asLong()).isZero();
    assertThat(json.path("all_answers_ok").asBoolean()).isTrue();
    assertThat(json.path("events_in_kafka").asLong())
        .isPositive()
        .isEqualTo(json.path("events_answered_ok").asLong());
    assertThat(printed).contains("ours / L").contains(files.get(0).toString());
  }

  @Test
  void shouldRunTheEndpointInItsOwnProcessAndLeaveNoneBehind(@TempDir Path dataDir)
      throws Exception {
    String printed =
        bench(
            dataDir,
            "--seconds",
            "1",
            "--warmup-windows",
            "2",
            "--batch",
            "5",
            "--connections",
            "4",
            "--ours-only");

    JsonNode json;
    try (Stream<Path> list = Files.list(dataDir.resolve("bench"))) {
      json = new ObjectMapper().readTree(list.findFirst().orElseThrow().toFile());
    }
    long pid = json.path("endpoint_pid").asLong();
    assertThat(pid).as(printed).isPositive().isNotEqualTo(ProcessHandle.current().pid());
    assertThat(json.path("endpoint_jvm").asText())
        .isEqualTo(String.join(" ", EndpointProcess.recommendedJvmOptions()));
    assertThat(json.path("ours_cpu_us_per_event").asDouble()).isPositive();
    // The half-rate phase's CPU, measured over that phase alone.
    assertThat(json.path("half_cpu_us_per_event").asDouble()).isPositive();
    assertThat(json.path("half_broker_cpu_us_per_event").asDouble()).isPositive();
    assertThat(json.path("not_ok_answers").asLong()).isZero();
    assertThat(json.path("events_answered_ok").asLong())
        .isPositive()
        .isEqualTo(json.path("events_in_kafka").asLong());
    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("endpoint pid").isEmpty();
    assertThat(ProcessHandle.current().descendants())
        .noneMatch(h -> h.info().commandLine().orElse("").contains(EndpointProcess.MAIN_CLASS));
  }

  /** Runs {@code ./upbot bench ingest} with {@code flags}; asserts exit code 0; what it printed. */
  private static String bench(Path dataDir, String... flags) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    List<String> args = new ArrayList<>(List.of("ingest", "--data-dir", dataDir.toString()));
    args.addAll(List.of(flags));

    int code = BenchCli.run(args.toArray(String[]::new), out, out);

    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertThat(code).as(printed).isZero();
    return printed;
  }
}
