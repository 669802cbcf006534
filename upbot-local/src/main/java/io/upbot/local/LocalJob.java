package io.upbot.local;

import io.upbot.job.JobSettings;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The analytics job on an embedded Flink cluster (MiniCluster) with its web UI. */
final class LocalJob {

  private LocalJob() {}

  /**
   * Submits the job; {@code restoreFrom} (a checkpoint or savepoint directory, or {@code null}) is the
   * state it resumes from, Kafka offsets included.
   */
  static JobClient start(JobSettings settings, int webPort, Path restoreFrom) throws Exception {
    Configuration conf = new Configuration();
    conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
    conf.set(RestOptions.ADDRESS, "127.0.0.1");
    conf.set(RestOptions.PORT, webPort);
    if (restoreFrom != null) {
      conf.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom.toUri().toString());
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
    io.upbot.job.JobMain.define(env, settings);
    return env.executeAsync("upbot analytics (local)");
  }
}
