package io.upbot.local;

import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;

/** The {@code ./upbot} launcher's entry point: dispatches to a subcommand. */
public final class UpbotCli {

  private static final String HELP =
      String.join(
          "\n",
          "usage: ./upbot <command> [options]",
          "",
          "commands:",
          "  local    run the whole pipeline locally: Kafka broker, ingest endpoint, analytics job, SQLite",
          "           [--port 8080] [--kafka-port 9092] [--data-dir .upbot] [--jdbc-url URL]",
          "           [--tokens FILE] [--demo]",
          "  loadgen  HTTP load generator: --url URL --token T [--rate 1000/s (events)] [--duration 30s]",
          "           [--batch 20] [--appid A]",
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
        default -> {
          err.println("upbot: unknown command '" + args[0] + "'\n");
          err.print(HELP);
          return 2;
        }
      }
    } catch (CliArgs.UsageException e) {
      err.println(e.getMessage());
      return 2;
    }
  }

  private static int loadgen(String[] args, PrintStream out, PrintStream err) throws Exception {
    CliArgs a =
        CliArgs.parse(
            args,
            Set.of("url", "token", "rate", "duration", "batch", "appid", "max-in-flight"),
            Set.of());
    String url = a.required("url");
    String token = a.required("token");
    double rate = a.rate("rate", 1000);
    Duration duration = a.duration("duration", Duration.ofSeconds(30));
    int batch = a.integer("batch", 20, 1, 500);
    int maxInFlight = a.integer("max-in-flight", 512, 1, 100_000);
    String appid = a.string("appid", "upbot-loadgen");
    URI uri = null;
    if (url != null) {
      try {
        uri = URI.create(url);
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
          a.error("--url: must be an http(s) URL, got " + url);
        }
      } catch (IllegalArgumentException e) {
        a.error("--url: not a URL: " + url);
      }
    }
    a.failOnErrors("loadgen");
    LoadGenerator.Summary s =
        LoadGenerator.run(
            new LoadGenerator.Options(uri, token, rate, duration, batch, appid, maxInFlight), err);
    out.print(s.render());
    return 0;
  }
}
