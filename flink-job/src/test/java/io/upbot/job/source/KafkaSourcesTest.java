package io.upbot.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.StartFrom;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The job's consumer reads committed data only, in fetches of some size, and commits as it must.
 */
class KafkaSourcesTest {

  static final long A = 24 * 3_600_000L;

  static KafkaSettings settings(boolean bounded, boolean checkpointed) {
    return new KafkaSettings(
        "k:9092", "upbot.media-events", "upbot", StartFrom.COMMITTED, bounded, checkpointed, A);
  }

  @Test
  void shouldReadCommittedDataInFetchesOfAtLeast256KiBOr100Ms() {
    Map<String, String> p = KafkaSources.properties(settings(false, true));

    assertThat(p)
        .containsEntry("isolation.level", "read_committed")
        .containsEntry("commit.offsets.on.checkpoint", "true")
        .containsEntry("fetch.min.bytes", "262144")
        .containsEntry("fetch.max.wait.ms", "100")
        .containsEntry("partition.discovery.interval.ms", "60000")
        .doesNotContainKey("enable.auto.commit");
    assertThat(KafkaSources.create(settings(false, true))).isNotNull();
  }

  @Test
  void shouldCommitAsItReadsOnlyInABackfillWithoutCheckpoints() {
    assertThat(KafkaSources.properties(settings(true, false)))
        .containsEntry("enable.auto.commit", "true")
        .containsEntry("auto.commit.interval.ms", "1000")
        .containsEntry("fetch.min.bytes", "262144")
        .doesNotContainKey("partition.discovery.interval.ms");
    assertThat(KafkaSources.properties(settings(true, true)))
        .doesNotContainKeys("enable.auto.commit", "partition.discovery.interval.ms");
  }
}
