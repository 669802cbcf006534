package io.upbot.schema;

import java.nio.charset.StandardCharsets;

/**
 * Writes a record whose strings are all plain (printable ASCII without {@code "} or {@code \}) as
 * the exact bytes Jackson's generator writes for it (docs/stream.md's field order, absent optional
 * fields as {@code null}, no spaces), in one array of the exact size. Such strings need no escape,
 * so copying their chars is all Jackson does with them; any other record is left to Jackson. Most
 * records are plain (ids, codes, trace ids), and Jackson's generator was a tenth of the endpoint's
 * CPU.
 */
final class PlainEncoder {
  private static final byte[] V = ascii("{\"v\":");
  private static final byte[] APPID = ascii(",\"appid\":");
  private static final byte[] OPENID = ascii(",\"openid\":");
  private static final byte[] ACCOUNT_TYPE = ascii(",\"account_type\":");
  private static final byte[] DEVICE_TYPE = ascii(",\"device_type\":");
  private static final byte[] UUID = ascii(",\"uuid\":");
  private static final byte[] EVENT_ID = ascii(",\"event_id\":");
  private static final byte[] EVENT_TIME = ascii(",\"event_time\":");
  private static final byte[] RECEIVED_AT = ascii(",\"received_at\":");
  private static final byte[] MEDIA_TYPE = ascii(",\"media_type\":");
  private static final byte[] CODE = ascii(",\"code\":");
  private static final byte[] TRACE_ID = ascii(",\"trace_id\":");
  private static final byte[] DURATION = ascii(",\"duration\":");
  private static final byte[] UNIONID = ascii(",\"unionid\":");
  private static final byte[] SOURCE = ascii(",\"source\":");
  private static final byte[] NULL = ascii("null");
  private static final int NOT_PLAIN = Integer.MIN_VALUE / 16;
  private static final int MAX_PLAIN = 1 << 20;
  private static final int FIXED =
      V.length
          + APPID.length
          + OPENID.length
          + ACCOUNT_TYPE.length
          + DEVICE_TYPE.length
          + UUID.length
          + EVENT_ID.length
          + EVENT_TIME.length
          + RECEIVED_AT.length
          + MEDIA_TYPE.length
          + CODE.length
          + TRACE_ID.length
          + DURATION.length
          + UNIONID.length
          + SOURCE.length
          + 1;

  private PlainEncoder() {}

  /** The record's JSON, or null when one of its strings is not plain. */
  static byte[] encode(MediaEvent e) {
    int text =
        size(e.appid())
            + size(e.openid())
            + size(e.uuid())
            + size(e.eventId())
            + size(e.code())
            + size(e.traceId())
            + size(e.unionid())
            + size(e.source());
    if (text < 0) {
      return null;
    }
    int size =
        FIXED
            + text
            + digits(e.v())
            + digits(e.accountType())
            + digits(e.eventTime())
            + digits(e.receivedAt())
            + size(e.deviceType())
            + size(e.mediaType())
            + size(e.duration());

    byte[] b = new byte[size];
    int at = put(b, 0, V);
    at = number(b, at, e.v());
    at = put(b, at, APPID);
    at = string(b, at, e.appid());
    at = put(b, at, OPENID);
    at = string(b, at, e.openid());
    at = put(b, at, ACCOUNT_TYPE);
    at = number(b, at, e.accountType());
    at = put(b, at, DEVICE_TYPE);
    at = number(b, at, e.deviceType());
    at = put(b, at, UUID);
    at = string(b, at, e.uuid());
    at = put(b, at, EVENT_ID);
    at = string(b, at, e.eventId());
    at = put(b, at, EVENT_TIME);
    at = number(b, at, e.eventTime());
    at = put(b, at, RECEIVED_AT);
    at = number(b, at, e.receivedAt());
    at = put(b, at, MEDIA_TYPE);
    at = number(b, at, e.mediaType());
    at = put(b, at, CODE);
    at = string(b, at, e.code());
    at = put(b, at, TRACE_ID);
    at = string(b, at, e.traceId());
    at = put(b, at, DURATION);
    at = number(b, at, e.duration());
    at = put(b, at, UNIONID);
    at = string(b, at, e.unionid());
    at = put(b, at, SOURCE);
    at = string(b, at, e.source());
    b[at++] = '}';
    if (at != size) {
      throw new IllegalStateException("record size " + at + " != " + size);
    }
    return b;
  }

  /**
   * Bytes of a string value with its quotes ({@code null} for null), or {@link #NOT_PLAIN}: so
   * negative that the sum of the record's eight strings is negative when one is not plain (longer
   * strings than {@link #MAX_PLAIN} go to Jackson, so the sum cannot overflow).
   */
  private static int size(String s) {
    if (s == null) {
      return NULL.length;
    }
    if (s.length() > MAX_PLAIN) {
      return NOT_PLAIN;
    }
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        return NOT_PLAIN;
      }
    }
    return s.length() + 2;
  }

  private static int size(Integer i) {
    return i == null ? NULL.length : digits(i);
  }

  /** Characters of {@code v} in decimal, as {@link Long#toString(long)} writes it. */
  static int digits(long v) {
    if (v == Long.MIN_VALUE) {
      return 20;
    }
    int n = 1;
    if (v < 0) {
      n++;
      v = -v;
    }
    while (v >= 10) {
      v /= 10;
      n++;
    }
    return n;
  }

  private static int put(byte[] b, int at, byte[] part) {
    System.arraycopy(part, 0, b, at, part.length);
    return at + part.length;
  }

  private static int string(byte[] b, int at, String s) {
    if (s == null) {
      return put(b, at, NULL);
    }
    b[at++] = '"';
    // Plain ASCII (checked by size): each char is its byte.
    for (int i = 0, n = s.length(); i < n; i++) {
      b[at++] = (byte) s.charAt(i);
    }
    b[at++] = '"';
    return at;
  }

  private static int number(byte[] b, int at, Integer i) {
    return i == null ? put(b, at, NULL) : number(b, at, (long) i);
  }

  private static int number(byte[] b, int at, long v) {
    if (v == Long.MIN_VALUE) {
      return put(b, at, ascii(Long.toString(v)));
    }
    int end = at + digits(v);
    int i = end;
    long rest = v < 0 ? -v : v;
    do {
      b[--i] = (byte) ('0' + (rest % 10));
      rest /= 10;
    } while (rest != 0);
    if (v < 0) {
      b[--i] = '-';
    }
    return end;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
