package io.upbot.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A stand-in for the ingest endpoint in the load tools' tests: a local HTTP server that answers
 * each report with the JSON its {@link Answer} gives for the request's body.
 */
final class FakeEndpoint implements AutoCloseable {

  /** What the endpoint answers to one report. */
  @FunctionalInterface
  interface Answer {
    String to(HttpExchange exchange, byte[] body) throws IOException;
  }

  static final String ACCEPTED = "{\"ret\":0,\"msg\":\"\"}";

  private final HttpServer server;
  private final ExecutorService threads;

  private FakeEndpoint(HttpServer server, ExecutorService threads) {
    this.server = server;
    this.threads = threads;
  }

  /** Answers one request at a time. */
  static FakeEndpoint start(Answer answer) throws IOException {
    return start(1, answer);
  }

  /** Answers up to {@code concurrent} requests at once, each on its own thread. */
  static FakeEndpoint start(int concurrent, Answer answer) throws IOException {
    // A backlog of 0 is the system's default; more concurrent requests need at least as many.
    HttpServer server =
        HttpServer.create(new InetSocketAddress("127.0.0.1", 0), concurrent > 1 ? concurrent : 0);
    ExecutorService threads = concurrent > 1 ? Executors.newFixedThreadPool(concurrent) : null;
    server.setExecutor(threads);
    server.createContext(
        "/upbot/api/ReportMediaEvent",
        exchange -> {
          byte[] reply =
              answer
                  .to(exchange, exchange.getRequestBody().readAllBytes())
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, reply.length);
          exchange.getResponseBody().write(reply);
          exchange.close();
        });
    server.start();
    return new FakeEndpoint(server, threads);
  }

  URI url() {
    return URI.create(
        "http://127.0.0.1:" + server.getAddress().getPort() + "/upbot/api/ReportMediaEvent");
  }

  @Override
  public void close() {
    server.stop(0);
    if (threads != null) {
      threads.shutdownNow();
    }
  }
}
