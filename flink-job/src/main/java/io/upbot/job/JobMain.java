package io.upbot.job;

import io.upbot.job.sink.ExistingRows;
import io.upbot.job.sink.SchemaInstaller;
import io.upbot.job.sink.TableSinks;
import io.upbot.job.source.KafkaSources;
import io.upbot.job.source.ServerClockWatermarks;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Entry point of the job ({@code flink run upbot-flink-job.jar --help}): only wires the parts. */
public final class JobMain {

  /** Exit status of bad settings and of a start refused over this database. */
  public static final int EXIT_REFUSED = 2;

  /** Exit status when the database cannot be prepared. */
  public static final int EXIT_DATABASE = 1;

  private JobMain() {}

  public static void main(String[] args) throws Exception {
    int status =
        start(args, System.getenv(), System.out, System.err,
            StreamExecutionEnvironment::getExecutionEnvironment);
    if (status != 0) {
      System.exit(status);
    }
  }

  /**
   * Parses the settings, prepares the database, then defines and runs the job on the environment
   * {@code environments} gives. A start that cannot go on is told on {@code err} in one plain message
   * (no stack trace) and answered by its exit status, before any environment is created.
   *
   * @return 0 once the job ran (or help was printed), else the exit status
   */
  static int start(
      String[] args,
      Map<String, String> environment,
      PrintStream out,
      PrintStream err,
      Supplier<StreamExecutionEnvironment> environments)
      throws Exception {
    if (JobSettings.wantsHelp(args)) {
      out.print(JobSettings.usage());
      return 0;
    }
    JobSettings settings;
    try {
      settings = JobSettings.parse(args, environment);
    } catch (SettingsException e) {
      err.println(e.getMessage());
      err.println("(--help lists every flag)");
      return EXIT_REFUSED;
    }
    try {
      prepareDatabase(settings);
    } catch (StartRefusedException e) {
      err.println("upbot job: " + e.getMessage());
      return EXIT_REFUSED;
    } catch (IllegalStateException e) {
      // The database could not be prepared: say so plainly, without a stack trace.
      err.println("upbot job: " + e.getMessage());
      return EXIT_DATABASE;
    }
    StreamExecutionEnvironment env = environments.get();
    defineGraph(env, settings);
    env.execute("upbot analytics" + (settings.bounded() ? " (backfill)" : ""));
    return 0;
  }

  /**
   * Prepares the database (missing tables, the views) and defines the production job on {@code env}:
   * Kafka in, JDBC tables out. Shared by {@link #main} and the local mode.
   *
   * @throws StartRefusedException for a backfill over tables that already hold rows
   * @throws IllegalStateException when the database cannot be prepared
   */
  public static void define(StreamExecutionEnvironment env, JobSettings settings) {
    prepareDatabase(settings);
    defineGraph(env, settings);
  }

  /**
   * Refuses a backfill over rows (see {@link #refuseBackfillOverRows}), then installs the schema.
   *
   * @throws StartRefusedException for a backfill over tables that already hold rows
   * @throws IllegalStateException when the database cannot be read or prepared
   */
  static void prepareDatabase(JobSettings settings) {
    refuseBackfillOverRows(settings);
    SchemaInstaller.install(settings.jdbcSettings());
  }

  /**
   * A {@code --bounded} run starts without state, so while it reads the topic again, and for good where
   * Kafka no longer holds the oldest records, it upserts totals of part of the input over the complete
   * ones (docs/tables.md: a row is never overwritten with a total computed from partial state). It must
   * write into a fresh database or schema, which then replaces the live one. Checked before the schema
   * is installed, so a refused start changes nothing.
   */
  static void refuseBackfillOverRows(JobSettings settings) {
    if (!settings.bounded() || settings.allowOverwrite()) {
      return;
    }
    List<String> filled = ExistingRows.tablesWithRows(settings.jdbcSettings());
    if (!filled.isEmpty()) {
      throw new StartRefusedException(
          "refusing a --bounded backfill into tables that already hold rows ("
              + String.join(", ", filled)
              + ", "
              + settings.jdbcSettings().dialect()
              + " database): it would overwrite their totals with totals of part of the input."
              + " Backfill into a fresh database or schema and swap it in for the live one"
              + " (flink-job/README.md, Backfill), or pass --allow-overwrite to write over them anyway.");
    }
  }

  private static void defineGraph(StreamExecutionEnvironment env, JobSettings settings) {
    AnalyticsJob.configure(env, settings);
    AnalyticsJob.build(
        env,
        settings,
        KafkaSources.create(settings),
        ServerClockWatermarks.strategy(settings),
        TableSinks.create(settings.jdbcSettings()));
  }
}
