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
 * byte ({@code NO_SUBCLASS}, or {@code IS_NULL} alone), then for each field in the POJO type's
 * order (by name: appid, code, trace) a null flag and, if not null, the string as {@link
 * BulkStringSerializer} writes it. Its snapshot is that {@code PojoSerializer}'s own, so Flink sees
 * the key serializer it always saw, and a build without this class restores what it writes.
 */
public final class JourneyKeySerializer extends ScratchSerializer<JourneyKey> {
  private static final long serialVersionUID = 1L;

  /** {@code PojoSerializer}'s flags. */
  static final byte IS_NULL = 1;

  static final byte NO_SUBCLASS = 2;

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
      out.writeByte(IS_NULL);
      return;
    }
    long bound = 1 + FIELDS + bound(k.appid()) + bound(k.code()) + bound(k.trace());
    if (bound > MAX_SCRATCH) {
      POJO.duplicate().serialize(k, out);
      return;
    }
    byte[] b = scratch((int) bound);
    int p = 0;
    b[p++] = NO_SUBCLASS;
    p = putField(k.appid(), b, p);
    p = putField(k.code(), b, p);
    p = putField(k.trace(), b, p);
    out.write(b, 0, p);
    release(b);
  }

  private static long bound(String s) {
    return s == null ? 0 : BulkStringSerializer.bound(s);
  }

  /** The null flag {@code DataOutput.writeBoolean} writes, then the string if not null. */
  private static int putField(String s, byte[] b, int pos) {
    b[pos] = (byte) (s == null ? 1 : 0);
    return s == null ? pos + 1 : BulkStringSerializer.put(s, b, pos + 1);
  }

  @Override
  public JourneyKey deserialize(DataInputView in) throws IOException {
    byte flags = in.readByte();
    if ((flags & IS_NULL) != 0) {
      return null;
    }
    if (flags != NO_SUBCLASS) {
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
