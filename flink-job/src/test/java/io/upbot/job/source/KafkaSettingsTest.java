package io.upbot.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.JobSettings;
import io.upbot.job.StartFrom;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {

  @Test
  void shouldTakeTheSourcesFewSettingsFromTheJobs() {
    KafkaSettings k =
        settings(
            "--topic",
            "t",
            "--group-id",
            "g",
            "--start-from",
            "earliest",
            "--bounded",
            "--allowed-lateness",
            "2h");

    assertThat(k.bootstrap()).isEqualTo("k:9092");
    assertThat(k.topic()).isEqualTo("t");
    assertThat(k.groupId()).isEqualTo("g");
    assertThat(k.startFrom().kind()).isEqualTo(StartFrom.Kind.EARLIEST);
    assertThat(k.bounded()).isTrue();
    assertThat(k.allowedLatenessMs()).isEqualTo(Duration.ofHours(2).toMillis());
  }

  @Test
  void shouldCallTheSourceCheckpointedOnlyWhenTheJobTakesCheckpoints() {
    assertThat(settings("--checkpoint-interval", "10s").checkpointed()).isTrue();
    assertThat(settings("--checkpoint-interval", "off").checkpointed()).isFalse();
  }

  private static KafkaSettings settings(String... more) {
    String[] args = new String[more.length + 2];
    args[0] = "--kafka-bootstrap";
    args[1] = "k:9092";
    System.arraycopy(more, 0, args, 2, more.length);
    return JobSettings.parse(args, Map.of()).kafkaSettings();
  }
}
