package io.upbot.job.model.serial;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The type of a record that crosses exchanges with a {@link RecordSerializer}: given to the edges
 * explicitly, never found by {@code TypeInformation.of}, so the record's state type (if any) stays
 * Flink's POJO type.
 *
 * @param <T> the record
 */
public final class RecordTypeInfo<T> extends ClassTypeInfo<T> {
  private static final long serialVersionUID = 1L;

  private final RecordSerializer<T> serializer;

  public RecordTypeInfo(Class<T> type, RecordSerializer<T> serializer) {
    super(type);
    this.serializer = serializer;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<T> createSerializer(SerializerConfig config) {
    return serializer;
  }
}
