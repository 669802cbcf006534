package io.upbot.job.model.serial;

import io.upbot.job.model.JourneyKey;
import java.io.IOException;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The sessionizer's key in Flink's POJO format, byte for byte, written with one bulk write.
 *
 * <p>The serialized key is the key of every state entry and timer (the lookup key on RocksDB), so
 * its bytes must stay those of the {@code PojoSerializer} that wrote the job's savepoints: a flags
 * byte (2, no subclass; or 1, null, alone), then for each field in the POJO type's order (by name:
 * appid, code, trace) a null flag and, if not null, the string as {@link BulkStringSerializer}
 * writes it. Its snapshot is that {@code PojoSerializer}'s own, so Flink sees the key serializer it
 * always saw, and a build without this class restores what it writes.
 */
public final class JourneyKeySerializer extends ScratchSerializer<JourneyKey> {
  private static final long serialVersionUID = 1L;

  private static final int FIELDS = 3;

  /** The serializer whose format this is: its snapshot, and keys too long for a scratch buffer. */
  private static final TypeSerializer<JourneyKey> POJO =
      TypeInformation.of(JourneyKey.class).createSerializer(new SerializerConfigImpl());

  @Override
  public ScratchSerializer<JourneyKey> duplicate() {
    return new JourneyKeySerializer();
  }

  @Override
  public JourneyKey createInstance() {
    return null;
  }

  @Override
  public void serialize(JourneyKey k, DataOutputView out) throws IOException {
    if (k == null) {
      out.writeByte(BulkStringSerializer.POJO_IS_NULL);
      return;
    }
    long bound =
        1
            + FIELDS
            + BulkStringSerializer.fieldBound(k.appid())
            + BulkStringSerializer.fieldBound(k.code())
            + BulkStringSerializer.fieldBound(k.trace());
    if (bound > MAX_SCRATCH) {
      POJO.duplicate().serialize(k, out);
      return;
    }
    byte[] b = scratch((int) bound);
    int p = 0;
    b[p++] = BulkStringSerializer.POJO_NO_SUBCLASS;
    p = BulkStringSerializer.putField(k.appid(), b, p);
    p = BulkStringSerializer.putField(k.code(), b, p);
    p = BulkStringSerializer.putField(k.trace(), b, p);
    out.write(b, 0, p);
    release(b);
  }

  @Override
  public JourneyKey deserialize(DataInputView in) throws IOException {
    byte flags = in.readByte();
    if ((flags & BulkStringSerializer.POJO_IS_NULL) != 0) {
      return null;
    }
    if (flags != BulkStringSerializer.POJO_NO_SUBCLASS) {
      // A record has no subclass: PojoSerializer never writes another flag for it.
      throw new IOException("not a JourneyKey written by Flink's POJO serializer: flags " + flags);
    }
    return new JourneyKey(readField(in), readField(in), readField(in));
  }

  private static String readField(DataInputView in) throws IOException {
    return in.readBoolean() ? null : StringValue.readString(in);
  }

  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    serialize(deserialize(in), out);
  }

  @Override
  public TypeSerializerSnapshot<JourneyKey> snapshotConfiguration() {
    return POJO.snapshotConfiguration();
  }
}
