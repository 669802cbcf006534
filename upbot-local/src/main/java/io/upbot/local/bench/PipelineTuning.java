package io.upbot.local.bench;

import io.upbot.job.JobSettings;
import io.upbot.job.StartFrom;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * Job settings a pipeline bench run may change from the local stack's, to compare one setting at a
 * time ({@code null}: the local stack's own). The bench's job always starts at the topic's end, so
 * the events of the endpoint-alone phase, posted before the job started, are not in its figures.
 */
record PipelineTuning(
    Integer parallelism,
    Duration flushInterval,
    Duration jdbcBatchInterval,
    Duration checkpointInterval,
    String stateBackend) {

  /** No change but the starting offsets. */
  static final PipelineTuning NONE = new PipelineTuning(null, null, null, null, null);

  /** The job settings as this bench runs them. */
  UnaryOperator<JobSettings> apply() {
    return s ->
        s.toBuilder()
            .startFrom(StartFrom.parse("latest"))
            .parallelism(parallelism != null ? parallelism : s.parallelism())
            .flushInterval(flushInterval != null ? flushInterval : s.flushInterval())
            .jdbcBatchInterval(
                jdbcBatchInterval != null ? jdbcBatchInterval : s.jdbcBatchInterval())
            .checkpointInterval(
                checkpointInterval != null ? checkpointInterval : s.checkpointInterval())
            .stateBackend(stateBackend != null ? stateBackend : s.stateBackend())
            .build();
  }
}
