package io.upbot.job.sink;

/**
 * Makes text storable in every supported database. PostgreSQL's {@code text} rejects NUL (0x00),
 * and one such value in a batch would fail the sink again on every restart, so NUL and unpaired
 * UTF-16 surrogates (which have no UTF-8 form) become U+FFFD, as invalid input bytes already do.
 * Applied to every text column in every dialect, so all databases hold the same rows.
 */
final class SqlText {

  static final char REPLACEMENT = '\uFFFD';

  private SqlText() {}

  /** {@code s} with NUL and unpaired surrogates replaced; {@code s} itself when it has none. */
  static String clean(String s) {
    if (s == null) {
      return null;
    }
    int i = firstBad(s);
    if (i < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    b.append(s, 0, i);
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\0') {
        b.append(REPLACEMENT);
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        b.append(c).append(s.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        b.append(REPLACEMENT);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static int firstBad(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\0') {
        return i;
      }
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      }
    }
    return -1;
  }
}
