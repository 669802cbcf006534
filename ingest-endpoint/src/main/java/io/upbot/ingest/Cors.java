package io.upbot.ingest;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.util.List;

/**
 * CORS for browsers on the configured origins (docs/api.md): the preflight answer to {@code
 * OPTIONS} on the API, and the headers every answer to such an origin carries.
 */
final class Cors {
  static final HttpString ALLOW_ORIGIN = new HttpString("Access-Control-Allow-Origin");
  static final HttpString ALLOW_METHODS = new HttpString("Access-Control-Allow-Methods");
  static final HttpString ALLOW_HEADERS = new HttpString("Access-Control-Allow-Headers");
  static final HttpString MAX_AGE = new HttpString("Access-Control-Max-Age");
  static final HttpString EXPOSE_HEADERS = new HttpString("Access-Control-Expose-Headers");

  private final List<String> origins;

  /** {@code origins}: the allowed origins, {@code *} for any; empty turns CORS off. */
  Cors(List<String> origins) {
    this.origins = List.copyOf(origins);
  }

  /**
   * The preflight answer: 204, with the {@code Access-Control-Allow-*} headers for a configured
   * origin only (the browser then refuses the others).
   */
  HttpHandler preflight(String allowedMethods) {
    return ex -> {
      String origin = allowedOrigin(ex);
      ex.getResponseHeaders().put(Headers.ALLOW, allowedMethods);
      if (origin != null) {
        ex.getResponseHeaders()
            .put(ALLOW_ORIGIN, origin)
            .put(ALLOW_METHODS, allowedMethods)
            .put(ALLOW_HEADERS, "Authorization, Content-Type, Content-Encoding")
            .put(MAX_AGE, "600");
      }
      varyOnOrigin(ex);
      ex.setStatusCode(204);
      ex.endExchange();
    };
  }

  /**
   * The CORS headers of an answer to a configured origin (none for any other origin). With CORS
   * configured, every answer varies with Origin, also those without the headers: a shared cache
   * must not serve an answer made for one origin (or none) to another.
   */
  void onAnswer(HttpServerExchange ex) {
    varyOnOrigin(ex);
    String origin = allowedOrigin(ex);
    if (origin != null) {
      ex.getResponseHeaders().put(ALLOW_ORIGIN, origin).put(EXPOSE_HEADERS, "Retry-After");
    }
  }

  private void varyOnOrigin(HttpServerExchange ex) {
    if (!origins.isEmpty()) {
      ex.getResponseHeaders().put(Headers.VARY, "Origin");
    }
  }

  /**
   * The request's origin when it is allowed, otherwise null (also when Origin is absent or
   * repeated).
   */
  private String allowedOrigin(HttpServerExchange ex) {
    String origin = RequestHeaders.single(ex, Headers.ORIGIN);
    if (origin == null) {
      return null;
    }
    return origins.contains(origin) || origins.contains("*") ? origin : null;
  }
}
