package io.upbot.console;

import java.util.Locale;

/** How values read in tables: whole numbers as they are, rates in percent, seconds to 0.1. */
public final class Cells {

  private Cells() {}

  /** A value as the tables show it; {@code –} for NULL. */
  public static String format(String column, Object v) {
    if (v == null) {
      return "–";
    }
    if (v instanceof Double d) {
      if (column.equals("conversion") || column.endsWith("_share")) {
        return percent(d);
      }
      return String.format(Locale.ROOT, "%.1f", d);
    }
    return v.toString();
  }

  /** A 0-1 rate in percent with one decimal, {@code –} when undefined. */
  public static String percent(Double rate) {
    return rate == null || rate.isNaN() ? "–" : String.format(Locale.ROOT, "%.1f%%", 100 * rate);
  }

  /** {@code part / whole} in percent, {@code –} when whole is 0. */
  public static String percent(long part, long whole) {
    return whole == 0 ? "–" : percent(part / (double) whole);
  }
}
