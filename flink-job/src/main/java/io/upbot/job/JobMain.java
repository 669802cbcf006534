package io.upbot.job;

import io.upbot.job.sink.SchemaInstaller;
import io.upbot.job.sink.TableSinks;
import io.upbot.job.source.KafkaSources;
import io.upbot.job.source.ServerClockWatermarks;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Entry point of the job ({@code flink run upbot-flink-job.jar --help}): only wires the parts. */
public final class JobMain {

  private JobMain() {}

  public static void main(String[] args) throws Exception {
    if (JobSettings.wantsHelp(args)) {
      System.out.print(JobSettings.usage());
      return;
    }
    JobSettings settings;
    try {
      settings = JobSettings.parse(args, System.getenv());
    } catch (SettingsException e) {
      System.err.println(e.getMessage());
      System.err.println("(--help lists every flag)");
      System.exit(2);
      return;
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    try {
      define(env, settings);
    } catch (IllegalStateException e) {
      // The database could not be prepared: say so plainly, without a stack trace.
      System.err.println("upbot job: " + e.getMessage());
      System.exit(1);
      return;
    }
    env.execute("upbot analytics" + (settings.bounded() ? " (backfill)" : ""));
  }

  /**
   * Prepares the database (missing tables, the views) and defines the production job on {@code env}:
   * Kafka in, JDBC tables out. Shared by {@link #main} and the local mode.
   */
  public static void define(StreamExecutionEnvironment env, JobSettings settings) {
    SchemaInstaller.install(settings.jdbcSettings());
    AnalyticsJob.configure(env, settings);
    AnalyticsJob.build(
        env,
        settings,
        KafkaSources.create(settings),
        ServerClockWatermarks.strategy(settings),
        TableSinks.create(settings.jdbcSettings()));
  }
}
