package io.upbot.job.model;

/**
 * A record the job did not count, for the {@code dead_letter_events} table.
 *
 * <p>The payload is capped here, when the dead letter is made, so that no dead letter anywhere (in
 * flight, in a sink's batch of up to {@code --jdbc-batch-size} of them, in the table) holds more
 * than {@link #MAX_PAYLOAD_BYTES}: a record from the topic can be as large as the broker allows,
 * and a thousand of them buffered by the sink would otherwise take a TaskManager's heap. The cut is
 * idempotent (a capped payload is within the cap), which matters because Flink's record serializer
 * builds every copy it deserialises through this constructor again.
 *
 * @param reason {@code late}, {@code malformed}, …
 * @param payload the record as received (UTF-8 text; invalid bytes replaced), at most {@link
 *     #MAX_PAYLOAD_BYTES} UTF-8 bytes: a longer one keeps its first part, cut on a character
 *     boundary, and ends with {@link #CUT_MARKER} and its full size
 * @param source {@code topic/partition/offset}, the natural key that makes replays idempotent
 * @param recordedAt when the job recorded it, epoch ms
 */
public record DeadLetter(String reason, String payload, String source, long recordedAt) {

  public static final String LATE = "late";
  public static final String MALFORMED = "malformed";

  /** A unionid over 128 characters, or holding U+0000 or an unpaired surrogate. */
  public static final String INVALID_UNIONID = "invalid_unionid";

  /** A {@code source} other than {@code client} and {@code wecom}. */
  public static final String UNKNOWN_SOURCE = "unknown_source";

  /** The most UTF-8 bytes a stored payload holds, the cut marker included: 64 KiB. */
  public static final int MAX_PAYLOAD_BYTES = 64 * 1024;

  /**
   * Ends a cut payload, followed by the payload's full size in UTF-8 bytes and {@code " UTF-8
   * bytes]"}, e.g. {@code …[payload cut to 64 KiB from 1048576 UTF-8 bytes]}.
   */
  public static final String CUT_MARKER = "…[payload cut to 64 KiB from ";

  public DeadLetter {
    payload = capped(payload);
  }

  /**
   * {@code payload} itself when it fits in {@link #MAX_PAYLOAD_BYTES}; otherwise its longest prefix
   * that, followed by the marker, still fits.
   */
  static String capped(String payload) {
    // At most 3 UTF-8 bytes per UTF-16 unit (a pair of surrogates makes 4 bytes from 2 units).
    if (payload == null || payload.length() <= MAX_PAYLOAD_BYTES / 3) {
      return payload;
    }
    long size = storedBytes(payload, payload.length());
    if (size <= MAX_PAYLOAD_BYTES) {
      return payload;
    }
    String marker = CUT_MARKER + size + " UTF-8 bytes]";
    int keep = prefixFitting(payload, MAX_PAYLOAD_BYTES - storedBytes(marker, marker.length()));
    return payload.substring(0, keep) + marker;
  }

  /** The UTF-8 size of {@code s[0, end)} as the database stores it (see {@link #unitBytes}). */
  private static long storedBytes(String s, int end) {
    long bytes = 0;
    for (int i = 0; i < end; i += unitsAt(s, i)) {
      bytes += unitBytes(s, i);
    }
    return bytes;
  }

  /** The end of the longest prefix of whole characters of {@code s} within {@code budget} bytes. */
  private static int prefixFitting(String s, long budget) {
    long bytes = 0;
    int i = 0;
    while (i < s.length()) {
      bytes += unitBytes(s, i);
      if (bytes > budget) {
        break;
      }
      i += unitsAt(s, i);
    }
    return i;
  }

  /** 2 at a well-formed surrogate pair, else 1. */
  private static int unitsAt(String s, int i) {
    return Character.isHighSurrogate(s.charAt(i))
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))
        ? 2
        : 1;
  }

  /**
   * The UTF-8 bytes of the character at {@code i} once stored: the sink writes NUL and lone
   * surrogates as U+FFFD (3 bytes), since PostgreSQL text holds neither.
   */
  private static int unitBytes(String s, int i) {
    char c = s.charAt(i);
    if (c == 0) {
      return 3;
    }
    if (c < 0x80) {
      return 1;
    }
    if (c < 0x800) {
      return 2;
    }
    return unitsAt(s, i) == 2 ? 4 : 3;
  }
}
