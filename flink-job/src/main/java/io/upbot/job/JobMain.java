package io.upbot.job;

import io.upbot.job.database.ExistingRows;
import io.upbot.job.database.SchemaInstaller;
import io.upbot.job.sink.TableSinks;
import io.upbot.job.source.BackfillProgress;
import io.upbot.job.source.KafkaSources;
import io.upbot.job.source.ServerClockWatermarks;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Entry point of the job under Flink ({@code flink run upbot-flink-job.jar --help}): only wires the
 * parts. The command line outside Flink is {@link JobCli}.
 */
public final class JobMain {

  /** Exit status of bad settings and of a start refused over this database. */
  public static final int EXIT_REFUSED = 2;

  /** Exit status when the database cannot be prepared. */
  public static final int EXIT_DATABASE = 1;

  /** How often a backfill prints its progress. */
  static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

  private JobMain() {}

  /**
   * The entry point Flink calls ({@code flink run}, the REST API, the web UI, application mode). A
   * start that cannot go on throws {@link JobStartException}, never exits: here {@code main} may
   * run inside the JobManager, and an exit would stop the whole session cluster with every job on
   * it. Flink then answers the submission with the exception's message.
   */
  public static void main(String[] args) throws Exception {
    run(args, System.getenv(), System.out, StreamExecutionEnvironment::getExecutionEnvironment);
  }

  /**
   * Parses the settings, prepares the database, then defines and runs the job on the environment
   * {@code environments} gives.
   *
   * @throws JobStartException for bad settings, a refused start or a database that cannot be
   *     prepared, before any environment is created; its message is plain and names what to fix
   */
  static void run(
      String[] args,
      Map<String, String> environment,
      PrintStream out,
      Supplier<StreamExecutionEnvironment> environments)
      throws Exception {
    run(args, environment, out, environments, PROGRESS_EVERY);
  }

  /**
   * As {@link #run(String[], Map, PrintStream, Supplier)}, a backfill's progress every {@code
   * progressEvery}.
   */
  static void run(
      String[] args,
      Map<String, String> environment,
      PrintStream out,
      Supplier<StreamExecutionEnvironment> environments,
      Duration progressEvery)
      throws Exception {
    if (JobSettings.wantsHelp(args)) {
      out.print(JobSettings.usage());
      return;
    }
    JobSettings settings;
    try {
      settings = JobSettings.parse(args, environment);
    } catch (SettingsException e) {
      throw new JobStartException(EXIT_REFUSED, e.getMessage() + "\n(--help lists every flag)", e);
    }
    try {
      prepareDatabase(settings);
    } catch (StartRefusedException e) {
      throw new JobStartException(EXIT_REFUSED, "upbot job: " + e.getMessage(), e);
    } catch (IllegalStateException e) {
      throw new JobStartException(EXIT_DATABASE, "upbot job: " + e.getMessage(), e);
    }
    StreamExecutionEnvironment env = environments.get();
    defineGraph(env, settings);
    execute(env, settings, out, progressEvery);
  }

  /**
   * Runs the job; a backfill that {@code main} waits for (attached: the command line, {@code flink
   * run} without {@code -d}) prints its progress on {@code out}. Submitted through the REST API or
   * the web UI, {@code main} returns once the job is submitted and nobody reads its output.
   */
  private static void execute(
      StreamExecutionEnvironment env, JobSettings settings, PrintStream out, Duration progressEvery)
      throws Exception {
    String name = "upbot analytics" + (settings.bounded() ? " (backfill)" : "");
    if (!settings.bounded() || !env.getConfiguration().get(DeploymentOptions.ATTACHED)) {
      env.execute(name);
      return;
    }
    // Null when Kafka cannot tell the offsets (said on out): the backfill goes on without a report.
    try (BackfillProgress progress =
        BackfillProgress.start(settings.kafkaSettings(), out, progressEvery)) {
      env.execute(name);
      if (progress != null) {
        progress.finished();
      }
    }
  }

  /**
   * Prepares the database (missing tables, the views) and defines the production job on {@code
   * env}: Kafka in, JDBC tables out. Shared by {@link #main} and the local mode.
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
   * A {@code --bounded} run starts without state, so while it reads the topic again, and for good
   * where Kafka no longer holds the oldest records, it upserts totals of part of the input over the
   * complete ones (docs/tables.md: a row is never overwritten with a total computed from partial
   * state). It must write into a fresh database or schema, which then replaces the live one.
   * Checked before the schema is installed, so a refused start changes nothing.
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
        KafkaSources.create(settings.kafkaSettings()),
        ServerClockWatermarks.strategy(
            settings.watermarkBound(), settings.sourceIdleness(), settings.bounded()),
        TableSinks.create(settings.jdbcSettings()));
  }
}
