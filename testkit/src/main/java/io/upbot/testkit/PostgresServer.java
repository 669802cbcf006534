package io.upbot.testkit;

import io.upbot.localkafka.KafkaBrokerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private PostgreSQL server for one test: its own data directory in a temporary folder, its own
 * free port on 127.0.0.1, trust authentication for user {@code postgres}. Unlike the machine's
 * server (which other tests share), it may be stopped, crashed and started again; {@link #close()}
 * (or the JVM's exit) stops it and deletes everything.
 *
 * <p>The binaries are {@code initdb}, {@code pg_ctl} and {@code postgres} from {@code
 * UPBOT_PG_BIN}, else the newest {@code /usr/lib/postgresql/<version>/bin}, else the {@code PATH}.
 * PostgreSQL refuses to run as root, so under root they run as the OS user {@code postgres}
 * (through {@code runuser}).
 */
public final class PostgresServer implements AutoCloseable {

  /** The superuser initdb creates; trust authentication, no password. */
  public static final String USER = "postgres";

  private static final long PG_CTL_TIMEOUT_S = 60;

  private final Path bin;
  private final Path base;
  private final int port;
  private final boolean asPostgresUser;
  private final Thread reaper;
  private boolean closed;

  private PostgresServer(Path bin, Path base, int port, boolean asPostgresUser) {
    this.bin = bin;
    this.base = base;
    this.port = port;
    this.asPostgresUser = asPostgresUser;
    // A test run that ends without closing us must not leave a postmaster holding a port.
    this.reaper = new Thread(this::stopQuietlyAndDelete, "postgres-server-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /** Creates a cluster in a new temporary folder and starts it on a free port. */
  public static PostgresServer start() {
    Path bin = binaries();
    try {
      boolean root = "root".equals(System.getProperty("user.name"));
      Path base = Files.createTempDirectory("upbot-pg-");
      if (root) {
        UserPrincipalLookupService users = base.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(base, users.lookupPrincipalByName(USER));
      }
      PostgresServer server = new PostgresServer(bin, base, KafkaBrokerProcess.freePort(), root);
      try {
        server.run(
            List.of(
                bin.resolve("initdb").toString(),
                "-D",
                server.dataDir().toString(),
                "-U",
                USER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync"),
            "initdb");
        server.startServer();
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a private PostgreSQL server", e);
    }
  }

  public int port() {
    return port;
  }

  public String user() {
    return USER;
  }

  /** The server's own log, where a failure to start or stop explains itself. */
  public Path logFile() {
    return base.resolve("server.log");
  }

  /** A JDBC URL of database {@code db} on this server. */
  public String jdbcUrl(String db) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + db;
  }

  /** Creates a database and returns its JDBC URL. */
  public String createDatabase(String name) {
    try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), USER, "");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name + " on port " + port, e);
    }
    return jdbcUrl(name);
  }

  /** The postmaster's process id while it runs. */
  public Optional<Long> pid() {
    Path pidFile = dataDir().resolve("postmaster.pid");
    try {
      List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
      return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Stops the server. {@code immediate} aborts every backend at once, as a crash would (the next
   * start runs crash recovery from the WAL); otherwise a fast shutdown rolls back open transactions
   * and checkpoints.
   */
  public synchronized void stop(boolean immediate) {
    Optional<ProcessHandle> postmaster = pid().flatMap(ProcessHandle::of);
    run(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            dataDir().toString(),
            "-m",
            immediate ? "immediate" : "fast",
            "-t",
            Long.toString(PG_CTL_TIMEOUT_S),
            "-w",
            "stop"),
        "pg_ctl stop");
    // pg_ctl returns once the pid file is gone, a moment before the postmaster has exited.
    postmaster.ifPresent(
        h -> h.onExit().orTimeout(PG_CTL_TIMEOUT_S, TimeUnit.SECONDS).exceptionally(t -> h).join());
  }

  /** Starts the server again on the same port and data, and waits until it accepts connections. */
  public synchronized void restart() {
    startServer();
  }

  private void startServer() {
    // fsync off: a crash of the server process loses nothing the OS already holds; only a crash of
    // the
    // machine would, which no test simulates. Synchronous commit stays on, so every commit the job
    // saw
    // acknowledged survives an immediate stop.
    String options =
        String.join(
            " ",
            "-p",
            Integer.toString(port),
            "-k",
            base.toString(),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "max_connections=50");
    run(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            dataDir().toString(),
            "-l",
            logFile().toString(),
            "-o",
            options,
            "-t",
            Long.toString(PG_CTL_TIMEOUT_S),
            "-w",
            "start"),
        "pg_ctl start");
  }

  private Path dataDir() {
    return base.resolve("data");
  }

  private void run(List<String> command, String what) {
    List<String> cmd = new ArrayList<>();
    if (asPostgresUser) {
      cmd.addAll(List.of("runuser", "-u", USER, "--"));
    }
    cmd.addAll(command);
    Path output = base.resolve(what.replace(' ', '-') + ".out");
    try {
      Process p =
          new ProcessBuilder(cmd)
              .directory(base.toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      if (!p.waitFor(PG_CTL_TIMEOUT_S + 30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(what + " timed out; see " + logFile());
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            what
                + " failed (exit "
                + p.exitValue()
                + "):\n"
                + read(output)
                + "\nthe end of "
                + logFile()
                + ":\n"
                + tail(logFile()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + cmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + what, e);
    }
  }

  /** Stops the server at once (if it runs) and deletes its folder. */
  @Override
  public synchronized void close() {
    stopQuietlyAndDelete();
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException alreadyShuttingDown) {
      // The hook is running or has run.
    }
  }

  private synchronized void stopQuietlyAndDelete() {
    if (closed) {
      return;
    }
    closed = true;
    if (pid()
        .filter(id -> ProcessHandle.of(id).map(ProcessHandle::isAlive).orElse(false))
        .isPresent()) {
      try {
        stop(true);
      } catch (RuntimeException e) {
        // Last resort: the postmaster and its children must not outlive the test.
        pid()
            .flatMap(ProcessHandle::of)
            .ifPresent(
                h -> {
                  h.descendants().forEach(ProcessHandle::destroyForcibly);
                  h.destroyForcibly();
                });
      }
    }
    try (Stream<Path> s = Files.walk(base)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // A leftover temp folder is harmless once no server uses it.
    }
  }

  private static Path binaries() {
    String configured = System.getenv("UPBOT_PG_BIN");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (Stream<Path> versions = Files.list(debian)) {
        Optional<Path> newest =
            versions
                .filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                .max(Comparator.comparing(PostgresServer::majorVersion));
        if (newest.isPresent()) {
          return newest.get().resolve("bin");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "initdb"))) {
        return Path.of(dir);
      }
    }
    throw new IllegalStateException(
        "no PostgreSQL binaries (initdb, pg_ctl) found: install the PostgreSQL server package or set"
            + " UPBOT_PG_BIN to their folder");
  }

  private static int majorVersion(Path versionDir) {
    try {
      return Integer.parseInt(versionDir.getFileName().toString().replaceAll("\\..*", ""));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  private static String tail(Path log) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - 20), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
