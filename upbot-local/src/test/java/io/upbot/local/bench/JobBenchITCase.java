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

/** The whole benchmark, small: a real broker, the three jobs, both state backends. */
class JobBenchITCase {

  @Test
  void shouldWriteEveryFigureAndRatioToTheJsonWhenRunEndToEnd(@TempDir Path dataDir)
      throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);

    int code =
        JobBench.run(
            new String[] {
              "--events", "3000",
              "--state-journeys", "300",
              "--postgres", "off",
              "--data-dir", dataDir.toString()
            },
            out);

    String printed = buffer.toString(StandardCharsets.UTF_8);
    assertThat(code).as(printed).isZero();
    List<Path> files;
    try (Stream<Path> s = Files.list(dataDir.resolve("bench"))) {
      files = s.toList();
    }
    // The working directory (broker log, database, savepoints) is gone; only the report is left.
    assertThat(files).hasSize(1);
    assertThat(files.get(0).getFileName().toString()).matches("job-\\d{8}T\\d{6}Z\\.json");
    JsonNode json = new ObjectMapper().readTree(files.get(0).toFile());
    assertThat(json.get("events").asLong()).isEqualTo(3000);
    for (String figure :
        List.of(
            "full_events_per_s",
            "passthrough_events_per_s",
            "sessionizing_events_per_s",
            "keyed_events_per_s",
            "sql_events_per_s",
            "ratio_full_to_passthrough",
            "ratio_full_to_sql",
            "ratio_sessionizing_to_passthrough",
            "ratio_sessionizing_to_sql",
            "ratio_keyed_to_passthrough",
            "ratio_keyed_to_sql",
            "state_bytes_per_journey_heap",
            "state_bytes_per_journey_rocksdb")) {
      assertThat(json.get(figure)).as(figure).isNotNull();
      assertThat(json.get(figure).isNumber()).as(figure).isTrue();
      assertThat(json.get(figure).asDouble()).as(figure).isPositive();
    }
    for (String gc :
        List.of("full_gc_s", "sessionizing_gc_s", "keyed_gc_s", "passthrough_gc_s", "sql_gc_s")) {
      assertThat(json.get(gc)).as(gc).isNotNull();
      assertThat(json.get(gc).asDouble(-1)).as(gc).isNotNegative();
    }
    // Both counted the same journeys' sessions: the SQL differs only where its rules are simpler.
    long job = json.get("full_sessions").asLong();
    long sql = json.get("sql_sessions").asLong();
    assertThat(job).isPositive();
    assertThat(sql).isBetween(job * 9 / 10, job * 11 / 10);
    // The keyed step read and wrote its state once for every event, copies included.
    assertThat(json.get("keyed_events").asLong()).isEqualTo(3000);
    assertThat(json.get("state_journeys").asLong()).isEqualTo(300);
    assertThat(printed).contains("full / pass-through", "written to");
  }
}
