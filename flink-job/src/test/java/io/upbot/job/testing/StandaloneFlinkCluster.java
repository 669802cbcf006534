package io.upbot.job.testing;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A standalone Flink session cluster as {@code bin/start-cluster.sh} runs it: a JobManager ({@code
 * StandaloneSessionClusterEntrypoint}) and a TaskManager ({@code TaskManagerRunner}), each in its
 * own JVM, on a {@code lib/} of Flink's module jars, with their memory settings computed by {@code
 * BashJavaUtils} as {@code config.sh} does, free ports and their own folders. Closing it (or the
 * test JVM ending) stops both processes. Talks to the cluster through its REST API only.
 */
public final class StandaloneFlinkCluster implements AutoCloseable {

  /** What {@code BashJavaUtils} prefixes its results with (its {@code EXECUTION_PREFIX}). */
  private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

  /**
   * The module openings the distribution's {@code config.yaml} passes in {@code env.java.opts.all}
   * (Flink on Java 17 reflects into these packages).
   */
  private static final List<String> JAVA_OPTS =
      List.of(
          "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.text=ALL-UNNAMED",
          "--add-opens=java.base/java.time=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

  private static final ObjectMapper JSON = new ObjectMapper();

  /** An answer of the REST API: its status and JSON body. */
  public record Answer(int status, JsonNode body) {
    public boolean ok() {
      return status / 100 == 2;
    }
  }

  private final Path home;
  private final Path lib;
  private final int restPort;
  private final Map<String, Process> processes = new LinkedHashMap<>();
  private final Map<String, String> peakMemory = new LinkedHashMap<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Thread stopOnExit = new Thread(this::stopProcesses, "flink-cluster-stop");

  private StandaloneFlinkCluster(Path home, Path lib, int restPort) {
    this.home = home;
    this.lib = lib;
    this.restPort = restPort;
  }

  /**
   * Starts a cluster on {@code lib} with one TaskManager of {@code slots} slots and waits until
   * they are all offered to the JobManager.
   *
   * @param settings further {@code config.yaml} entries (e.g. memory sizes)
   */
  public static StandaloneFlinkCluster start(Path lib, int slots, Map<String, String> settings)
      throws Exception {
    Path home = Files.createTempDirectory("upbot-flink-");
    StandaloneFlinkCluster cluster = new StandaloneFlinkCluster(home, lib, freePort());
    Runtime.getRuntime().addShutdownHook(cluster.stopOnExit);
    try {
      cluster.writeConfiguration(slots, settings);
      cluster.startProcess(
          "jobmanager",
          "GET_JM_RESOURCE_PARAMS",
          "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
          List.of("--executionMode", "cluster"));
      cluster.startProcess(
          "taskmanager",
          "GET_TM_RESOURCE_PARAMS",
          "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
          List.of());
      await("the TaskManager's slots offered to the JobManager")
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(() -> cluster.get("/overview").body().path("slots-total").asInt() == slots);
      return cluster;
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
  }

  public String restUrl() {
    return "http://127.0.0.1:" + restPort;
  }

  public Path home() {
    return home;
  }

  public Path taskManagerLog() {
    return home.resolve("log/flink-taskmanager.log");
  }

  public Path jobManagerLog() {
    return home.resolve("log/flink-jobmanager.log");
  }

  /** Whether both processes are still running. */
  public boolean processesAlive() {
    return processes.size() == 2 && processes.values().stream().allMatch(Process::isAlive);
  }

  /** Peak resident memory of each process (from {@code /proc}), read when the cluster stops. */
  public Map<String, String> peakMemory() {
    return peakMemory;
  }

  private void writeConfiguration(int slots, Map<String, String> settings) throws IOException {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("jobmanager.rpc.address", "127.0.0.1");
    conf.put("jobmanager.rpc.port", String.valueOf(freePort()));
    conf.put("jobmanager.bind-host", "127.0.0.1");
    conf.put("taskmanager.host", "127.0.0.1");
    conf.put("taskmanager.bind-host", "127.0.0.1");
    conf.put("taskmanager.numberOfTaskSlots", String.valueOf(slots));
    conf.put("rest.address", "127.0.0.1");
    conf.put("rest.bind-address", "127.0.0.1");
    conf.put("rest.port", String.valueOf(restPort));
    conf.put("io.tmp.dirs", dir("tmp").toString());
    conf.put("web.tmpdir", dir("web").toString());
    conf.put("blob.storage.directory", dir("blobs").toString());
    conf.put("env.java.opts.all", String.join(" ", JAVA_OPTS));
    conf.putAll(settings);
    StringBuilder yaml = new StringBuilder();
    // Quoted: values such as "--add-opens=…" or paths are strings, whatever YAML would make of
    // them.
    conf.forEach(
        (k, v) -> yaml.append(k).append(": ").append(JSON.valueToTree(v).toString()).append('\n'));
    Files.writeString(dir("conf").resolve("config.yaml"), yaml, StandardCharsets.UTF_8);
    Files.writeString(
        dir("conf").resolve("log4j.properties"),
        String.join(
            "\n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.file.ref = file",
            "appender.file.type = File",
            "appender.file.name = file",
            "appender.file.fileName = ${sys:log.file}",
            "appender.file.layout.type = PatternLayout",
            "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
            ""),
        StandardCharsets.UTF_8);
    dir("log");
  }

  /**
   * Starts one process as {@code jobmanager.sh}/{@code taskmanager.sh} do: {@code BashJavaUtils}
   * computes the JVM's memory flags (first result line) and the dynamic settings that pin the
   * derived memory sizes (second line, {@code -D key=value} pairs passed to the entry point).
   */
  private void startProcess(
      String name, String resourceCommand, String entryPoint, List<String> extra) throws Exception {
    Path conf = home.resolve("conf");
    List<String> results =
        run(
            List.of(
                java(),
                "-cp",
                classPath(),
                "org.apache.flink.runtime.util.bash.BashJavaUtils",
                resourceCommand,
                "--configDir",
                conf.toString()));
    if (results.size() != 2) {
      throw new IllegalStateException("BashJavaUtils " + resourceCommand + " gave " + results);
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(java());
    cmd.addAll(words(results.get(0)));
    cmd.addAll(JAVA_OPTS);
    cmd.add("-Dlog.file=" + home.resolve("log/flink-" + name + ".log"));
    cmd.add("-Dlog4j.configurationFile=file:" + conf.resolve("log4j.properties"));
    cmd.addAll(List.of("-cp", classPath(), entryPoint, "--configDir", conf.toString()));
    cmd.addAll(extra);
    cmd.addAll(words(results.get(1)));
    Files.writeString(home.resolve("log/" + name + ".cmd"), String.join(" ", cmd));
    Process p =
        new ProcessBuilder(cmd)
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(home.resolve("log/flink-" + name + ".out").toFile())
            .start();
    processes.put(name, p);
  }

  /** The result lines of a {@code BashJavaUtils} run, without their prefix. */
  private List<String> run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("failed: " + String.join(" ", cmd) + "\n" + out);
    }
    return out.lines()
        .filter(l -> l.startsWith(RESULT_PREFIX))
        .map(l -> l.substring(RESULT_PREFIX.length()).trim())
        .toList();
  }

  // --- REST API -------------------------------------------------------------------------------

  public Answer get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(restUrl() + path)).GET());
  }

  public Answer post(String path, Object body) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(restUrl() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
  }

  /** {@code POST /jars/upload}: returns the jar's id for {@code /jars/:jarid/run}. */
  public String uploadJar(Path jar) throws Exception {
    String boundary = "upbot-" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(
        ("--"
                + boundary
                + "\r\n"
                + "Content-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName()
                + "\"\r\n"
                + "Content-Type: application/x-java-archive\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
    body.writeBytes(Files.readAllBytes(jar));
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    Answer a =
        send(
            HttpRequest.newBuilder(URI.create(restUrl() + "/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    if (!a.ok()) {
      throw new IllegalStateException("upload failed: " + a);
    }
    String file = a.body().path("filename").asText();
    return file.substring(file.lastIndexOf('/') + 1);
  }

  /**
   * {@code POST /jars/:jarid/run} with {@code programArgsList} (Flink 2.0 ignores the old {@code
   * programArgs} string), resuming from {@code savepointPath} unless it is null.
   */
  public Answer runJar(String jarId, List<String> args, String savepointPath) throws Exception {
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("programArgsList", args);
    if (savepointPath != null) {
      request.put("savepointPath", savepointPath);
    }
    return post("/jars/" + jarId + "/run", request);
  }

  public String jobState(String jobId) throws Exception {
    return get("/jobs/" + jobId).body().path("state").asText();
  }

  /**
   * {@code POST /jobs/:jobid/stop}: stops the job with a savepoint in {@code dir} and returns the
   * savepoint's path once it completed.
   */
  public String stopWithSavepoint(String jobId, Path dir) throws Exception {
    Answer trigger =
        post(
            "/jobs/" + jobId + "/stop",
            Map.of("targetDirectory", dir.toUri().toString(), "drain", false));
    if (!trigger.ok()) {
      throw new IllegalStateException("stop failed: " + trigger);
    }
    String request = trigger.body().path("request-id").asText();
    JsonNode[] done = new JsonNode[1];
    await("the savepoint of " + jobId)
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              JsonNode status = get("/jobs/" + jobId + "/savepoints/" + request).body();
              done[0] = status;
              return status.path("status").path("id").asText().equals("COMPLETED");
            });
    JsonNode operation = done[0].path("operation");
    if (!operation.has("location")) {
      throw new IllegalStateException("savepoint failed: " + operation);
    }
    return operation.path("location").asText();
  }

  /** {@code PATCH /jobs/:jobid?mode=cancel}. */
  public void cancel(String jobId) throws Exception {
    send(
        HttpRequest.newBuilder(URI.create(restUrl() + "/jobs/" + jobId + "?mode=cancel"))
            .method("PATCH", HttpRequest.BodyPublishers.noBody()));
  }

  private Answer send(HttpRequest.Builder request) throws Exception {
    HttpResponse<String> r =
        http.send(
            request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
    return new Answer(r.statusCode(), body);
  }

  // --- stop -----------------------------------------------------------------------------------

  @Override
  public void close() {
    close(null);
  }

  /**
   * Stops the processes, keeps their logs in {@code logs} (unless null) and deletes the folders.
   */
  public void close(Path logs) {
    stopProcesses();
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException alreadyExiting) {
      // The hook is running or has run: the processes are stopped either way.
    }
    try {
      if (logs != null && Files.isDirectory(home.resolve("log"))) {
        Files.createDirectories(logs);
        try (Stream<Path> files = Files.list(home.resolve("log"))) {
          for (Path f : files.toList()) {
            Files.copy(f, logs.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      try (Stream<Path> all = Files.walk(home)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean up " + home, e);
    }
  }

  /** The TaskManager first, then the JobManager: SIGTERM, then a kill after 30 s. */
  private synchronized void stopProcesses() {
    List<String> names = new ArrayList<>(processes.keySet());
    Collections.reverse(names);
    for (String name : names) {
      Process p = processes.get(name);
      peakMemory.putIfAbsent(name, peakRss(p));
      p.destroy();
      try {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  private static String peakRss(Process p) {
    try {
      return Files.readAllLines(Path.of("/proc/" + p.pid() + "/status")).stream()
          .filter(l -> l.startsWith("VmHWM:"))
          .map(l -> l.substring(6).trim())
          .findFirst()
          .orElse("?");
    } catch (IOException | UncheckedIOException e) {
      return "?";
    }
  }

  private Path dir(String name) throws IOException {
    return Files.createDirectories(home.resolve(name));
  }

  private String classPath() {
    return lib.toAbsolutePath() + File.separator + "*";
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static List<String> words(String line) {
    return Arrays.stream(line.trim().split("\\s+")).filter(w -> !w.isEmpty()).toList();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
