package io.upbot.localkafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A single-node Kafka broker in KRaft mode (broker and controller in one process), run in its own
 * JVM.
 *
 * <p>Its own JVM keeps Scala and the broker's newer kafka-clients off the caller's classpath, and
 * lets a test stop and restart the broker like a real outage. The log directory survives restarts;
 * the storage is formatted once, on first start. This class needs only the JDK; the broker
 * classpath is a folder of jars (local-kafka's {@code target/kafka-libs}).
 */
public final class KafkaBrokerProcess implements AutoCloseable {

  /** System property naming the folder of broker jars. */
  public static final String LIBS_PROPERTY = "upbot.kafka.libs";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Path SETSID = Path.of("/usr/bin/setsid");

  private final Path libs;
  private final Path dataDir;
  private final int port;
  private final int controllerPort;
  private final String heap;
  private final String clusterId;
  private final Jvm jvm;
  private Process process;
  private final Thread shutdownHook;

  private KafkaBrokerProcess(
      Path libs,
      Path dataDir,
      int port,
      int controllerPort,
      String heap,
      String clusterId,
      Jvm jvm) {
    this.libs = libs;
    this.dataDir = dataDir;
    this.port = port;
    this.controllerPort = controllerPort;
    this.heap = heap;
    this.clusterId = clusterId;
    this.jvm = jvm;
    // A JVM that dies without closing us must not leave a broker behind holding ports.
    this.shutdownHook = new Thread(this::destroyForcibly, "kafka-broker-reaper");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Formats (first time only) and starts a broker, waiting until it accepts connections.
   *
   * @param libs folder of broker jars
   * @param dataDir where the broker keeps its log and its config; created if missing
   * @param port the client listener port, or 0 for a free one
   * @param controllerPort the KRaft controller port, or 0 for a free one
   */
  public static KafkaBrokerProcess start(Path libs, Path dataDir, int port, int controllerPort)
      throws IOException {
    return start(libs, dataDir, port, controllerPort, "512m");
  }

  /**
   * As {@link #start(Path, Path, int, int)}, with the broker JVM's maximum heap (e.g. {@code
   * 512m}).
   */
  public static KafkaBrokerProcess start(
      Path libs, Path dataDir, int port, int controllerPort, String heap) throws IOException {
    return start(libs, dataDir, port, controllerPort, heap, clusterId(), Jvm.QUICK_START);
  }

  /** As {@link #start(Path, Path, int, int, String)}, with the broker JVM's kind. */
  public static KafkaBrokerProcess start(
      Path libs, Path dataDir, int port, int controllerPort, String heap, Jvm jvm)
      throws IOException {
    return start(libs, dataDir, port, controllerPort, heap, clusterId(), jvm);
  }

  /** How the broker's JVM is tuned. */
  public enum Jvm {
    /**
     * For tests: the client compiler only and the serial collector start fastest and take the least
     * CPU on a small shared machine, at the price of slower serving and collections of 5–15 ms that
     * show in latency tails.
     */
    QUICK_START("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
    /**
     * For the local mode and the benchmarks: Kafka's own JVM options (kafka-run-class.sh's {@code
     * KAFKA_JVM_PERFORMANCE_OPTS}): both compilers and G1 with a 20 ms pause goal, plus a heap in
     * transparent huge pages. Measured with {@code ./upbot bench ingest}, the endpoint's p99 at
     * half rate fell from 75–198 ms to 6–10 ms against QUICK_START in alternating runs on a loaded
     * 2-core machine.
     */
    SERVING(
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-XX:InitiatingHeapOccupancyPercent=35",
        "-XX:+ExplicitGCInvokesConcurrent",
        // The heap in transparent huge pages (asked for with madvise): on the 2-core benchmark VM
        // the broker took about 30 % less CPU per record (full bench runs), and the kernel's memory
        // monitor (kdamond) half as long in its bursts, which stalled everything
        // (docs/performance.md).
        "-XX:+UseTransparentHugePages");

    private final List<String> options;

    Jvm(String... options) {
      this.options = List.of(options);
    }
  }

  /**
   * As {@link #start(Path, Path, int, int, String)}, formatting a new data dir with {@code
   * clusterId}.
   */
  static KafkaBrokerProcess start(
      Path libs, Path dataDir, int port, int controllerPort, String heap, String clusterId)
      throws IOException {
    return start(libs, dataDir, port, controllerPort, heap, clusterId, Jvm.QUICK_START);
  }

  private static KafkaBrokerProcess start(
      Path libs, Path dataDir, int port, int controllerPort, String heap, String clusterId, Jvm jvm)
      throws IOException {
    Objects.requireNonNull(libs, "libs");
    if (!Files.isDirectory(libs)) {
      throw new IOException(
          "no Kafka broker classpath at "
              + libs
              + " (build local-kafka first: mvn -pl local-kafka package)");
    }
    KafkaBrokerProcess broker =
        new KafkaBrokerProcess(
            libs.toAbsolutePath(),
            dataDir.toAbsolutePath(),
            port == 0 ? freePort() : port,
            controllerPort == 0 ? freePort() : controllerPort,
            heap,
            clusterId,
            jvm);
    broker.start();
    return broker;
  }

  /** The folder of broker jars named by the {@value #LIBS_PROPERTY} system property. */
  public static Path libsFromSystemProperty() {
    String p = System.getProperty(LIBS_PROPERTY);
    if (p == null || p.isBlank()) {
      throw new IllegalStateException("system property " + LIBS_PROPERTY + " is not set");
    }
    return Path.of(p);
  }

  /** {@code host:port} for Kafka clients. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public int controllerPort() {
    return controllerPort;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** The broker's own log (stdout and stderr of its JVM). */
  public Path logFile() {
    return dataDir.resolve("broker.log");
  }

  /** The broker process's id (tests read its command line). */
  synchronized long pid() {
    return process.pid();
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /**
   * Starts the broker again after {@link #stop()} or {@link #kill()}, on the same ports and data.
   */
  public synchronized void start() throws IOException {
    if (isRunning()) {
      return;
    }
    Files.createDirectories(dataDir.resolve("log"));
    killStaleBroker();
    Path config = writeConfig();
    if (!Files.exists(dataDir.resolve("log").resolve("meta.properties"))) {
      format(config);
    }
    List<String> cmd = javaCommand("kafka.Kafka");
    cmd.add(config.toString());
    if (Files.isExecutable(SETSID)) {
      // Its own session: a Ctrl-C in the terminal reaches only the owner, which stops the broker
      // last,
      // after the job and the endpoint are done with it.
      cmd.add(0, SETSID.toString());
    }
    process =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
            .start();
    Files.writeString(pidFile(), Long.toString(process.pid()), StandardCharsets.UTF_8);
    awaitListening();
  }

  /**
   * Stops a broker left running on this data dir by an owner that was killed (it would hold the
   * ports and the log). Only a process whose command line names this data dir's config is touched.
   */
  private void killStaleBroker() throws IOException {
    Path pid = pidFile();
    if (!Files.exists(pid)) {
      return;
    }
    String config = dataDir.resolve("server.properties").toString();
    try {
      long id = Long.parseLong(Files.readString(pid, StandardCharsets.UTF_8).trim());
      ProcessHandle.of(id)
          .filter(ProcessHandle::isAlive)
          .filter(h -> h.info().commandLine().map(c -> c.contains(config)).orElse(false))
          .ifPresent(
              h -> {
                h.destroy();
                h.onExit().orTimeout(60, TimeUnit.SECONDS).exceptionally(t -> null).join();
                if (h.isAlive()) {
                  h.destroyForcibly();
                }
              });
    } catch (NumberFormatException unreadable) {
      // Not ours to interpret: leave whatever it names alone.
    }
    Files.deleteIfExists(pid);
  }

  private Path pidFile() {
    return dataDir.resolve("broker.pid");
  }

  /** Stops the broker gracefully (SIGTERM) and waits for it to exit. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    process = null;
    deletePidFile();
  }

  /** Kills the broker at once (SIGKILL), as a crash would. */
  public synchronized void kill() {
    destroyForcibly();
    process = null;
    deletePidFile();
  }

  private void deletePidFile() {
    try {
      Files.deleteIfExists(pidFile());
    } catch (IOException ignored) {
      // A leftover pid file is checked against the process's command line before it is acted on.
    }
  }

  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // The hook is running or will run; nothing left to do.
    }
  }

  private synchronized void destroyForcibly() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private Path writeConfig() throws IOException {
    Path config = dataDir.resolve("server.properties");
    String props =
        String.join(
            "\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
            "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs=" + dataDir.resolve("log"),
            "num.partitions=1",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=4",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "auto.create.topics.enable=false",
            // Durable means fsynced by the OS at its pace, as on a real single-node broker.
            "log.flush.interval.messages=9223372036854775807",
            "");
    Files.writeString(config, props, StandardCharsets.UTF_8);
    Path log4j = dataDir.resolve("log4j2.properties");
    Files.writeString(
        log4j,
        String.join(
            "\n",
            "rootLogger.level=WARN",
            "rootLogger.appenderRef.out.ref=out",
            "appender.out.type=Console",
            "appender.out.name=out",
            "appender.out.layout.type=PatternLayout",
            "appender.out.layout.pattern=[%d] %p %m (%c)%n",
            "logger.server.name=kafka.server.KafkaRaftServer",
            "logger.server.level=INFO",
            ""),
        StandardCharsets.UTF_8);
    return config;
  }

  /**
   * Formats the storage. The id is passed as {@code --cluster-id=<id>}: a separate argument
   * starting with {@code -} would be read as an option and the format would fail.
   */
  private void format(Path config) throws IOException {
    List<String> cmd = javaCommand("kafka.tools.StorageTool");
    cmd.addAll(
        List.of("format", "--ignore-formatted", "--cluster-id=" + clusterId, "--config=" + config));
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
            .start();
    try {
      if (!p.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("formatting Kafka storage timed out; see " + logFile());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted while formatting Kafka storage", e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(
          "formatting Kafka storage failed (exit "
              + p.exitValue()
              + "); the end of "
              + logFile()
              + ":\n"
              + tail(logFile(), 20));
    }
  }

  /**
   * A KRaft cluster id as Kafka's {@code Uuid.randomUuid()} makes one: 16 random bytes, URL-safe
   * base64 without padding, drawn again while it starts with {@code -} (1 in 64 would), because
   * Kafka's own tools take such an id for an option. Kafka's class is not used: this class needs
   * only the JDK.
   */
  static String clusterId() {
    while (true) {
      UUID u = UUID.randomUUID();
      ByteBuffer b = ByteBuffer.allocate(16);
      b.putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
      String id = Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
      if (!id.startsWith("-")) {
        return id;
      }
    }
  }

  private List<String> javaCommand(String mainClass) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + heap);
    cmd.addAll(jvm.options);
    cmd.add("-Djava.awt.headless=true");
    // Extra options for a diagnosis (a flight recording, a GC log), after ours so they win.
    String extra = System.getenv("UPBOT_KAFKA_JAVA_OPTS");
    if (extra != null && !extra.isBlank()) {
      cmd.addAll(List.of(extra.trim().split("\\s+")));
    }
    cmd.add("-Dlog4j2.configurationFile=" + dataDir.resolve("log4j2.properties"));
    cmd.add("-cp");
    cmd.add(libs + "/*");
    cmd.add(mainClass);
    return cmd;
  }

  private void awaitListening() throws IOException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            "Kafka broker exited with "
                + process.exitValue()
                + " while starting; the end of "
                + logFile()
                + ":\n"
                + tail(logFile(), 20));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        sleep(100);
      }
    }
    destroyForcibly();
    throw new IOException(
        "Kafka broker did not listen on " + port + " in " + START_TIMEOUT + "; see " + logFile());
  }

  /** The last lines of a log, so a failure explains itself even after its folder is gone. */
  private static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** A port that was free a moment ago on 127.0.0.1. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
