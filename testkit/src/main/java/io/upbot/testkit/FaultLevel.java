package io.upbot.testkit;

import java.util.Locale;

/**
 * How hard the fault tests ({@code *FaultITCase}) push: system property {@code upbot.faults} =
 * {@code short} (the default, part of {@code mvn verify}: one fault, a little load) or {@code long}
 * (more load, more faults). See docs/reliability.md.
 */
public enum FaultLevel {
  SHORT,
  LONG;

  /** The system property naming the level. */
  public static final String PROPERTY = "upbot.faults";

  /** The level the property names; {@link #SHORT} when it is unset or blank. */
  public static FaultLevel current() {
    String v = System.getProperty(PROPERTY, "").strip().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "", "short" -> SHORT;
      case "long" -> LONG;
      default ->
          throw new IllegalArgumentException(
              "system property " + PROPERTY + " must be short or long, was '" + v + "'");
    };
  }

  /** {@code shortValue} at the short level, {@code longValue} at the long one. */
  public int pick(int shortValue, int longValue) {
    return this == SHORT ? shortValue : longValue;
  }
}
