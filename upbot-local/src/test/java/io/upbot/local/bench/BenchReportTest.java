package io.upbot.local.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {
  private static final Instant STARTED = Instant.parse("2026-12-03T10:15:30Z");

  @Test
  void shouldWriteRatiosAsTopLevelNumbersUnderTheDataDir(@TempDir Path dataDir) throws Exception {
    BenchReport r = new BenchReport("ingest", STARTED);
    r.put("ours_events_per_s", "ours (events/s)", 70_000.0);
    r.ratio("ours_to_limit", "ours / L", 70_000.0, 100_000.0);

    Path file = r.write(dataDir);

    assertThat(file).isEqualTo(dataDir.resolve("bench/ingest-20261203T101530Z.json"));
    JsonNode json = new ObjectMapper().readTree(file.toFile());
    assertThat(json.get("bench").asText()).isEqualTo("ingest");
    assertThat(json.get("ratio_ours_to_limit").isNumber()).isTrue();
    assertThat(json.get("ratio_ours_to_limit").asDouble()).isEqualTo(0.7);
  }

  @Test
  void shouldPrintOneLinePerFigure() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new BenchReport("job", STARTED)
        .put("full_events_per_s", "full job (events/s)", 123_456.0)
        .put("p99_ms", "p99 (ms)", 8.25)
        .print(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("full job (events/s)  123,456")
        .contains("p99 (ms)             8.250");
  }

  @Test
  void shouldRefuseFigureKeysThatAreNotSnakeCaseAndValuesThatAreNotNumbers() {
    BenchReport r = new BenchReport("pipeline", STARTED);
    assertThatThrownBy(() -> r.put("Events/s", "x", 1.0)).hasMessageContaining("snake_case");
    assertThatThrownBy(() -> r.put("x", "x", Double.NaN)).hasMessageContaining("not a number");
  }
}
