package io.upbot.console;

import java.util.Map;
import java.util.StringJoiner;
import org.owasp.encoder.Encode;

/**
 * Escaping for everything the pages show, by context (OWASP Java Encoder): text and quoted
 * attribute values, and URL query components. Pages are built only through these, never by
 * appending a value as it is.
 */
public final class Html {

  private Html() {}

  /** A value in element content or in a double-quoted attribute. */
  public static String text(Object value) {
    return Encode.forHtml(value == null ? "" : value.toString());
  }

  /** A link to {@code path} with its query parameters encoded (nulls left out), HTML-escaped. */
  public static String href(String path, Map<String, ?> params) {
    return text(url(path, params));
  }

  /** A URL of {@code path} with its query parameters encoded (nulls left out), not escaped. */
  public static String url(String path, Map<String, ?> params) {
    StringJoiner q = new StringJoiner("&");
    params.forEach(
        (k, v) -> {
          if (v != null) {
            q.add(Encode.forUriComponent(k) + "=" + Encode.forUriComponent(v.toString()));
          }
        });
    return q.length() == 0 ? path : path + "?" + q;
  }
}
