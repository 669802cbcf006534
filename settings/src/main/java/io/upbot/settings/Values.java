package io.upbot.settings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The values {@link Flags#parse} read, with typed getters that record a problem per bad value
 * instead of stopping at the first. A getter returns {@code null} for a bad value; check {@link
 * #problems()} before using them.
 */
public final class Values {

  private final Flags flags;
  private final Map<String, String> raw;
  private final Map<String, List<String>> repeated;
  private final List<String> problems;
  private final List<String> warnings;

  Values(
      Flags flags,
      Map<String, String> raw,
      Map<String, List<String>> repeated,
      List<String> problems,
      List<String> warnings) {
    this.flags = flags;
    this.raw = raw;
    this.repeated = repeated;
    this.problems = problems;
    this.warnings = warnings;
  }

  /** Sets a value in code (settings built without flags), as if given as a flag. */
  public Values with(String name, String value) {
    flags.flag(name);
    raw.put(name, value);
    return this;
  }

  /** Every problem so far, in order: unknown flags, missing and bad values. */
  public List<String> problems() {
    return problems;
  }

  /** Deprecation warnings: old flag or variable names that were used. */
  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  /**
   * Records a problem found while interpreting values (e.g. two flags that contradict each other).
   */
  public void problem(String message) {
    problems.add(message);
  }

  /** Whether a flag has a value (given, from its variable, or a default). */
  public boolean has(String name) {
    return raw(name) != null;
  }

  /** A flag's text as given, its variable's, its default, or {@code null}. */
  public String raw(String name) {
    flags.flag(name);
    return raw.get(name);
  }

  /** Every {@code key=value} of a repeatable flag, in order. */
  public List<String> all(String name) {
    flags.flag(name);
    return new ArrayList<>(repeated.get(name));
  }

  /** A value that must be given and not blank. */
  public String required(String name) {
    String v = raw(name);
    if (v == null || v.isBlank()) {
      problems.add(flags.missing(name));
      return null;
    }
    return v.trim();
  }

  /** A value that may be absent: {@code null} when not given or empty. */
  public String optional(String name) {
    String v = raw(name);
    return v == null || v.isEmpty() ? null : v;
  }

  /** A value read by {@code parse}, whose exception message becomes the problem. */
  public <T> T parsed(String name, Function<String, T> parse) {
    String v = raw(name);
    if (v == null) {
      problems.add(flags.missing(name));
      return null;
    }
    try {
      return parse.apply(v);
    } catch (RuntimeException e) {
      problems.add("--" + name + ": " + e.getMessage() + " (got '" + v + "')");
      return null;
    }
  }

  /** A whole number within {@code [min, max]}. */
  public Integer integer(String name, long min, long max) {
    return parsed(
        name,
        v -> {
          long l;
          try {
            l = Long.parseLong(v.trim());
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a whole number");
          }
          if (l < min || l > max) {
            throw new IllegalArgumentException("must be between " + min + " and " + max);
          }
          return (int) l;
        });
  }

  /** {@code true} or {@code false}. */
  public Boolean bool(String name) {
    return parsed(
        name,
        v -> {
          if (!v.trim().equals("true") && !v.trim().equals("false")) {
            throw new IllegalArgumentException("must be true or false");
          }
          return Boolean.valueOf(v.trim());
        });
  }

  /** A {@link Durations duration} within {@code [min, max]}. */
  public Duration duration(String name, Duration min, Duration max) {
    return parsed(
        name,
        v -> {
          Duration d = Durations.parse(v);
          if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException(
                "must be between " + Durations.format(min) + " and " + Durations.format(max));
          }
          return d;
        });
  }
}
