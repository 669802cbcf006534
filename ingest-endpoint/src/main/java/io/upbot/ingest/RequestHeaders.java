package io.upbot.ingest;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.util.Locale;

/**
 * The report's checks on what comes before the body (docs/api.md#the-order-of-checks): the token as
 * presented, the content type, the query and the content encoding. Each returns the answer to a
 * request that breaks it, or its reading of a good one.
 */
final class RequestHeaders {
  static final Answer NOT_JSON = Answer.parameter("Content-Type: must be application/json");
  static final Answer CHARSET_NOT_UTF8 =
      Answer.parameter("Content-Type: only a charset=utf-8 parameter is allowed");
  static final Answer UNKNOWN_ENCODING =
      Answer.parameter("Content-Encoding: must be gzip or absent");

  private RequestHeaders() {}

  /**
   * The header's value when it is present once, otherwise null (a repeated header is ambiguous).
   */
  static String single(HttpServerExchange ex, HttpString name) {
    HeaderValues v = ex.getRequestHeaders().get(name);
    return v == null || v.size() != 1 ? null : v.getFirst();
  }

  /**
   * The token of {@code Authorization: <token>} or {@code Authorization: Bearer <token>}, or null.
   */
  static String presentedToken(HttpServerExchange ex) {
    String h = single(ex, Headers.AUTHORIZATION);
    if (h == null) {
      return null;
    }
    String t = h.trim();
    if (t.regionMatches(true, 0, "Bearer ", 0, 7)) {
      t = t.substring(7).trim();
    }
    return t;
  }

  /** Null for {@code application/json} with at most a UTF-8 charset, otherwise the 1001 answer. */
  static Answer contentTypeProblem(HttpServerExchange ex) {
    String ct = single(ex, Headers.CONTENT_TYPE);
    if (ct == null) {
      return NOT_JSON;
    }
    String[] parts = ct.split(";", -1);
    if (!parts[0].trim().equalsIgnoreCase("application/json")) {
      return NOT_JSON;
    }
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim().toLowerCase(Locale.ROOT).replace(" ", "");
      if (!p.equals("charset=utf-8") && !p.equals("charset=\"utf-8\"")) {
        return CHARSET_NOT_UTF8;
      }
    }
    return null;
  }

  /**
   * The body's encoding: gzip, identity (absent, blank or {@code identity}), or one the API
   * refuses.
   */
  enum Encoding {
    IDENTITY,
    GZIP,
    UNKNOWN
  }

  static Encoding encoding(HttpServerExchange ex) {
    String encoding = single(ex, Headers.CONTENT_ENCODING);
    if (encoding == null || encoding.isBlank() || encoding.trim().equalsIgnoreCase("identity")) {
      return Encoding.IDENTITY;
    }
    return encoding.trim().equalsIgnoreCase("gzip") ? Encoding.GZIP : Encoding.UNKNOWN;
  }

  /**
   * The API's query: {@code validate}, exactly once, {@code true} or {@code false} (any letter
   * case), or absent. Anything else is refused rather than read as "write": a client asking to
   * validate must never have its batch written. Other parameters are ignored, like unknown JSON
   * fields.
   */
  record Query(boolean validateOnly, Answer problem) {
    static final Answer NOT_BOOLEAN = Answer.parameter("validate: must be true or false");

    static Query of(String raw) {
      String validate = null;
      int seen = 0;
      if (raw != null && !raw.isEmpty()) {
        for (String pair : raw.split("&", -1)) {
          if (pair.isEmpty()) {
            continue;
          }
          int eq = pair.indexOf('=');
          String name = UrlDecoding.decode(eq < 0 ? pair : pair.substring(0, eq), true, false);
          if (name == null) {
            return new Query(false, Answer.parameter("query: malformed percent-encoding"));
          }
          if (name.equals("validate")) {
            seen++;
            validate = eq < 0 ? null : UrlDecoding.decode(pair.substring(eq + 1), true, false);
          }
        }
      }
      if (seen == 0) {
        return new Query(false, null);
      }
      if (seen > 1 || validate == null) {
        return new Query(false, NOT_BOOLEAN);
      }
      if (validate.equalsIgnoreCase("true")) {
        return new Query(true, null);
      }
      return validate.equalsIgnoreCase("false")
          ? new Query(false, null)
          : new Query(false, NOT_BOOLEAN);
    }
  }
}
