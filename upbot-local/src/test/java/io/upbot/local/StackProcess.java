package io.upbot.local;

import static org.awaitility.Awaitility.await;

import io.upbot.localkafka.KafkaBrokerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./upbot local} as its own process, run the way the {@code upbot} script runs it (the built
 * {@code target/upbot-local.jar} with {@code target/lib}), in a session of its own so that one
 * signal to its process group reaches the whole JVM. Its broker runs in yet another session (see
 * {@link KafkaBrokerProcess}), found through the pid file in the data dir.
 */
final class StackProcess implements AutoCloseable {

  private static final Pattern TOKEN = Pattern.compile("(?m)^token\\s+(\\S+)");

  private final Path dataDir;
  private final List<String> command;
  private Process process;
  private Path log;
  private int starts;

  StackProcess(Path dataDir, int port, int kafkaPort, int uiPort, String... extra) {
    this.dataDir = dataDir.toAbsolutePath();
    Path target = Path.of("target").toAbsolutePath();
    if (!Files.isRegularFile(target.resolve("upbot-local.jar"))
        || !Files.isDirectory(target.resolve("lib"))) {
      throw new IllegalStateException(
          "build upbot-local first (mvn -pl upbot-local -am package): no "
              + target.resolve("upbot-local.jar")
              + " or "
              + target.resolve("lib"));
    }
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "/usr/bin/setsid",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g",
                "-D"
                    + KafkaBrokerProcess.LIBS_PROPERTY
                    + "="
                    + KafkaBrokerProcess.libsFromSystemProperty(),
                "-cp",
                target.resolve("upbot-local.jar") + ":" + target.resolve("lib") + "/*",
                "io.upbot.local.UpbotCli",
                "local",
                "--port",
                Integer.toString(port),
                "--kafka-port",
                Integer.toString(kafkaPort),
                "--web-port",
                Integer.toString(uiPort),
                "--data-dir",
                this.dataDir.toString()));
    cmd.addAll(List.of(extra));
    this.command = List.copyOf(cmd);
  }

  /** Starts the stack (again) on the same data dir; returns at once. */
  void start() {
    try {
      log = dataDir.getParent().resolve("stack-" + (++starts) + ".log");
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  /**
   * Waits for the {@code upbot ready} line; fails early with the output if the process dies.
   * Returns when each component's line appeared, in seconds since {@code since} (a {@link
   * System#nanoTime()}).
   */
  Map<String, Double> awaitReady(Duration atMost, long since) {
    Map<String, Double> seen = new LinkedHashMap<>();
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new IllegalStateException(
                    "./upbot local exited with " + process.exitValue() + ":\n" + output());
              }
              String out = output();
              for (String line : List.of("kafka", "ingest", "flink ui", "upbot ready")) {
                if (out.startsWith(line) || out.contains("\n" + line)) {
                  seen.putIfAbsent(line, Math.round((System.nanoTime() - since) / 1e8) / 10.0);
                }
              }
              return seen.containsKey("upbot ready");
            });
    return seen;
  }

  /** The generated local token, from the stack's output. */
  String token() {
    Matcher m = TOKEN.matcher(output());
    if (!m.find()) {
      throw new IllegalStateException("no token line in the output:\n" + output());
    }
    return m.group(1);
  }

  String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** The broker's pid, from the pid file its owner writes. */
  Optional<Long> brokerPid() {
    try {
      return Optional.of(
          Long.parseLong(
              Files.readString(dataDir.resolve("kafka/broker.pid"), StandardCharsets.UTF_8)
                  .trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * SIGKILL to the stack's process group and to its broker at the same instant, as a power cut or
   * the OOM killer would end them: nothing gets to flush, stop or clean up.
   */
  void killAll() {
    List<String> kill = new ArrayList<>(List.of("kill", "-KILL", "--", "-" + process.pid()));
    brokerPid().ifPresent(pid -> kill.add(Long.toString(pid)));
    try {
      Process k = new ProcessBuilder(kill).redirectErrorStream(true).start();
      k.waitFor(10, TimeUnit.SECONDS);
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Every process still running whose command line names this data dir (the stack, its broker). */
  List<ProcessHandle> leftovers() {
    String dir = dataDir.toString();
    return ProcessHandle.allProcesses()
        .filter(ProcessHandle::isAlive)
        .filter(h -> h.info().commandLine().map(c -> c.contains(dir)).orElse(false))
        .toList();
  }

  /** Ctrl-C: SIGTERM, the stack stops cleanly (savepoint, broker last); SIGKILL if it hangs. */
  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
          killAll();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        killAll();
      }
    }
    // Whatever a failed test left behind must not outlive it.
    leftovers().forEach(ProcessHandle::destroyForcibly);
  }
}
