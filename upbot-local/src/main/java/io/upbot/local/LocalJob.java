package io.upbot.local;

import io.upbot.job.JobSettings;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The analytics job on an embedded Flink cluster (MiniCluster) with its web UI. */
final class LocalJob {

  private LocalJob() {}

  /** {@code s} with changed rows written at most {@code flushInterval} after the change. */
  static JobSettings withFlushInterval(JobSettings s, Duration flushInterval) {
    return s.toBuilder().flushInterval(flushInterval).build();
  }

  /**
   * {@code s} with {@code --joins-from wecom}: only WeCom's joins make stage 3
   * (docs/semantics.md#wecom-joins).
   */
  static JobSettings withWeComJoinsOnly(JobSettings s) {
    return s.toBuilder().stages(s.stages().withWeComJoinsOnly(true)).build();
  }

  /** {@code s} with partitions idle after {@code idleness} without records. */
  static JobSettings withSourceIdleness(JobSettings s, Duration idleness) {
    return s.toBuilder().sourceIdleness(idleness).build();
  }

  /**
   * Submits the job; {@code restoreFrom} (a checkpoint or savepoint directory, or {@code null}) is
   * the state it resumes from, Kafka offsets included.
   */
  static JobClient start(JobSettings settings, int webPort, Path restoreFrom) throws Exception {
    Configuration conf = new Configuration();
    conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
    conf.set(RestOptions.ADDRESS, "127.0.0.1");
    conf.set(RestOptions.PORT, webPort);
    if (restoreFrom != null) {
      conf.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom.toUri().toString());
      // A data dir left by an older build may hold state of operators the job no longer has (the
      // JDBC
      // sinks' committers went when the sinks became writer-only). Local mode is for trying upbot
      // out, so
      // it resumes without that state rather than refusing to start; the job's own operators keep
      // their
      // uids (AnalyticsJobGraphTest pins them), so nothing of theirs is skipped.
      conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
    }
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
    io.upbot.job.JobMain.define(env, settings);
    return env.executeAsync("upbot analytics (local)");
  }
}
