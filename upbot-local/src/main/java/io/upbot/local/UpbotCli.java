package io.upbot.local;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** The {@code ./upbot} launcher's entry point: dispatches to a subcommand. */
public final class UpbotCli {

  private static final String HELP =
      String.join(
          "\n",
          "usage: ./upbot <command> [options]",
          "",
          "commands:",
          "  local    run the whole pipeline locally: Kafka broker, ingest endpoint, analytics job, SQLite",
          "           [--port 8080] [--kafka-port 9092] [--ui-port 8081 (else a free one)]",
          "           [--data-dir .upbot] [--jdbc-url URL] [--tokens FILE] [--demo]",
          "           [--wecom-demo (the demo with joins confirmed by WeCom: a mock WeCom and the",
          "           WeCom receiver start too, and the job counts WeCom's joins only; docs/wecom.md)]",
          "           [--max-journey-events 10000 (distinct live events one journey may hold)]",
          "  loadgen  HTTP load generator: --url URL --token T [--rate 1000/s (events)] [--duration 30s]",
          "           [--batch 20] [--appid A]",
          "           --one-trace [--events 200000] [--batch 500] [--max-in-flight 4]: distinct events on",
          "           one trace, as fast as answered; with --jdbc-url URL [--wait 5m], then one event of",
          "           another user, and how long until each reaches the tables",
          "  soak     the local stack in this process at half the maximum rate: --minutes N",
          "           [--max-rate R/s (default: measured)] [--batch 20] [--sample 5s]",
          "           [--heap-margin 20] [--state-margin 20] (percent growth allowed over the second",
          "           half) [--catch-up 2m] [--data-dir DIR (default: a temporary one)]; exits 1 when",
          "           heap or state grew past the margin or an accepted event was not counted once",
          "  console  read-only web console over the tables: [--jdbc-url URL (default: SQLite in the"
              + " data dir)] [--port 8090] [--bind 127.0.0.1] [--data-dir .upbot] [--time-zone Z]",
          "  bench    ingest|job|pipeline: measured against their ceilings (./upbot bench help)",
          "  ingest   the production ingest endpoint (see ./upbot ingest --help)",
          "  job      the analytics job on an embedded Flink (see ./upbot job --help)",
          "  help     this text",
          "");

  private UpbotCli() {}

  public static void main(String[] args) throws Exception {
    int code = run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * {@code loadgen --one-trace}: many distinct events on one journey; with {@code --jdbc-url}, then
   * one event of another user, and how long until each reaches the tables.
   */
  private static int oneTrace(CliArgs a, PrintStream out) throws Exception {
    URI uri = httpUrl(a, a.required("url"));
    String token = a.required("token");
    String tag = Long.toHexString(System.nanoTime() & 0xffffffffL);
    TraceFlood.Options o =
        new TraceFlood.Options(
            a.integer("events", 200_000, 1, 100_000_000),
            a.integer("batch", 500, 1, 500),
            a.integer("max-in-flight", 4, 1, 1_000),
            a.string("appid", "upbot-flood"),
            "flood-" + tag,
            "tr-flood-" + tag);
    String jdbcUrl = a.string("jdbc-url", null);
    Duration wait = a.duration("wait", Duration.ofMinutes(5));
    if (a.has("rate") || a.has("duration")) {
      a.error("--rate, --duration: not with --one-trace (it posts --events as fast as answered)");
    }
    a.failOnErrors("loadgen");
    ReportPoster poster = new ReportPoster(uri, token, Duration.ofSeconds(30));
    out.printf(
        "posting %d events on appid %s, code %s, trace %s%n",
        o.events(), o.appid(), o.code(), o.trace());
    TraceFlood.Summary s = TraceFlood.run(o, poster);
    out.print(s.render());
    if (jdbcUrl == null) {
      return 0;
    }
    TableCounts tables =
        new TableCounts(
            io.upbot.job.sink.JdbcSettings.defaults(jdbcUrl)
                .withCredentials(a.string("jdbc-user", null), a.string("jdbc-password", null)));
    RowProbe probe = new RowProbe(poster, tables).post();
    boolean probeDone = false;
    boolean floodDone = false;
    long counted = 0;
    long tooLarge = 0;
    while (!(probeDone && floodDone) && probe.sinceAnswer().compareTo(wait) < 0) {
      if (!probeDone && probe.arrived()) {
        probeDone = true;
        out.printf(
            "another user's event reached its row %.2f s after its answer%n",
            probe.sinceAnswer().toMillis() / 1000.0);
      }
      if (!floodDone) {
        try {
          counted = tables.countedEvents(o.appid(), o.code());
          tooLarge = tables.deadLetters("journey_too_large", o.code());
        } catch (java.sql.SQLException notYet) {
          // The job has not created its tables yet.
        }
        if (counted + tooLarge >= s.acceptedItems()) {
          floodDone = true;
          out.printf(
              "the %d accepted events: %d counted, %d dead-lettered as journey_too_large,"
                  + " %.2f s after the last answer%n",
              s.acceptedItems(),
              counted,
              tooLarge,
              (System.currentTimeMillis() - s.lastAnswerMs()) / 1000.0);
        }
      }
      Thread.sleep(100);
    }
    if (!(probeDone && floodDone)) {
      out.printf(
          "after %s: %s; the flood's %d accepted events: %d counted, %d dead-lettered%n",
          wait,
          probeDone ? "the other user's event arrived" : "the other user's event has no row yet",
          s.acceptedItems(),
          counted,
          tooLarge);
      return 1;
    }
    return 0;
  }

  private static URI httpUrl(CliArgs a, String url) {
    if (url == null) {
      return null;
    }
    try {
      URI uri = URI.create(url);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
        a.error("--url: must be an http(s) URL, got " + url);
      }
      return uri;
    } catch (IllegalArgumentException e) {
      a.error("--url: not a URL: " + url);
      return null;
    }
  }

  /** Runs one command; returns the process exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    if (args.length == 0 || Set.of("help", "--help", "-h").contains(args[0])) {
      out.print(HELP);
      return args.length == 0 ? 2 : 0;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    try {
      switch (args[0]) {
        case "loadgen" -> {
          return loadgen(rest, out, err);
        }
        case "local" -> {
          return local(rest, out);
        }
        case "soak" -> {
          return soak(rest, out);
        }
        case "console" -> {
          return io.upbot.console.ConsoleCli.run(rest, out, err);
        }
        case "bench" -> {
          return io.upbot.local.bench.BenchCli.run(rest, out, err);
        }
        case "ingest" -> {
          io.upbot.ingest.IngestMain.main(rest);
          return 0;
        }
        case "job" -> {
          return io.upbot.job.JobCli.run(rest, out, err);
        }
        default -> {
          err.println("upbot: unknown command '" + args[0] + "'\n");
          err.print(HELP);
          return 2;
        }
      }
    } catch (CliArgs.UsageException e) {
      err.println(e.getMessage());
      return 2;
    } catch (Exception e) {
      // A port in use, an unreachable database, a data dir in use: say what, not where in the code.
      err.println("upbot " + args[0] + ": " + causes(e));
      return 1;
    }
  }

  /** The messages of an exception and its causes, most general first, without repeats. */
  static String causes(Throwable e) {
    StringBuilder b = new StringBuilder();
    String last = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
      if (last == null || !last.contains(m)) {
        b.append(b.length() == 0 ? "" : ": ").append(m);
      }
      last = m;
    }
    return b.toString();
  }

  private static int local(String[] args, PrintStream out) throws Exception {
    LocalStack stack = LocalStack.start(localOptions(args), out);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  out.println("upbot stopping…");
                  stack.close();
                  out.println("upbot stopped");
                  stopped.countDown();
                },
                "upbot-local-stop"));
    stopped.await();
    return 0;
  }

  private static int soak(String[] args, PrintStream out) throws Exception {
    CliArgs a =
        CliArgs.parse(
            args,
            Set.of(
                "minutes",
                "max-rate",
                "batch",
                "sample",
                "heap-margin",
                "state-margin",
                "catch-up",
                "data-dir"),
            Set.of());
    int minutes = a.integer("minutes", 10, 1, 100_000);
    Double maxRate = a.has("max-rate") ? a.rate("max-rate", 0) : null;
    int batch = a.integer("batch", 20, 1, 500);
    Duration sample = a.duration("sample", Duration.ofSeconds(5));
    int heapMargin = a.integer("heap-margin", 20, 0, 1_000);
    int stateMargin = a.integer("state-margin", 20, 0, 1_000);
    Duration catchUp = a.duration("catch-up", Duration.ofMinutes(2));
    String dataDir = a.string("data-dir", null);
    a.failOnErrors("soak");
    Path dir = dataDir != null ? Path.of(dataDir) : Files.createTempDirectory("upbot-soak-");
    try {
      Soak.Result r =
          Soak.run(
              new Soak.Options(
                  Duration.ofMinutes(minutes),
                  maxRate,
                  batch,
                  sample,
                  heapMargin / 100.0,
                  stateMargin / 100.0,
                  dir,
                  catchUp),
              out);
      out.print(r.render());
      return r.passed() ? 0 : 1;
    } finally {
      if (dataDir == null) {
        LocalStack.deleteRecursively(dir);
      }
    }
  }

  /**
   * The local stack's options from {@code ./upbot local}'s arguments. Without {@code --ui-port},
   * the web UI takes 8081, or a free port when 8081 is taken; an explicit {@code --ui-port} is kept
   * as given.
   */
  static LocalStack.Options localOptions(String[] args) {
    CliArgs a =
        CliArgs.parse(
            args,
            Set.of(
                "port",
                "kafka-port",
                "ui-port",
                "web-port",
                "data-dir",
                "jdbc-url",
                "jdbc-user",
                "jdbc-password",
                "tokens",
                "topic",
                "checkpoint-interval",
                "max-journey-events"),
            Set.of("demo", "wecom-demo"));
    // --web-port is the older name of --ui-port.
    String uiKey = a.has("ui-port") ? "ui-port" : "web-port";
    boolean uiPortGiven = a.has(uiKey);
    LocalStack.Options o =
        new LocalStack.Options(
            a.integer("port", 8080, 0, 65535),
            a.integer("kafka-port", 9092, 0, 65535),
            a.integer(uiKey, LocalStack.DEFAULT_WEB_PORT, 0, 65535),
            Path.of(a.string("data-dir", ".upbot")),
            a.string("jdbc-url", null),
            a.string("jdbc-user", null),
            a.string("jdbc-password", null),
            a.has("tokens") ? Path.of(a.string("tokens", null)) : null,
            Boolean.parseBoolean(a.string("demo", "false"))
                || Boolean.parseBoolean(a.string("wecom-demo", "false")),
            a.string("topic", "upbot.media-events"),
            a.duration("checkpoint-interval", LocalStack.DEFAULT_CHECKPOINT_INTERVAL));
    if (o.demo() && o.tokens() != null) {
      a.error(
          (a.has("wecom-demo") ? "--wecom-demo" : "--demo")
              + ": posts with the generated local token, so it cannot be used with --tokens");
    }
    if (Boolean.parseBoolean(a.string("wecom-demo", "false"))) {
      o = o.withWeCom();
    }
    if (a.has("max-journey-events")) {
      int cap = a.integer("max-journey-events", 0, 1, Integer.MAX_VALUE);
      o = o.withJobTuning(s -> s.withLimits(cap, s.maxCodesPerHour(), s.maxEventIdsPerHour()));
    }
    a.failOnErrors("local");
    return uiPortGiven ? o : o.withWebPortFallback(o.webPort());
  }

  private static int loadgen(String[] args, PrintStream out, PrintStream err) throws Exception {
    CliArgs a =
        CliArgs.parse(
            args,
            Set.of(
                "url",
                "token",
                "rate",
                "duration",
                "batch",
                "appid",
                "max-in-flight",
                "events",
                "jdbc-url",
                "jdbc-user",
                "jdbc-password",
                "wait"),
            Set.of("one-trace"));
    if (a.has("one-trace")) {
      return oneTrace(a, out);
    }
    String url = a.required("url");
    String token = a.required("token");
    double rate = a.rate("rate", 1000);
    Duration duration = a.duration("duration", Duration.ofSeconds(30));
    int batch = a.integer("batch", 20, 1, 500);
    int maxInFlight = a.integer("max-in-flight", 512, 1, 100_000);
    String appid = a.string("appid", "upbot-loadgen");
    URI uri = httpUrl(a, url);
    if (a.has("events") || a.has("jdbc-url") || a.has("wait")) {
      a.error("--events, --jdbc-url, --wait: only with --one-trace");
    }
    a.failOnErrors("loadgen");
    LoadGenerator.Summary s =
        LoadGenerator.run(
            new LoadGenerator.Options(uri, token, rate, duration, batch, appid, maxInFlight), err);
    out.print(s.render());
    return 0;
  }
}
