package io.upbot.ingest;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * The operators' paths: {@code /healthz} (503 while draining), {@code /readyz} (the writer reaches
 * its destination and the endpoint is not draining) and {@code /metrics} (Prometheus text). Their
 * answers are not API answers: not counted in the metrics, no CORS headers.
 */
final class Probes {
  static final String HEALTH = "/healthz";
  static final String READY = "/readyz";
  static final String METRICS = "/metrics";
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private Probes() {}

  static HttpHandler health(Drain drain) {
    return ex -> {
      boolean draining = drain.isDraining();
      plain(
          ex,
          draining ? 503 : 200,
          Answers.JSON,
          draining ? "{\"status\":\"draining\"}" : "{\"status\":\"serving\"}");
    };
  }

  static HttpHandler readiness(Drain drain, BooleanSupplier writerReady) {
    return ex -> {
      boolean ready = !drain.isDraining() && writerReady.getAsBoolean();
      plain(
          ex,
          ready ? 200 : 503,
          Answers.JSON,
          ready ? "{\"status\":\"ready\"}" : "{\"status\":\"not ready\"}");
    };
  }

  static HttpHandler metrics(Metrics metrics) {
    return ex -> plain(ex, 200, PROMETHEUS_TEXT, metrics.render());
  }

  private static void plain(HttpServerExchange ex, int status, String contentType, String body) {
    ex.setStatusCode(status);
    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
    ex.getResponseSender().send(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)));
  }
}
