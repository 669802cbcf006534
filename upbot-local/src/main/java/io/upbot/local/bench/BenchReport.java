package io.upbot.local.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one benchmark run: printed as a table and written as JSON to {@code
 * <data-dir>/bench/<name>-<timestamp>.json}, so runs on different days or machines can be compared.
 * Ratios are named {@code ratio_*} at the top level of the JSON: they are the figures that carry
 * from one machine to another, since both sides of each were measured in the same run.
 */
public final class BenchReport {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final String name;
  private final Instant startedAt;
  private final Map<String, Object> figures = new LinkedHashMap<>();
  private final Map<String, String> labels = new LinkedHashMap<>();

  public BenchReport(String name, Instant startedAt) {
    if (!name.matches("[a-z][a-z0-9-]*")) {
      throw new IllegalArgumentException("bench name must be lower-case words: " + name);
    }
    this.name = name;
    this.startedAt = startedAt;
    figures.put("bench", name);
    figures.put("started_at", startedAt.toString());
  }

  /**
   * Records a figure: {@code key} is its JSON field ({@code snake_case}; ratios start with {@code
   * ratio_}), {@code label} the table's wording.
   */
  public BenchReport put(String key, String label, Object value) {
    if (!key.matches("[a-z][a-z0-9_]*")) {
      throw new IllegalArgumentException("figure key must be snake_case: " + key);
    }
    if (value instanceof Double d && (d.isNaN() || d.isInfinite())) {
      throw new IllegalArgumentException(key + " is not a number: " + d);
    }
    figures.put(key, value);
    labels.put(key, label);
    return this;
  }

  /** Records a ratio under {@code ratio_<key>}: {@code ours / baseline}. */
  public BenchReport ratio(String key, String label, double ours, double baseline) {
    return put("ratio_" + key, label, baseline == 0 ? 0.0 : ours / baseline);
  }

  /** The figures as the JSON file holds them, in the order they were put. */
  public Map<String, Object> figures() {
    return Map.copyOf(figures);
  }

  /** Prints the table: one line per figure, label then value. */
  public void print(PrintStream out) {
    out.println("== bench " + name + " (" + startedAt + ")");
    int width = labels.values().stream().mapToInt(String::length).max().orElse(0);
    labels.forEach(
        (key, label) ->
            out.printf(Locale.ROOT, "  %-" + width + "s  %s%n", label, format(figures.get(key))));
  }

  /** Writes the JSON file under {@code dataDir/bench/} and returns its path. */
  public Path write(Path dataDir) throws IOException {
    Path dir = dataDir.resolve("bench");
    Files.createDirectories(dir);
    Path file = dir.resolve(name + "-" + STAMP.format(startedAt) + ".json");
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(file.toFile(), figures);
    return file;
  }

  private static String format(Object v) {
    if (v instanceof Double d) {
      return Math.abs(d) >= 100
          ? String.format(Locale.ROOT, "%,.0f", d)
          : String.format(Locale.ROOT, "%.3f", d);
    }
    if (v instanceof Long || v instanceof Integer) {
      return String.format(Locale.ROOT, "%,d", ((Number) v).longValue());
    }
    return String.valueOf(v);
  }
}
