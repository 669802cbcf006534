package io.upbot.local.bench;

import io.upbot.localkafka.KafkaBrokerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The ingest endpoint in a JVM of its own, as production runs it: {@code IngestMain} with the JVM
 * options the project recommends ({@value #JVM_OPTIONS_RESOURCE}, the file the image and {@code
 * ./upbot ingest} pass to {@code java}), so the load generator's garbage never pauses it. Closing
 * it sends SIGTERM (the endpoint drains) and waits for the exit; a shutdown hook kills it if the
 * bench's JVM ends first.
 */
final class EndpointProcess implements AutoCloseable {
  /** The endpoint's production JVM options, an argument file for {@code java @file}. */
  static final String JVM_OPTIONS_RESOURCE = "/io/upbot/ingest/jvm.options";

  static final String MAIN_CLASS = "io.upbot.ingest.IngestMain";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final int port;
  private final Path log;
  private final Thread reaper;

  private EndpointProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.reaper = new Thread(process::destroyForcibly, "upbot-bench-endpoint-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /** The recommended options, read from the endpoint's own jar. */
  static List<String> recommendedJvmOptions() {
    try (InputStream in = EndpointProcess.class.getResourceAsStream(JVM_OPTIONS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(JVM_OPTIONS_RESOURCE + " is not on the class path");
      }
      return parseJvmOptions(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The options of an argument file: whitespace-separated, {@code #} starts a comment. */
  static List<String> parseJvmOptions(String text) {
    List<String> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      int hash = line.indexOf('#');
      String kept = hash < 0 ? line : line.substring(0, hash);
      Arrays.stream(kept.trim().split("\\s+")).filter(s -> !s.isEmpty()).forEach(out::add);
    }
    return out;
  }

  /**
   * Starts {@code IngestMain} with {@code jvmOptions} and {@code flags} (plus a free {@code
   * --port}), this JVM's class path, its output in {@code log}, and no {@code UPBOT_*} variables:
   * the flags alone configure it, as they configure the bench's producer ceiling.
   */
  static EndpointProcess start(List<String> jvmOptions, List<String> flags, Path log)
      throws IOException {
    int port = KafkaBrokerProcess.freePort();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), MAIN_CLASS));
    cmd.addAll(flags);
    cmd.addAll(List.of("--port", String.valueOf(port)));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("UPBOT_"));
    return new EndpointProcess(pb.start(), port, log);
  }

  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", port);
  }

  long pid() {
    return process.pid();
  }

  /** The endpoint JVM's CPU time so far (all its threads: the server, the producer, the GC). */
  Duration cpu() {
    return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /** Waits until {@code /readyz} answers 200 (the producer knows the topic). */
  void awaitReady() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest ready =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
            .timeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            "the endpoint exited with " + process.exitValue() + " before it was ready:\n" + tail());
      }
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // Still starting.
      }
      Thread.sleep(100);
    }
    throw new IOException("the endpoint was not ready within " + READY_TIMEOUT + ":\n" + tail());
  }

  /** The last lines of the endpoint's output, to say why it failed. */
  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  /** SIGTERM, then the exit awaited; killed if it has not drained in time. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException shuttingDown) {
      // The hook runs anyway; the process is gone.
    }
  }
}
