package io.upbot.job;

import java.io.PrintStream;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The job's command line outside a Flink cluster ({@code ./upbot job}, {@code java -cp … JobCli},
 * the jar's {@code Main-Class}): runs {@link JobMain} and answers a start that cannot go on with
 * one plain message and an exit status. Flink runs {@link JobMain} itself (the jar's {@code
 * program-class}), which throws instead.
 */
public final class JobCli {

  private JobCli() {}

  public static void main(String[] args) throws Exception {
    int status = run(args, System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /** Runs the job; returns 0 once it ran (or help was printed), else the exit status. */
  public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    return run(
        args, System.getenv(), out, err, StreamExecutionEnvironment::getExecutionEnvironment);
  }

  static int run(
      String[] args,
      Map<String, String> environment,
      PrintStream out,
      PrintStream err,
      Supplier<StreamExecutionEnvironment> environments)
      throws Exception {
    try {
      JobMain.run(args, environment, out, environments);
      return 0;
    } catch (JobStartException e) {
      // Said plainly, without a stack trace: the message names what to fix.
      err.println(e.getMessage());
      return e.exitStatus();
    }
  }
}
