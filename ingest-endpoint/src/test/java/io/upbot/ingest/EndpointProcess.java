package io.upbot.ingest;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The shaded jar run as a launcher runs it ({@code java -jar}), on a free port, its output in a
 * file.
 */
final class EndpointProcess implements AutoCloseable {
  static final Path JAR = Path.of("target", "upbot-ingest.jar");
  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  final Process process;
  final URI base;
  final Path log;

  private EndpointProcess(Process process, URI base, Path log) {
    this.process = process;
    this.base = base;
    this.log = log;
  }

  /**
   * Starts the jar with these flags (plus host and a free port) and waits until /readyz answers
   * 200.
   */
  static EndpointProcess start(Path log, String... flags) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx256m",
                "-jar",
                JAR.toString(),
                "--port",
                String.valueOf(port),
                "--host",
                "127.0.0.1"));
    command.addAll(List.of(flags));
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    EndpointProcess ep = new EndpointProcess(p, URI.create("http://127.0.0.1:" + port), log);
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> ep.status("/readyz") == 200);
    } catch (RuntimeException e) {
      p.destroyForcibly();
      throw e;
    }
    return ep;
  }

  int status(String path) throws IOException, InterruptedException {
    return HTTP.send(
            HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5)).GET().build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** A gauge of {@code /metrics} (the first sample of that name). */
  long gauge(String name) throws IOException, InterruptedException {
    String body =
        HTTP.send(
                HttpRequest.newBuilder(base.resolve("/metrics"))
                    .timeout(Duration.ofSeconds(5))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    for (String line : body.split("\n")) {
      if (line.startsWith(name + " ")) {
        return (long) Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    throw new AssertionError("no " + name + " in /metrics:\n" + body);
  }

  String output() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
