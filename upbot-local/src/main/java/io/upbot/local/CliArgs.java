package io.upbot.local;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --key value} / {@code --key=value} / {@code --flag} arguments of one subcommand, read once.
 * Unknown keys and unparsable values are collected, so a user sees every mistake in one go.
 */
final class CliArgs {

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  private final Map<String, String> values = new LinkedHashMap<>();
  private final List<String> errors = new ArrayList<>();

  private CliArgs() {}

  /**
   * Parses {@code args}; {@code flags} take no value, every other known key takes one.
   */
  static CliArgs parse(String[] args, Set<String> keys, Set<String> flags) {
    CliArgs a = new CliArgs();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        a.errors.add("unexpected argument '" + arg + "'");
        continue;
      }
      String key = arg.substring(2);
      String value = null;
      int eq = key.indexOf('=');
      if (eq >= 0) {
        value = key.substring(eq + 1);
        key = key.substring(0, eq);
      }
      if (flags.contains(key)) {
        a.values.put(key, value == null ? "true" : value);
      } else if (keys.contains(key)) {
        if (value == null) {
          if (i + 1 >= args.length) {
            a.errors.add("--" + key + ": needs a value");
            continue;
          }
          value = args[++i];
        }
        a.values.put(key, value);
      } else {
        a.errors.add("--" + key + ": unknown option");
      }
    }
    return a;
  }

  boolean has(String key) {
    return values.containsKey(key);
  }

  String string(String key, String dflt) {
    return values.getOrDefault(key, dflt);
  }

  String required(String key) {
    String v = values.get(key);
    if (v == null || v.isBlank()) {
      errors.add("--" + key + ": required");
    }
    return v;
  }

  int integer(String key, int dflt, int min, int max) {
    String v = values.get(key);
    if (v == null) {
      return dflt;
    }
    try {
      int i = Integer.parseInt(v.trim());
      if (i < min || i > max) {
        errors.add("--" + key + ": must be between " + min + " and " + max + ", got " + v);
      }
      return i;
    } catch (NumberFormatException e) {
      errors.add("--" + key + ": not a whole number: " + v);
      return dflt;
    }
  }

  /** A rate such as {@code 500} or {@code 500/s}. */
  double rate(String key, double dflt) {
    String v = values.get(key);
    if (v == null) {
      return dflt;
    }
    String n = v.trim().endsWith("/s") ? v.trim().substring(0, v.trim().length() - 2) : v.trim();
    try {
      double d = Double.parseDouble(n);
      if (!(d > 0) || Double.isInfinite(d)) {
        errors.add("--" + key + ": must be a positive rate, got " + v);
      }
      return d;
    } catch (NumberFormatException e) {
      errors.add("--" + key + ": not a rate (e.g. 500/s): " + v);
      return dflt;
    }
  }

  /** A duration such as {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
  Duration duration(String key, Duration dflt) {
    String v = values.get(key);
    if (v == null) {
      return dflt;
    }
    Matcher m = DURATION.matcher(v.trim());
    if (!m.matches()) {
      errors.add("--" + key + ": not a duration (e.g. 30s, 5m): " + v);
      return dflt;
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }

  /** Records a problem found while interpreting a value. */
  void error(String message) {
    errors.add(message);
  }

  /** Fails with every collected error at once. */
  void failOnErrors(String command) {
    if (!errors.isEmpty()) {
      throw new UsageException(
          "upbot " + command + ": " + errors.size() + " bad option(s):\n  " + String.join("\n  ", errors));
    }
  }

  /** A user error in the arguments: printed without a stack trace. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
