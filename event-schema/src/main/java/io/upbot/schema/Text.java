package io.upbot.schema;

/** Text rules shared by the endpoint and the job, so both read a field the same way. */
public final class Text {
  private Text() {}

  /**
   * Whether {@code c} has the Unicode {@code White_Space} property. Java's {@link String#strip()}
   * and {@link Character#isWhitespace(char)} differ from it: they skip U+00A0, U+2007, U+202F and
   * U+0085 and count the separators U+001C–U+001F, so a code " X\u00A0" would keep its no-break
   * space.
   */
  public static boolean isWhiteSpace(char c) {
    return switch (c) {
      case '\t',
          '\n',
          '\u000B',
          '\f',
          '\r',
          ' ',
          '\u0085',
          '\u00A0',
          '\u1680',
          '\u2028',
          '\u2029',
          '\u202F',
          '\u205F',
          '\u3000' ->
          true;
      default -> c >= '\u2000' && c <= '\u200A';
    };
  }

  /**
   * {@code s} without leading and trailing Unicode {@code White_Space} (every such character is in
   * the BMP, so this works on UTF-16 units); null for null. docs/api.md trims {@code code} and
   * {@code trace_id}.
   */
  public static String trimWhiteSpace(String s) {
    if (s == null) {
      return null;
    }
    int start = 0;
    int end = s.length();
    while (start < end && isWhiteSpace(s.charAt(start))) {
      start++;
    }
    while (end > start && isWhiteSpace(s.charAt(end - 1))) {
      end--;
    }
    return start == 0 && end == s.length() ? s : s.substring(start, end);
  }

  /**
   * The length in Unicode characters (code points), the unit of every length rule of docs/api.md.
   */
  public static int characters(String s) {
    return s.codePointCount(0, s.length());
  }

  /**
   * Whether every surrogate of {@code s} is part of a pair, i.e. {@code s} can be encoded in UTF-8.
   */
  public static boolean isWellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
