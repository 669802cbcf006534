package io.upbot.job.source;

import io.upbot.job.model.DecodedRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Decodes each Kafka record with {@link RecordDecoder}; never throws, whatever the bytes. */
public final class MediaEventDeserializer
    implements KafkaRecordDeserializationSchema<DecodedRecord> {
  private static final long serialVersionUID = 1L;

  private final RecordDecoder decoder;

  public MediaEventDeserializer(RecordDecoder decoder) {
    this.decoder = decoder;
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DecodedRecord> out) {
    String source = record.topic() + "/" + record.partition() + "/" + record.offset();
    out.collect(decoder.decode(record.value(), source, System.currentTimeMillis()));
  }

  @Override
  public TypeInformation<DecodedRecord> getProducedType() {
    return TypeInformation.of(DecodedRecord.class);
  }
}
