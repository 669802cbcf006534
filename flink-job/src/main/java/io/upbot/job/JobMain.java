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
    SchemaInstaller.install(settings.jdbcSettings());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    AnalyticsJob.configure(env, settings);
    AnalyticsJob.build(
        env,
        settings,
        KafkaSources.create(settings),
        ServerClockWatermarks.strategy(settings),
        TableSinks.create(settings.jdbcSettings()));
    env.execute("upbot analytics" + (settings.bounded() ? " (backfill)" : ""));
  }
}
