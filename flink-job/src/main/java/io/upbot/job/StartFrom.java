package io.upbot.job;

import java.util.Map;
import java.util.TreeMap;

/**
 * Where the job starts reading when it has no checkpoint: {@code earliest}, {@code latest}, {@code
 * committed} (the group's offsets, earliest where none), {@code timestamp:<ms>}, or explicit
 * offsets per partition ({@code 0:42,1:17}).
 */
public record StartFrom(Kind kind, long timestampMs, Map<Integer, Long> offsets) {

  /** The kinds of start. */
  public enum Kind {
    EARLIEST,
    LATEST,
    COMMITTED,
    TIMESTAMP,
    OFFSETS
  }

  public StartFrom {
    offsets = Map.copyOf(offsets);
  }

  public static final StartFrom COMMITTED = new StartFrom(Kind.COMMITTED, 0, Map.of());

  /** From the start of every partition. */
  public static final StartFrom EARLIEST = new StartFrom(Kind.EARLIEST, 0, Map.of());

  /** Parses the flag's value; throws {@link IllegalArgumentException} naming the problem. */
  public static StartFrom parse(String s) {
    switch (s) {
      case "earliest":
        return EARLIEST;
      case "latest":
        return new StartFrom(Kind.LATEST, 0, Map.of());
      case "committed":
        return COMMITTED;
      default:
        break;
    }
    if (s.startsWith("timestamp:")) {
      try {
        long ms = Long.parseLong(s.substring("timestamp:".length()));
        if (ms < 0) {
          throw new NumberFormatException();
        }
        return new StartFrom(Kind.TIMESTAMP, ms, Map.of());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("timestamp:<epoch ms> needs a non-negative integer");
      }
    }
    Map<Integer, Long> offsets = new TreeMap<>();
    for (String part : s.split(",", -1)) {
      String[] po = part.trim().split(":", -1);
      try {
        if (po.length != 2) {
          throw new NumberFormatException();
        }
        int p = Integer.parseInt(po[0].trim());
        long o = Long.parseLong(po[1].trim());
        if (p < 0 || o < 0 || offsets.put(p, o) != null) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "expected earliest, latest, committed, timestamp:<ms> or <partition>:<offset>,…");
      }
    }
    return new StartFrom(Kind.OFFSETS, 0, offsets);
  }
}
