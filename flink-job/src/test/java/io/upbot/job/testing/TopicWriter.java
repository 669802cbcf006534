package io.upbot.job.testing;

import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes stream records to a topic as the endpoint does: key {@code appid|trace}, value by the
 * codec.
 */
public final class TopicWriter implements AutoCloseable {

  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;

  public TopicWriter(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    this.topic = topic;
  }

  /** Writes the events in order and waits for every acknowledgement. */
  public void write(List<MediaEvent> events) throws Exception {
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    for (MediaEvent m : events) {
      acks.add(
          producer.send(
              new ProducerRecord<>(
                  topic,
                  m.kafkaKey().getBytes(StandardCharsets.UTF_8),
                  MediaEventCodec.encode(m))));
    }
    for (var a : acks) {
      a.get();
    }
  }

  /** Writes one raw record; returns its {@code topic/partition/offset}. */
  public String writeRaw(byte[] value) throws Exception {
    RecordMetadata md = producer.send(new ProducerRecord<>(topic, null, value)).get();
    return md.topic() + "/" + md.partition() + "/" + md.offset();
  }

  @Override
  public void close() {
    producer.close();
  }
}
