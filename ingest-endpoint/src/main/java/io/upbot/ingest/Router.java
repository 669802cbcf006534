package io.upbot.ingest;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes a request by its exact path, decoded strictly (docs/api.md), then by method: an unknown
 * path (or one whose escapes are not UTF-8) is 1404, a known path with another method is 1405 with
 * an {@code Allow} header naming the methods it has.
 *
 * <p>Hand-written rather than Undertow's {@code RoutingHandler}: that one matches the raw path (the
 * server leaves decoding to {@link UrlDecoding}), treats a trailing slash as the same path, and
 * answers a wrong method without {@code Allow}.
 */
final class Router implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(Router.class);

  private final Map<String, Map<HttpString, HttpHandler>> routes = new HashMap<>();
  private final Answers answers;

  Router(Answers answers) {
    this.answers = answers;
  }

  /** Adds a route; the {@code Allow} header lists a path's methods in the order they were added. */
  Router add(HttpString method, String path, HttpHandler handler) {
    routes.computeIfAbsent(path, p -> new LinkedHashMap<>()).put(method, handler);
    return this;
  }

  @Override
  public void handleRequest(HttpServerExchange ex) throws Exception {
    HttpString method = ex.getRequestMethod();
    String path = UrlDecoding.decode(ex.getRequestPath(), false, true);
    if (path == null) {
      LOG.debug("404 {}: malformed path encoding", method);
      answers.send(ex, Answer.of(Ret.NOT_FOUND));
      return;
    }
    Map<HttpString, HttpHandler> byMethod = routes.get(path);
    if (byMethod == null) {
      LOG.debug("404 {} {}", method, path);
      answers.send(ex, Answer.of(Ret.NOT_FOUND));
      return;
    }
    HttpHandler handler = byMethod.get(method);
    if (handler == null) {
      ex.getResponseHeaders().put(Headers.ALLOW, allowed(byMethod));
      answers.send(ex, Answer.of(Ret.METHOD_NOT_ALLOWED));
      return;
    }
    handler.handleRequest(ex);
  }

  /** The methods of a path, as an {@code Allow} header value ({@code POST, OPTIONS}). */
  static String allowed(Map<HttpString, HttpHandler> byMethod) {
    return String.join(", ", byMethod.keySet().stream().map(HttpString::toString).toList());
  }
}
