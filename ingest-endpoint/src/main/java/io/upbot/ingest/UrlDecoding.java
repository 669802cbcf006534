package io.upbot.ingest;

/**
 * Percent-decoding of the request path and query, done here rather than by Undertow ({@code
 * DECODE_URL=false}) so that it is strict: escapes of bytes that are not UTF-8 ({@code %C0%AF},
 * {@code %FF}) are refused (1404 for the path, 1001 for the query) instead of being read as
 * replacement characters. A syntactically malformed escape ({@code %zz}) never gets here:
 * Undertow's request parser refuses it with its own bare 400 before any handler runs.
 */
final class UrlDecoding {
  private UrlDecoding() {}

  /**
   * Decodes {@code raw} (ASCII as received), null when an escape is malformed or the bytes are not
   * UTF-8.
   *
   * @param plusIsSpace true for the query ({@code application/x-www-form-urlencoded}), false for
   *     the path
   * @param keepEncodedSlash true for the path: {@code %2F} stays as is, as Undertow's default
   *     decoding does, so an encoded slash never becomes a path separator
   */
  static String decode(String raw, boolean plusIsSpace, boolean keepEncodedSlash) {
    if (raw.indexOf('%') < 0 && (!plusIsSpace || raw.indexOf('+') < 0)) {
      return raw;
    }
    byte[] out = new byte[raw.length() * 3];
    int n = 0;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        int hi = i + 2 < raw.length() ? hex(raw.charAt(i + 1)) : -1;
        int lo = hi < 0 ? -1 : hex(raw.charAt(i + 2));
        if (lo < 0) {
          return null;
        }
        int b = hi << 4 | lo;
        if (keepEncodedSlash && b == '/') {
          out[n++] = '%';
          out[n++] = (byte) raw.charAt(i + 1);
          out[n++] = (byte) raw.charAt(i + 2);
        } else {
          out[n++] = (byte) b;
        }
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        out[n++] = ' ';
      } else if (c < 0x80) {
        out[n++] = (byte) c;
      } else {
        // Undertow refuses unescaped non-ASCII in the URL before the handler runs; never here.
        return null;
      }
    }
    return Utf8.decodeOrNull(out, n);
  }

  /** The value of an ASCII hex digit, or -1 (Character.digit would also take non-ASCII digits). */
  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}
