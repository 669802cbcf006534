package io.upbot.job.model.serial;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The type of a key or state value written by a {@link ScratchSerializer} of {@link StateTypes}:
 * each {@link #createSerializer} gives a fresh instance, since the serializer keeps a scratch
 * buffer.
 *
 * @param <T> the key or value
 */
public final class StateTypeInfo<T> extends ClassTypeInfo<T> {
  private static final long serialVersionUID = 1L;

  private final ScratchSerializer<T> prototype;

  public StateTypeInfo(Class<T> type, ScratchSerializer<T> prototype) {
    super(type);
    this.prototype = prototype;
  }

  @Override
  public boolean isKeyType() {
    return true;
  }

  @Override
  public TypeSerializer<T> createSerializer(SerializerConfig config) {
    return prototype.duplicate();
  }
}
