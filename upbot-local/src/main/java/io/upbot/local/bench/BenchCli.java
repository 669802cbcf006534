package io.upbot.local.bench;

import java.io.PrintStream;
import java.util.Arrays;

/** {@code ./upbot bench ingest|job|pipeline}: dispatches to the benchmark named. */
public final class BenchCli {
  static final String HELP =
      String.join(
          "\n",
          "usage: ./upbot bench ingest|job|pipeline [options]",
          "  ingest    the endpoint against its ceilings (a bare Undertow handler, Kafka's producer)",
          "  job       the analytics job against a pass-through job and the Flink SQL query",
          "  pipeline  the whole local stack: distinct events accepted while the job keeps up",
          "Each prints a table and writes the same figures as JSON to <data-dir>/bench/.",
          "");

  private BenchCli() {}

  /** Runs one benchmark; returns the process exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
      out.print(HELP);
      return args.length == 0 ? 2 : 0;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      case "ingest" -> {
        return IngestBench.run(rest, out);
      }
      case "job" -> {
        return JobBench.run(rest, out);
      }
      case "pipeline" -> {
        return PipelineBench.run(rest, out);
      }
      default -> {
        err.println("upbot bench: unknown benchmark '" + args[0] + "'\n");
        err.print(HELP);
        return 2;
      }
    }
  }
}
