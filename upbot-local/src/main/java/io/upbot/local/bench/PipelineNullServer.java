package io.upbot.local.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP server that reads each body and answers {@code {"ret":0}} without looking at it: the load
 * generator's own ceiling is what it reaches against this server, on the same machine.
 */
final class PipelineNullServer implements AutoCloseable {
  private static final byte[] ACCEPTED = "{\"ret\":0}".getBytes(StandardCharsets.UTF_8);

  private final HttpServer server;
  private final ExecutorService workers;

  private PipelineNullServer(HttpServer server, ExecutorService workers) {
    this.server = server;
    this.workers = workers;
  }

  /** Starts on a free port of 127.0.0.1. */
  static PipelineNullServer start() throws IOException {
    // Without TCP_NODELAY the JDK server's body write waits for the client's delayed ACK of the
    // headers (40 ms a request): the ceiling would be the server's, not the generator's.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
    ExecutorService workers = Executors.newFixedThreadPool(4);
    server.setExecutor(workers);
    server.createContext(
        "/",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
          }
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, ACCEPTED.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(ACCEPTED);
          }
        });
    server.start();
    return new PipelineNullServer(server, workers);
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/null");
  }

  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
  }
}
