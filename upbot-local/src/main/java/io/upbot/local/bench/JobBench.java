package io.upbot.local.bench;

import io.upbot.job.JobSettings;
import io.upbot.local.CliArgs;
import io.upbot.localkafka.KafkaBrokerProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * {@code ./upbot bench job}: fills a topic on a real Kafka broker with realistic journeys ({@link
 * JourneyFillRecords}), then times three bounded jobs over it, one after the other: the analytics
 * job into SQLite (and into PostgreSQL when one answers on 127.0.0.1:5432), a pass-through job and
 * the Flink SQL funnel query ({@link JobBenchJobs}); and measures the sessionizer's state bytes per
 * active journey on the heap and on RocksDB ({@link JobBenchState}). Prints the figures and writes
 * them to {@code <data-dir>/bench/}.
 */
final class JobBench {

  static final String USAGE =
      String.join(
          "\n",
          "usage: ./upbot bench job [--events 5000000] [--state-journeys 100000] [--parallelism 2]",
          "                         [--data-dir .upbot] [--postgres on|off|auto] [--seed 1]",
          "                         [--only full,sessionizing,keyed,passthrough,sql,state]  (parts, for"
              + " profiling)",
          "");

  private static final int PARTITIONS = 2;
  private static final long WARM_UP_EVENTS = 1_000_000;
  private static final long SPAN_MS = Duration.ofHours(12).toMillis();
  private static final long STATE_SPAN_MS = Duration.ofHours(1).toMillis();

  /**
   * How long after the last journey starts its records may still arrive: three sessions of up to 3
   * h each, then a phone offline for up to 2 h. The simulated period ends this long before now, so
   * no {@code received_at} is ahead of the job's clock.
   */
  private static final long TAIL_MS = Duration.ofHours(9).toMillis();

  private JobBench() {}

  static int run(String[] args, PrintStream out) throws Exception {
    if (Arrays.asList(args).contains("--help")) {
      out.print(USAGE);
      return 0;
    }
    CliArgs a =
        CliArgs.parse(
            args,
            Set.of(
                "events", "state-journeys", "parallelism", "data-dir", "postgres", "seed", "only"),
            Set.of());
    long events = a.integer("events", 5_000_000, 1_000, 100_000_000);
    int stateJourneys = a.integer("state-journeys", 100_000, 100, 10_000_000);
    int parallelism = a.integer("parallelism", 2, 1, 64);
    String postgres = a.string("postgres", "auto");
    long seed = a.integer("seed", 1, 0, Integer.MAX_VALUE);
    if (!Set.of("on", "off", "auto").contains(postgres)) {
      a.error("--postgres: on, off or auto");
    }
    Set<String> only =
        Set.of(a.string("only", "full,sessionizing,keyed,passthrough,sql,state").split(",", -1));
    if (!Set.of("full", "sessionizing", "keyed", "passthrough", "sql", "state").containsAll(only)) {
      a.error("--only: a comma list of full, sessionizing, keyed, passthrough, sql, state");
    }
    a.failOnErrors("bench job");
    Path dataDir = Path.of(a.string("data-dir", ".upbot")).toAbsolutePath();
    Instant started = Instant.now();
    Path work = dataDir.resolve("bench").resolve("job-work-" + started.toEpochMilli());
    Files.createDirectories(work);
    BenchReport report = new BenchReport("job", started);
    try (KafkaBrokerProcess broker =
        KafkaBrokerProcess.start(
            KafkaBrokerProcess.libsFromSystemProperty(), work.resolve("kafka"), 0, 0, "1g")) {
      measure(
          broker.bootstrapServers(),
          work,
          events,
          stateJourneys,
          parallelism,
          postgres,
          seed,
          only,
          report,
          out);
    } finally {
      deleteTree(work);
    }
    report.print(out);
    out.println("written to " + report.write(dataDir));
    return 0;
  }

  private static void measure(
      String bootstrap,
      Path work,
      long events,
      int stateJourneys,
      int parallelism,
      String postgres,
      long seed,
      Set<String> only,
      BenchReport report,
      PrintStream out)
      throws Exception {
    long now = System.currentTimeMillis();
    out.printf(Locale.ROOT, "filling the topic with %,d events…%n", events);
    JourneyFill.Filled fill =
        JourneyFill.fill(
            bootstrap,
            "bench.media-events",
            PARTITIONS,
            new JourneyFillRecords(seed, events, now - SPAN_MS - TAIL_MS, SPAN_MS, 4, 100));
    out.printf(
        Locale.ROOT,
        "  %,d records of %,d journeys (%,d copies) in %.1f s%n",
        fill.records(),
        fill.journeys(),
        fill.duplicates(),
        fill.millis() / 1000.0);
    report.put("events", "events in the topic", fill.records());
    report.put("journeys", "journeys in the topic", fill.journeys());
    report.put("duplicates", "copies (retried batches)", fill.duplicates());
    report.put("parallelism", "parallelism of every job", parallelism);

    String topic = fill.topic();
    String sqlite = "jdbc:sqlite:" + work.resolve("bench.db");
    warmUp(bootstrap, work, Math.min(events, WARM_UP_EVENTS), parallelism, seed, only, out);
    Function<String, JobSettings> settings =
        group ->
            JobBenchJobs.settings(
                bootstrap, topic, group, sqlite, "", parallelism, true, "hashmap");
    JobBenchJobs.Run full = null;
    JobBenchJobs.Run pass = null;
    JobBenchJobs.Run sessionizing = null;
    JobBenchJobs.Run keyed = null;
    JobBenchJobs.Run sql = null;
    if (only.contains("full")) {
      full = JobBenchJobs.full("full job (sqlite)", settings.apply("bench-full"), fill.records());
      putRun(out, report, "full", "full job, SQLite", full);
      report.put("full_sessions", "sessions counted by the job", sessions(sqlite, "", ""));
    }
    if (only.contains("sessionizing")) {
      sessionizing =
          JobBenchJobs.sessionizing(settings.apply("bench-sessionizing"), fill.records());
      putRun(out, report, "sessionizing", "sessionizing alone, deltas discarded", sessionizing);
    }
    if (only.contains("keyed")) {
      keyed = JobBenchJobs.keyed(settings.apply("bench-keyed"), fill.records());
      putRun(out, report, "keyed", "one keyed step", keyed);
      report.put("keyed_events", "events through the keyed step's state", keyed.counted());
    }
    if (only.contains("passthrough")) {
      pass = JobBenchJobs.passThrough(settings.apply("bench-pass"), fill.records());
      putRun(out, report, "passthrough", "pass-through", pass);
    }
    if (only.contains("sql")) {
      sql = JobBenchJobs.sql(settings.apply("bench-sql"), fill.records());
      putRun(out, report, "sql", "Flink SQL", sql);
      report.put("sql_sessions", "sessions counted by the SQL", sql.counted());
    }
    if (full != null && pass != null) {
      report.ratio(
          "full_to_passthrough",
          "full / pass-through (goal ≥ 0.5)",
          full.eventsPerSecond(),
          pass.eventsPerSecond());
      report.ratio(
          "full_to_passthrough_cpu",
          "full / pass-through, per CPU-s",
          full.eventsPerCpuSecond(),
          pass.eventsPerCpuSecond());
    }
    // The sessionizing step bounds any graph after it: it shows what the goals ask of that step.
    if (sessionizing != null && pass != null) {
      report.ratio(
          "sessionizing_to_passthrough",
          "sessionizing alone / pass-through",
          sessionizing.eventsPerSecond(),
          pass.eventsPerSecond());
    }
    if (sessionizing != null && sql != null) {
      report.ratio(
          "sessionizing_to_sql",
          "sessionizing alone / Flink SQL",
          sessionizing.eventsPerSecond(),
          sql.eventsPerSecond());
    }
    // One exchange by journey and one state access per event bound every sessionizing job.
    if (keyed != null && pass != null) {
      report.ratio(
          "keyed_to_passthrough",
          "one keyed step / pass-through",
          keyed.eventsPerSecond(),
          pass.eventsPerSecond());
    }
    if (keyed != null && sql != null) {
      report.ratio(
          "keyed_to_sql",
          "one keyed step / Flink SQL",
          keyed.eventsPerSecond(),
          sql.eventsPerSecond());
    }
    if (full != null && sql != null) {
      report.ratio(
          "full_to_sql",
          "full / Flink SQL (goal ≥ 1.5)",
          full.eventsPerSecond(),
          sql.eventsPerSecond());
      report.ratio(
          "full_to_sql_cpu",
          "full / Flink SQL, per CPU-s",
          full.eventsPerCpuSecond(),
          sql.eventsPerCpuSecond());
    }

    if (only.contains("full")
        && (postgres.equals("on") || (postgres.equals("auto") && postgresAnswers()))) {
      String db = "upbot_bench_" + System.currentTimeMillis();
      createDatabase(db);
      try {
        JobBenchJobs.Run pg =
            JobBenchJobs.full(
                "full job (postgresql)",
                JobBenchJobs.settings(
                    bootstrap,
                    topic,
                    "bench-full-pg",
                    "jdbc:postgresql://127.0.0.1:5432/" + db,
                    "postgres",
                    parallelism,
                    true,
                    "hashmap"),
                fill.records());
        print(out, pg);
        report.put("full_pg_events_per_s", "full job, PostgreSQL (events/s)", pg.eventsPerSecond());
        if (pass != null) {
          report.ratio(
              "full_pg_to_passthrough",
              "full (PostgreSQL) / pass-through",
              pg.eventsPerSecond(),
              pass.eventsPerSecond());
        }
        if (sql != null) {
          report.ratio(
              "full_pg_to_sql",
              "full (PostgreSQL) / Flink SQL",
              pg.eventsPerSecond(),
              sql.eventsPerSecond());
        }
      } finally {
        dropDatabase(db);
      }
    }
    if (!only.contains("state")) {
      return;
    }

    out.printf(Locale.ROOT, "filling the state topic with %,d journeys…%n", stateJourneys);
    JourneyFillRecords stateRecords =
        JourneyFillRecords.ofJourneys(
            seed + 1, stateJourneys, now - STATE_SPAN_MS - TAIL_MS, STATE_SPAN_MS, 4, 100);
    JourneyFill.Filled state =
        JourneyFill.fill(bootstrap, "bench.state-events", PARTITIONS, stateRecords);
    report.put("state_journeys", "active journeys in the state run", state.journeys());
    for (String backend : new String[] {"hashmap", "rocksdb"}) {
      long bytes =
          JobBenchState.savepointBytes(
              JobBenchJobs.settings(
                  bootstrap,
                  state.topic(),
                  "bench-state-" + backend,
                  sqlite,
                  "",
                  parallelism,
                  false,
                  backend),
              state.records(),
              work.resolve("savepoints-" + backend));
      double perJourney = (double) bytes / state.journeys();
      out.printf(
          Locale.ROOT, "  state on %s: %,d bytes, %.1f per journey%n", backend, bytes, perJourney);
      String key = backend.equals("hashmap") ? "heap" : "rocksdb";
      report.put(
          "state_bytes_per_journey_" + key,
          "state bytes per active journey, " + key + " (native savepoint / journeys)",
          perJourney);
    }
  }

  /**
   * Runs each job once, unmeasured, over a small topic of its own: otherwise the first job timed
   * would also pay for compiling the code every job shares (Flink's runtime, the Kafka consumer,
   * the decoder).
   */
  private static void warmUp(
      String bootstrap,
      Path work,
      long events,
      int parallelism,
      long seed,
      Set<String> only,
      PrintStream out)
      throws Exception {
    out.printf(Locale.ROOT, "warming up over %,d events…%n", events);
    long now = System.currentTimeMillis();
    JourneyFill.Filled warm =
        JourneyFill.fill(
            bootstrap,
            "bench.warm-up",
            PARTITIONS,
            new JourneyFillRecords(seed + 2, events, now - SPAN_MS - TAIL_MS, SPAN_MS, 4, 100));
    String sqlite = "jdbc:sqlite:" + work.resolve("warm-up.db");
    Function<String, JobSettings> settings =
        group ->
            JobBenchJobs.settings(
                bootstrap, warm.topic(), group, sqlite, "", parallelism, true, "hashmap");
    if (only.contains("full")) {
      JobBenchJobs.full("warm-up", settings.apply("warm-full"), warm.records());
    }
    if (only.contains("sessionizing") && !only.contains("full")) {
      JobBenchJobs.sessionizing(settings.apply("warm-sessionizing"), warm.records());
    }
    if (only.contains("keyed")) {
      JobBenchJobs.keyed(settings.apply("warm-keyed"), warm.records());
    }
    if (only.contains("passthrough")) {
      JobBenchJobs.passThrough(settings.apply("warm-pass"), warm.records());
    }
    if (only.contains("sql")) {
      JobBenchJobs.sql(settings.apply("warm-sql"), warm.records());
    }
  }

  /**
   * Prints a run and reports its rate, rate per CPU-second and GC time, as {@code
   * <key>_events_per_s} and so on.
   */
  private static void putRun(
      PrintStream out, BenchReport report, String key, String label, JobBenchJobs.Run r) {
    print(out, r);
    report.put(key + "_events_per_s", label + " (events/s)", r.eventsPerSecond());
    report.put(key + "_events_per_cpu_s", label + " (events/CPU-s)", r.eventsPerCpuSecond());
    report.put(key + "_gc_s", label + ": GC time (s)", r.gcMillis() / 1000.0);
  }

  private static void print(PrintStream out, JobBenchJobs.Run r) {
    out.printf(
        Locale.ROOT,
        "  %-24s %,10.0f events/s %,10.0f events/CPU-s  (%,d events in %.1f s, %.1f CPU-s, GC %.1f"
            + " s)%n",
        r.name(),
        r.eventsPerSecond(),
        r.eventsPerCpuSecond(),
        r.records(),
        r.millis() / 1000.0,
        r.cpuMillis() / 1000.0,
        r.gcMillis() / 1000.0);
  }

  /** The job's total of sessions over every funnel row. */
  private static long sessions(String url, String user, String password) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, user, password);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT COALESCE(SUM(sessions), 0) FROM code_funnel_hourly")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static boolean postgresAnswers() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", 5432), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static final String PG_ADMIN = "jdbc:postgresql://127.0.0.1:5432/postgres";

  private static void createDatabase(String db) throws SQLException {
    try (Connection c = DriverManager.getConnection(PG_ADMIN, "postgres", "");
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + db);
    }
  }

  private static void dropDatabase(String db) throws SQLException {
    try (Connection c = DriverManager.getConnection(PG_ADMIN, "postgres", "");
        Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
