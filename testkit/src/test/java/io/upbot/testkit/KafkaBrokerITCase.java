package io.upbot.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaBrokerITCase {

  @Test
  void shouldKeepRecordsAcrossRestartAndRefuseWhileStopped() throws Exception {
    try (KafkaBroker broker = KafkaBroker.start()) {
      broker.createTopic("t", 2);
      send(broker, "before");
      assertThat(broker.count("t")).isEqualTo(1);

      broker.stop();
      assertThatThrownBy(() -> send(broker, "during")).isNotNull();

      broker.restart();
      send(broker, "after");
      assertThat(broker.readAll("t"))
          .extracting(r -> new String(r.value()))
          .containsExactlyInAnyOrder("before", "after");
    }
  }

  private static void send(KafkaBroker broker, String value) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "3000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "1000");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>("t", "k", value)).get(5, TimeUnit.SECONDS);
    }
  }
}
