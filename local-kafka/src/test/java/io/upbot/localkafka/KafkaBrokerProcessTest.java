package io.upbot.localkafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The KRaft cluster ids the broker's storage is formatted with. */
class KafkaBrokerProcessTest {

  @Test
  void shouldNeverGenerateAClusterIdStartingWithADash() {
    // A dash comes first in about 1 of 64 plain base64 ids: 20,000 draws would meet ~300 of them.
    Set<String> ids = new HashSet<>();
    IntStream.range(0, 20_000).forEach(i -> ids.add(KafkaBrokerProcess.clusterId()));

    assertThat(ids).hasSize(20_000).noneMatch(id -> id.startsWith("-"));
  }

  @Test
  void shouldGenerateClusterIdsKafkaAccepts() {
    // Kafka's Uuid.fromString wants 16 bytes as URL-safe base64 without padding (22 characters).
    for (int i = 0; i < 1_000; i++) {
      String id = KafkaBrokerProcess.clusterId();
      assertThat(id).hasSize(22).matches("[A-Za-z0-9_-]+");
      assertThat(Base64.getUrlDecoder().decode(id)).hasSize(16);
    }
  }
}
