package io.upbot.local;

import io.upbot.ingest.IngestConfig;
import io.upbot.ingest.IngestServer;
import io.upbot.job.JobSettings;
import io.upbot.job.StartFrom;
import io.upbot.job.recovery.LatestCheckpoint;
import io.upbot.localkafka.KafkaBrokerProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./upbot local}: the whole pipeline on one machine. A KRaft broker in its own JVM (its log
 * in the data dir), the topic, the ingest endpoint, and the analytics job on an embedded Flink
 * cluster with its web UI, writing to SQLite in the data dir unless another JDBC URL is given.
 *
 * <p>Restarts keep everything: the broker's log, the token, the database, and the job's state,
 * which is restored from the savepoint taken at a clean stop or else from the last retained
 * checkpoint, so no event is lost or counted twice across restarts.
 */
public final class LocalStack implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

  /**
   * How often {@code ./upbot local} checkpoints unless told otherwise. The job's state is on the
   * heap, and each checkpoint writes all of it (a journey's state lives a day): every 5 s, writing
   * it was the largest single CPU cost of an event on a 2-core machine ({@code ./upbot bench
   * pipeline}, by thread), taking the CPU the endpoint and the broker needed. A crash replays at
   * most this much of the topic; the totals stay exact either way, and a clean stop takes a
   * savepoint.
   */
  public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(30);

  /**
   * How long a changed row waits before it is written, locally: the job's default of 1 s put about
   * 0.5 s (the wait for the next flush tick) into every event's time from its answer to its row;
   * half of it halved the median and the p99 of that time under load ({@code ./upbot bench
   * pipeline}), for a few more small SQLite writes a second.
   */
  public static final Duration LOCAL_FLUSH_INTERVAL = Duration.ofMillis(500);

  /** The appid of the demo's journeys and of the local WeCom receiver's join records. */
  public static final String DEMO_APPID = "wx-demo-app";

  /** The Flink web UI's port when none is asked for (and it is free). */
  public static final int DEFAULT_WEB_PORT = 8081;

  /**
   * What {@code ./upbot local} was asked for. Port 0 picks a free port. With {@code
   * webPortFallback}, a web UI port that is taken is replaced by a free one (the default 8081 may
   * well be in use); without it, a taken port fails the start. {@code jobTuning} changes the job's
   * settings (e.g. a shorter session gap for a soak). {@code wecom} also starts WeCom on this
   * machine ({@link LocalWeCom}: a mock WeCom and the real receiver) and runs the job with {@code
   * --joins-from wecom}; with {@code demo}, the demo's joins then come from WeCom.
   */
  public record Options(
      int port,
      int kafkaPort,
      int webPort,
      Path dataDir,
      String jdbcUrl,
      String jdbcUser,
      String jdbcPassword,
      Path tokens,
      boolean demo,
      String topic,
      Duration checkpointInterval,
      boolean webPortFallback,
      UnaryOperator<JobSettings> jobTuning,
      boolean wecom) {

    /** Options with a fixed web UI port and the job's default flags. */
    public Options(
        int port,
        int kafkaPort,
        int webPort,
        Path dataDir,
        String jdbcUrl,
        String jdbcUser,
        String jdbcPassword,
        Path tokens,
        boolean demo,
        String topic,
        Duration checkpointInterval) {
      this(
          port,
          kafkaPort,
          webPort,
          dataDir,
          jdbcUrl,
          jdbcUser,
          jdbcPassword,
          tokens,
          demo,
          topic,
          checkpointInterval,
          false,
          UnaryOperator.identity(),
          false);
    }

    /** These options with a web UI port that falls back to a free one when taken. */
    public Options withWebPortFallback(int preferred) {
      return with(preferred, true, jobTuning, wecom);
    }

    /** These options with the job's settings changed by {@code tuning}. */
    public Options withJobTuning(UnaryOperator<JobSettings> tuning) {
      return with(webPort, webPortFallback, tuning, wecom);
    }

    /**
     * These options with WeCom on this machine: a mock WeCom and the receiver, and the job counting
     * only WeCom's joins as stage 3.
     */
    public Options withWeCom() {
      return with(webPort, webPortFallback, jobTuning, true);
    }

    /** A copy with other web UI and job choices; the ports, data and topic stay. */
    private Options with(
        int newWebPort,
        boolean newWebPortFallback,
        UnaryOperator<JobSettings> newJobTuning,
        boolean newWecom) {
      return new Options(
          port,
          kafkaPort,
          newWebPort,
          dataDir,
          jdbcUrl,
          jdbcUser,
          jdbcPassword,
          tokens,
          demo,
          topic,
          checkpointInterval,
          newWebPortFallback,
          newJobTuning,
          newWecom);
    }

    /** The job's settings from {@code base}: this tuning, and WeCom's joins only with WeCom. */
    JobSettings tune(JobSettings base) {
      JobSettings s = jobTuning.apply(base);
      return wecom ? LocalJob.withWeComJoinsOnly(s) : s;
    }

    /** The JDBC URL actually used: the given one, or SQLite in the data dir. */
    public String effectiveJdbcUrl() {
      return jdbcUrl != null
          ? jdbcUrl
          : "jdbc:sqlite:" + dataDir.resolve("upbot.db").toAbsolutePath();
    }
  }

  private final Options options;
  private final PrintStream out;
  private FileChannel lockChannel;
  private FileLock lock;
  private KafkaBrokerProcess broker;
  private IngestServer ingest;
  private JobClient job;
  private DemoGenerator demo;
  private LocalWeCom wecom;
  private io.upbot.console.ConsoleServer console;
  private String token;
  private int webPort;
  private JobSettings jobSettings;
  private Path restoredFrom;
  private boolean closed;

  private LocalStack(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /** Starts every component, printing a line per component, then {@code upbot ready}. */
  public static LocalStack start(Options o, PrintStream out) throws Exception {
    LocalStack s = new LocalStack(o, out);
    try {
      s.startBrokerAndEndpoint();
      s.startJobAndAnnounce();
      return s;
    } catch (Exception e) {
      s.close();
      throw e;
    }
  }

  /**
   * Starts the broker and the endpoint only; {@link #startJob()} starts the job later. A benchmark
   * measures the endpoint alone this way, on the very broker and endpoint the pipeline then uses.
   */
  public static LocalStack startWithoutJob(Options o, PrintStream out) throws Exception {
    LocalStack s = new LocalStack(o, out);
    try {
      s.startBrokerAndEndpoint();
      return s;
    } catch (Exception e) {
      s.close();
      throw e;
    }
  }

  /**
   * Starts the job of a stack started by {@link #startWithoutJob}, then says {@code upbot ready}.
   */
  public synchronized void startJob() throws Exception {
    if (job != null || closed) {
      throw new IllegalStateException("the job is already started, or the stack is closed");
    }
    startJobAndAnnounce();
  }

  private void startBrokerAndEndpoint() throws Exception {
    Path data = options.dataDir().toAbsolutePath();
    Files.createDirectories(data);
    lockDataDir(data);

    Path kafkaDir = data.resolve("kafka");
    broker =
        KafkaBrokerProcess.start(
            KafkaBrokerProcess.libsFromSystemProperty(),
            kafkaDir,
            options.kafkaPort(),
            stableControllerPort(kafkaDir),
            "512m",
            KafkaBrokerProcess.Jvm.SERVING);
    ensureTopic(broker.bootstrapServers(), options.topic(), 3);
    out.printf("kafka      %s  (log: %s)%n", broker.bootstrapServers(), kafkaDir.resolve("log"));

    Path tokenFile = options.tokens();
    if (tokenFile == null) {
      tokenFile = data.resolve("tokens.json");
      token = LocalTokens.ensure(tokenFile);
    }
    try {
      ingest = startIngest(tokenFile);
    } catch (RuntimeException e) {
      throw new IOException(
          "cannot start the ingest endpoint on 127.0.0.1:"
              + options.port()
              + " (use --port to pick another)",
          e);
    }
    out.printf("ingest     %s%n", apiUrl());
    if (options.wecom()) {
      startWeCom();
    }
  }

  /**
   * The mock WeCom and the receiver, their outbox topics first (the receiver does not make them).
   */
  private void startWeCom() throws Exception {
    ensureTopic(broker.bootstrapServers(), LocalWeCom.CALLBACKS_TOPIC, 1);
    ensureTopic(broker.bootstrapServers(), LocalWeCom.DEAD_LETTER_TOPIC, 1);
    wecom = LocalWeCom.start(broker.bootstrapServers(), options.topic(), DEMO_APPID);
    out.printf(
        "wecom      %s  (the WeCom receiver, joins of appid %s; docs/wecom.md)%n",
        wecom.callbackUrl(), DEMO_APPID);
    out.printf(
        "mock api   %s  (a stand-in for WeCom's API, corp %s; the job counts WeCom's joins only)%n",
        wecom.api().url(), LocalWeCom.CORP_ID);
  }

  private void startJobAndAnnounce() throws Exception {
    Path data = options.dataDir().toAbsolutePath();
    Path tokenFile = options.tokens() != null ? options.tokens() : data.resolve("tokens.json");
    try {
      startJob(data);
    } catch (RuntimeException e) {
      throw new IOException(
          "cannot start the analytics job (Flink web UI port "
              + webPort
              + " (use --ui-port to pick another), database "
              + options.effectiveJdbcUrl()
              + ")",
          e);
    }
    out.printf(
        "flink ui   http://127.0.0.1:%d%s%n",
        webPort,
        webPort != options.webPort() && options.webPort() != 0
            ? "  (" + options.webPort() + " was taken)"
            : "");
    out.printf("database   %s%n", options.effectiveJdbcUrl());
    console = startConsole(data);
    out.printf("console    %s  (./upbot console; token in %s)%n", console.loginUrl(), data);
    out.printf("state      %s%n", resumeLine(restoredFrom, data));
    out.println("upbot ready");
    if (token != null) {
      out.printf("token      %s  (for any appid; kept in %s)%n", token, tokenFile);
      out.println("try it     (the API document's example, with event_time set to now)");
      out.println("  " + exampleCurl());
    }
    if (options.demo()) {
      demo =
          new DemoGenerator(apiUrl(), requireToken(), DEMO_APPID, 5, System.nanoTime(), out, wecom)
              .start();
      out.println(
          wecom == null
              ? "demo       posting journeys of appid " + DEMO_APPID + "; watch code_funnel_hourly"
              : "demo       posting journeys of appid "
                  + DEMO_APPID
                  + " with unionids; their joins come from WeCom: watch code_funnel_hourly's"
                  + " joined and code_join_hourly");
    }
  }

  /** The read-only console over the job's database: port 8090, or a free one when taken. */
  private io.upbot.console.ConsoleServer startConsole(Path data) throws IOException {
    io.upbot.console.ConsoleSettings settings =
        new io.upbot.console.ConsoleSettings(
            options.effectiveJdbcUrl(),
            options.jdbcUser(),
            options.jdbcPassword(),
            "127.0.0.1",
            io.upbot.console.ConsoleSettings.DEFAULT_PORT,
            data,
            // The running job's zone; tuning is applied once per job, so a tuning function that
            // records what it returns (the pipeline bench's) sees the job's settings last.
            jobSettings.timeZone());
    io.upbot.console.ConsoleToken consoleToken = io.upbot.console.ConsoleToken.ensure(data);
    try {
      return io.upbot.console.ConsoleServer.start(settings, consoleToken);
    } catch (IllegalStateException taken) {
      // 8090 is in use (another stack, another program): any free port will do.
      return io.upbot.console.ConsoleServer.start(settings.withPort(0), consoleToken);
    }
  }

  private IngestServer startIngest(Path tokenFile) throws Exception {
    return IngestServer.start(
        IngestConfig.defaults(broker.bootstrapServers(), tokenFile)
            .withListen("127.0.0.1", options.port())
            .withTopic(options.topic()));
  }

  private void startJob(Path data) throws Exception {
    JobSettings settings =
        options.tune(
            LocalJob.withFlushInterval(
                JobSettings.defaults(broker.bootstrapServers())
                    .withSource(options.topic(), "upbot-local", StartFrom.EARLIEST)
                    .withJdbc(
                        options.effectiveJdbcUrl(), options.jdbcUser(), options.jdbcPassword())
                    .withRuntime(
                        1,
                        options.checkpointInterval(),
                        data.resolve("checkpoints").toUri().toString()),
                LOCAL_FLUSH_INTERVAL));
    jobSettings = settings;
    Optional<Path> restore =
        LatestCheckpoint.find(
            data.resolve("checkpoints").toString(), data.resolve("savepoints").toString());
    webPort = chooseWebPort(options.webPort(), options.webPortFallback());
    job = LocalJob.start(settings, webPort, restore.orElse(null));
    awaitRunning(job, Duration.ofSeconds(90));
    restoredFrom = restore.orElse(null);
    restore.ifPresent(p -> LOG.info("Job resumed from {}", p));
  }

  /**
   * The web UI port to bind: {@code requested}, or a free port when it is 0, or when it is taken
   * and {@code fallback} is set. A port taken without {@code fallback} is returned as is, so the
   * start fails and says which port.
   */
  static int chooseWebPort(int requested, boolean fallback) {
    if (requested == 0 || (fallback && !isFree(requested))) {
      return KafkaBrokerProcess.freePort();
    }
    return requested;
  }

  /** Whether nothing listens on {@code port}, on 127.0.0.1 or on every interface. */
  static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  /** The endpoint's URL. */
  public URI apiUrl() {
    return URI.create("http://127.0.0.1:" + ingest.port() + IngestServer.API_PATH);
  }

  /** The generated local token, or {@code null} when the user brought a token file. */
  public String token() {
    return token;
  }

  public String jdbcUrl() {
    return options.effectiveJdbcUrl();
  }

  public String kafkaBootstrap() {
    return broker.bootstrapServers();
  }

  public int webPort() {
    return webPort;
  }

  /** The broker this stack started, for tests that kill and restart it. */
  KafkaBrokerProcess broker() {
    return broker;
  }

  /** WeCom on this machine, when the options asked for it. */
  public Optional<LocalWeCom> weCom() {
    return Optional.ofNullable(wecom);
  }

  /** The running job, for tools that read its metrics or checkpoints. */
  JobClient job() {
    return job;
  }

  /**
   * Says what the job resumed from: the savepoint a clean stop took, the checkpoint a crash left
   * (both under the data dir), or nothing, a fresh start.
   */
  static String resumeLine(Path restoredFrom, Path dataDir) {
    if (restoredFrom == null) {
      return "fresh start (no savepoint or checkpoint under " + dataDir + ")";
    }
    String kind =
        restoredFrom.startsWith(dataDir.resolve("savepoints")) ? "savepoint" : "checkpoint";
    return "resumed from " + kind + " " + restoredFrom;
  }

  /** The savepoint or checkpoint the job resumed from, if any. */
  public Optional<Path> restoredFrom() {
    return Optional.ofNullable(restoredFrom);
  }

  private String requireToken() {
    if (token == null) {
      throw new IllegalStateException(
          "--demo with --tokens: the demo needs the generated local token");
    }
    return token;
  }

  /** A curl command posting the API document's example, with its event_time set to now. */
  String exampleCurl() {
    String body =
        "{\"head\":{\"account_info\":{\"account_type\":2,\"appid\":\"xxxx\",\"openid\":\"xxxx\"},"
            + "\"device_info\":{\"device_type\":1,\"uuid\":\"xxxx\"}},"
            + "\"items\":[{\"event_id\":\"1002\",\"event_time\":"
            + (System.currentTimeMillis() / 1000)
            + ",\"media_type\":2,\"code\":\"IsFXtWUZ3x3hywGl \","
            + "\"trace_id\":\"Fi6JoptoXX8EI3sttq3pcVGC2H1Nesy9\"}]}";
    return "curl -s -X POST '"
        + apiUrl()
        + "' -H 'Content-Type: application/json' -H 'Authorization: "
        + token
        + "' -d '"
        + body
        + "'";
  }

  /**
   * Stops in dependency order: the demo, WeCom, the endpoint (draining in-flight batches), the job
   * (with a savepoint, so the next start resumes exactly here), then the broker.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (console != null) {
      console.close();
    }
    if (demo != null) {
      demo.close();
    }
    if (wecom != null) {
      wecom.close();
    }
    if (ingest != null) {
      ingest.close();
    }
    if (job != null) {
      stopJob();
    }
    if (broker != null) {
      broker.close();
    }
    try {
      if (lock != null) {
        lock.release();
      }
      if (lockChannel != null) {
        lockChannel.close();
      }
    } catch (IOException ignored) {
      // The lock goes with the process anyway.
    }
  }

  private void stopJob() {
    Path savepoints = options.dataDir().toAbsolutePath().resolve("savepoints");
    try {
      // Never advance to the end of event time: that would fire every timer and end every session.
      String path =
          job.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
              .get(60, TimeUnit.SECONDS);
      LOG.info("Job stopped with savepoint {}", path);
      pruneOlderThan(Path.of(java.net.URI.create(path)));
    } catch (Exception e) {
      // The retained checkpoints still hold a consistent state; the next start resumes from the
      // latest.
      LOG.warn(
          "Savepoint at stop failed ({}); cancelling, the next start resumes from the last checkpoint",
          e.toString());
      try {
        job.cancel().get(30, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // Already gone.
      }
    }
  }

  /**
   * Deletes the savepoints and checkpoints older than {@code keep}: the next start resumes from the
   * newest one, so the rest only fill the disk.
   */
  private void pruneOlderThan(Path keep) {
    Path data = options.dataDir().toAbsolutePath();
    for (Path root : List.of(data.resolve("savepoints"), data.resolve("checkpoints"))) {
      try (var children = Files.list(root)) {
        for (Path child : children.toList()) {
          if (!keep.startsWith(child)) {
            deleteRecursively(child);
          }
        }
      } catch (IOException e) {
        LOG.warn("Could not prune old snapshots under {}: {}", root, e.toString());
      }
    }
  }

  /** Deletes {@code p} and everything under it. */
  public static void deleteRecursively(Path p) throws IOException {
    try (var walk = Files.walk(p)) {
      for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    }
  }

  private void lockDataDir(Path data) throws IOException {
    lockChannel =
        FileChannel.open(
            data.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    lock = lockChannel.tryLock();
    if (lock == null) {
      throw new IOException(
          "another ./upbot local is running on " + data + " (use another --data-dir or stop it)");
    }
  }

  /**
   * The controller port of the data dir's broker, chosen once and kept, so restarts find the
   * quorum.
   */
  private static int stableControllerPort(Path kafkaDir) throws IOException {
    Files.createDirectories(kafkaDir);
    Path f = kafkaDir.resolve("controller.port");
    if (Files.exists(f)) {
      return Integer.parseInt(Files.readString(f, StandardCharsets.UTF_8).trim());
    }
    int port = KafkaBrokerProcess.freePort();
    Files.writeString(f, Integer.toString(port), StandardCharsets.UTF_8);
    return port;
  }

  private static void ensureTopic(String bootstrap, String topic, int partitions) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    try (Admin admin = Admin.create(p)) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
          .all()
          .get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
  }

  private static void awaitRunning(JobClient job, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JobStatus s = job.getJobStatus().get(10, TimeUnit.SECONDS);
      if (s == JobStatus.RUNNING) {
        return;
      }
      if (s.isGloballyTerminalState()) {
        throw new IllegalStateException("the analytics job ended while starting: " + s);
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the analytics job did not start in " + timeout);
  }
}
