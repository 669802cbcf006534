package io.upbot.local;

import io.upbot.settings.Flags;
import io.upbot.settings.Values;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The flags of one {@code ./upbot} subcommand, read the one way {@link Flags} reads every program's
 * flags (no variables here). Problems are collected, so a user sees every mistake in one go.
 */
public final class CliArgs {

  private static final Duration LONGEST = Duration.ofDays(365);

  private final Values values;

  private CliArgs(Values values) {
    this.values = values;
  }

  /**
   * Parses {@code args}; {@code flags} are true/false switches, every other known key takes a
   * value.
   */
  public static CliArgs parse(String[] args, Set<String> keys, Set<String> flags) {
    Flags declared = Flags.withoutEnvironment();
    keys.forEach(k -> declared.value(k, null, ""));
    flags.forEach(f -> declared.toggle(f, null, ""));
    return new CliArgs(declared.parse(args, Map.of()));
  }

  public boolean has(String key) {
    return values.has(key);
  }

  public String string(String key, String dflt) {
    return has(key) ? values.raw(key) : dflt;
  }

  public String required(String key) {
    return values.required(key);
  }

  public int integer(String key, int dflt, int min, int max) {
    Integer v = has(key) ? values.integer(key, min, max) : null;
    return v != null ? v : dflt;
  }

  /** A rate such as {@code 500} or {@code 500/s}. */
  public double rate(String key, double dflt) {
    Double v = has(key) ? values.parsed(key, CliArgs::rate) : null;
    return v != null ? v : dflt;
  }

  private static double rate(String v) {
    String n = v.trim().endsWith("/s") ? v.trim().substring(0, v.trim().length() - 2) : v.trim();
    double d;
    try {
      d = Double.parseDouble(n);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a rate (e.g. 500/s)");
    }
    if (!(d > 0) || Double.isInfinite(d)) {
      throw new IllegalArgumentException("must be a positive rate");
    }
    return d;
  }

  /** A duration such as {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d}. */
  public Duration duration(String key, Duration dflt) {
    Duration v = has(key) ? values.duration(key, Duration.ZERO, LONGEST) : null;
    return v != null ? v : dflt;
  }

  /** Records a problem found while interpreting a value. */
  public void error(String message) {
    values.problem(message);
  }

  /** Fails with every collected error at once. */
  public void failOnErrors(String command) {
    if (!values.problems().isEmpty()) {
      throw new UsageException(
          "upbot "
              + command
              + ": "
              + values.problems().size()
              + " bad option(s):\n  "
              + String.join("\n  ", values.problems()));
    }
  }

  /** A user error in the arguments: printed without a stack trace. */
  public static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
      super(message);
    }
  }
}
