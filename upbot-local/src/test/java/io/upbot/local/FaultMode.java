package io.upbot.local;

import java.time.Duration;

/**
 * How long the fault and soak tests run: {@code -Dupbot.faults=short} (the default, in {@code mvn
 * verify}) or {@code long} (the {@code faults} Maven profile).
 */
enum FaultMode {
  SHORT,
  LONG;

  /** The system property that chooses. */
  static final String PROPERTY = "upbot.faults";

  static FaultMode current() {
    String v = System.getProperty(PROPERTY, "short").trim();
    return switch (v) {
      case "short", "" -> SHORT;
      case "long" -> LONG;
      default -> throw new IllegalArgumentException(PROPERTY + " must be short or long, got " + v);
    };
  }

  /** {@code shortValue} in the short mode, {@code longValue} in the long one. */
  Duration pick(Duration shortValue, Duration longValue) {
    return this == SHORT ? shortValue : longValue;
  }
}
