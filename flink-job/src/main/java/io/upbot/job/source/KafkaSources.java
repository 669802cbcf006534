package io.upbot.job.source;

import io.upbot.job.StartFrom;
import io.upbot.job.model.DecodedRecord;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;

/** The job's Kafka source, built from its Kafka settings. */
public final class KafkaSources {

  private KafkaSources() {}

  /**
   * A source of decoded records. Its offsets live in the job's checkpoints (a restore resumes from
   * them, whatever {@code --start-from} says) and are committed to the group on each completed
   * checkpoint. {@code --bounded} stops at the end offsets seen at start: a backfill.
   */
  public static KafkaSource<DecodedRecord> create(KafkaSettings s) {
    KafkaSourceBuilder<DecodedRecord> b =
        KafkaSource.<DecodedRecord>builder()
            .setBootstrapServers(s.bootstrap())
            .setTopics(s.topic())
            .setGroupId(s.groupId())
            .setStartingOffsets(startingOffsets(s.topic(), s.startFrom()))
            .setDeserializer(new MediaEventDeserializer(new RecordDecoder(s.allowedLatenessMs())))
            // The endpoint writes with acks=all, idempotently; only committed data is read.
            .setProperty("isolation.level", "read_committed")
            .setProperty("commit.offsets.on.checkpoint", "true")
            .setClientIdPrefix(s.groupId());
    if (s.bounded()) {
      b.setBounded(OffsetsInitializer.latest());
      if (!s.checkpointed()) {
        // Without checkpoints nothing commits the group's offsets, which show a backfill's progress
        // (BackfillProgress, kafka-consumer-groups.sh): let the consumer commit them as it reads.
        b.setProperty("enable.auto.commit", "true");
        b.setProperty("auto.commit.interval.ms", "1000");
      }
    } else {
      b.setProperty("partition.discovery.interval.ms", "60000");
    }
    return b.build();
  }

  static OffsetsInitializer startingOffsets(String topic, StartFrom from) {
    switch (from.kind()) {
      case EARLIEST:
        return OffsetsInitializer.earliest();
      case LATEST:
        return OffsetsInitializer.latest();
      case TIMESTAMP:
        return OffsetsInitializer.timestamp(from.timestampMs());
      case OFFSETS:
        Map<TopicPartition, Long> offsets = new HashMap<>();
        from.offsets().forEach((p, o) -> offsets.put(new TopicPartition(topic, p), o));
        return OffsetsInitializer.offsets(offsets, OffsetResetStrategy.EARLIEST);
      case COMMITTED:
      default:
        return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
    }
  }
}
