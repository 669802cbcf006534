package io.upbot.wecom;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WeCom receiver, wired: the callback URL, {@code /healthz} and {@code /metrics} on one
 * Undertow server, the Kafka outbox and the resolver that turns stored callbacks into join records.
 */
public final class WeComReceiver implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WeComReceiver.class);

  /** 200 while the resolver runs, 503 once it stopped: for liveness probes and health checks. */
  public static final String HEALTH_PATH = "/healthz";

  /** Prometheus text. */
  public static final String METRICS_PATH = "/metrics";

  private final Undertow undertow;
  private final CallbackStore store;
  private final JoinResolver resolver;
  private final WeComMetrics metrics;

  private WeComReceiver(
      Undertow undertow, CallbackStore store, JoinResolver resolver, WeComMetrics metrics) {
    this.undertow = undertow;
    this.store = store;
    this.resolver = resolver;
    this.metrics = metrics;
  }

  /** Starts everything from the configuration. */
  public static WeComReceiver start(WeComConfig c) {
    LongSupplier clock = System::currentTimeMillis;
    WeComMetrics metrics = new WeComMetrics();
    KafkaCallbackStore store =
        new KafkaCallbackStore(c.bootstrapServers(), c.callbacksTopic(), c.storeTimeout());
    Deduplicator dedup = new Deduplicator(c.dedupWindow(), 1_000_000, clock);
    dedup.remember(store.recentKeys(c.dedupWindow(), clock.getAsLong()));
    WeComApi api =
        new WeComApi(
            new WeComApi.Settings(
                c.apiUrl(),
                c.corpId(),
                c.secret(),
                c.apiTimeout(),
                c.apiAttempts(),
                c.retryBackoff(),
                c.retryBackoffMax()),
            metrics);
    JoinResolver resolver =
        new JoinResolver(
                new JoinResolver.Settings(
                    c.bootstrapServers(),
                    c.callbacksTopic(),
                    c.topic(),
                    c.deadLetterTopic(),
                    c.groupId(),
                    c.transactionalId(),
                    c.retryBackoff(),
                    c.retryBackoffMax(),
                    c.missingMemberGrace()),
                api,
                new JoinRecords(c.appid(), c.stateToCode(), metrics),
                metrics,
                clock)
            .start();
    CallbackHandler callbacks =
        new CallbackHandler(
            new WeComCrypto(c.token(), c.aesKey(), c.corpId()),
            c.corpId(),
            store,
            dedup,
            metrics,
            c.maxAge(),
            c.storeTimeout(),
            clock);
    HttpHandler root = ex -> route(ex, c.path(), callbacks, resolver, metrics, clock);
    Undertow undertow =
        Undertow.builder().addHttpListener(c.port(), c.host()).setHandler(root).build();
    try {
      undertow.start();
    } catch (RuntimeException e) {
      resolver.close();
      store.close();
      throw e;
    }
    return new WeComReceiver(undertow, store, resolver, metrics);
  }

  private static void route(
      HttpServerExchange ex,
      String path,
      CallbackHandler callbacks,
      JoinResolver resolver,
      WeComMetrics metrics,
      LongSupplier clock)
      throws Exception {
    String p = ex.getRequestPath();
    if (p.equals(path)) {
      callbacks.handleRequest(ex);
    } else if (p.equals(HEALTH_PATH)) {
      // A dead resolver leaves callbacks piling up in the outbox: let the orchestrator restart us.
      if (resolver.isRunning()) {
        text(ex, 200, "{\"status\":\"serving\"}", "application/json");
      } else {
        text(ex, 503, "{\"status\":\"resolver stopped\"}", "application/json");
      }
    } else if (p.equals(METRICS_PATH)) {
      text(ex, 200, metrics.render(clock.getAsLong()), "text/plain; version=0.0.4");
    } else {
      metrics.callback("not_found");
      text(ex, 404, "not found", "text/plain; charset=utf-8");
    }
  }

  private static void text(HttpServerExchange ex, int status, String body, String type) {
    ex.setStatusCode(status);
    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
    ex.getResponseSender().send(body, StandardCharsets.UTF_8);
  }

  /** The port listened on (useful with port 0). */
  public int port() {
    return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
  }

  public WeComMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    undertow.stop();
    resolver.close();
    store.close();
    LOG.info("Stopped");
  }
}
