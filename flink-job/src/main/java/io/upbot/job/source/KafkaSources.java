package io.upbot.job.source;

import io.upbot.job.StartFrom;
import io.upbot.job.model.DecodedRecord;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
            .setClientIdPrefix(s.groupId());
    if (s.bounded()) {
      b.setBounded(OffsetsInitializer.latest());
    }
    properties(s).forEach(b::setProperty);
    return b.build();
  }

  /** The consumer's properties, besides those the builder sets. */
  static Map<String, String> properties(KafkaSettings s) {
    Map<String, String> p = new LinkedHashMap<>();
    // The endpoint writes with acks=all, idempotently; only committed data is read.
    p.put("isolation.level", "read_committed");
    p.put("commit.offsets.on.checkpoint", "true");
    // Fetches of at least 256 KiB or 100 ms, not one per producer batch: each fetch costs the
    // broker and the source's fetcher about as much whatever it carries, and with Kafka's defaults
    // (1 byte) the job's fetches took the local broker about 2 µs an event, as much as the
    // endpoint's writes (./upbot bench pipeline; docs/performance.md, "Fewer objects per
    // journey"). A row can be up to 100 ms later at a trickle; a backlog is read at full fetches
    // either way.
    p.put("fetch.min.bytes", Integer.toString(FETCH_MIN_BYTES));
    p.put("fetch.max.wait.ms", Integer.toString(FETCH_MAX_WAIT_MS));
    if (s.bounded()) {
      if (!s.checkpointed()) {
        // Without checkpoints nothing commits the group's offsets, which show a backfill's progress
        // (BackfillProgress, kafka-consumer-groups.sh): let the consumer commit them as it reads.
        p.put("enable.auto.commit", "true");
        p.put("auto.commit.interval.ms", "1000");
      }
    } else {
      p.put("partition.discovery.interval.ms", "60000");
    }
    return p;
  }

  static final int FETCH_MIN_BYTES = 256 * 1024;
  static final int FETCH_MAX_WAIT_MS = 100;

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
