package io.upbot.job.model.serial;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Flink's {@link StringSerializer} format, byte for byte, written with one bulk write per string.
 *
 * <p>Flink's writes each char with its own {@code out.write(int)}; a heap snapshot's output is a
 * {@code DataOutputStream}, whose {@code write(int)} takes a lock, so a checkpoint spent most of
 * its time there (JFR, docs/performance.md).
 *
 * <p>Its snapshot is Flink's own {@link StringSerializer.StringSerializerSnapshot}: state written
 * with it is the state Flink's serializer writes, described the same way, so a savepoint taken
 * before or after it restores with either.
 */
public final class BulkStringSerializer extends ScratchSerializer<String> {
  private static final long serialVersionUID = 1L;

  /** The marker {@code StringValue.writeString} writes for null, and its varint's high bit. */
  static final int NULL = 0;

  private static final int HIGH_BIT = 0x80;

  /** A varint of an int takes at most 5 bytes, of a char at most 3. */
  static final int MAX_LENGTH_BYTES = 5;

  static final int MAX_CHAR_BYTES = 3;

  @Override
  public ScratchSerializer<String> duplicate() {
    return new BulkStringSerializer();
  }

  @Override
  public String createInstance() {
    return "";
  }

  @Override
  public void serialize(String s, DataOutputView out) throws IOException {
    long bound = bound(s);
    if (bound > MAX_SCRATCH) {
      StringValue.writeString(s, out);
      return;
    }
    byte[] b = scratch((int) bound);
    out.write(b, 0, put(s, b, 0));
    release(b);
  }

  @Override
  public String deserialize(DataInputView in) throws IOException {
    return StringValue.readString(in);
  }

  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    StringValue.copyString(in, out);
  }

  @Override
  public TypeSerializerSnapshot<String> snapshotConfiguration() {
    return new StringSerializer.StringSerializerSnapshot();
  }

  /** {@code PojoSerializer}'s flags before a value's fields: null, or of the declared class. */
  public static final byte POJO_IS_NULL = 1;

  public static final byte POJO_NO_SUBCLASS = 2;

  /**
   * Writes a string field as {@code PojoSerializer} does: its null flag ({@code writeBoolean}),
   * then the string unless null.
   *
   * @return the position after it
   */
  public static int putField(String s, byte[] b, int pos) {
    b[pos] = (byte) (s == null ? 1 : 0);
    return s == null ? pos + 1 : put(s, b, pos + 1);
  }

  /** The most bytes {@link #putField} writes for {@code s}, its null flag aside. */
  public static long fieldBound(String s) {
    return s == null ? 0 : bound(s);
  }

  /** The most bytes {@link #put} writes for {@code s}. */
  public static long bound(String s) {
    return s == null ? 1 : MAX_LENGTH_BYTES + (long) MAX_CHAR_BYTES * s.length();
  }

  /**
   * Writes {@code s} as {@code StringValue.writeString} does into {@code b} from {@code pos}: 0 for
   * null, else its length + 1 and then each char, as 7-bit varints, low bits first.
   *
   * @return the position after it
   */
  public static int put(String s, byte[] b, int pos) {
    int p = pos;
    if (s == null) {
      b[p++] = NULL;
      return p;
    }
    int n = s.length();
    int v = n + 1;
    while (v >= HIGH_BIT) {
      b[p++] = (byte) (v | HIGH_BIT);
      v >>>= 7;
    }
    b[p++] = (byte) v;
    for (int i = 0; i < n; i++) {
      int c = s.charAt(i);
      if (c < HIGH_BIT) {
        b[p++] = (byte) c;
      } else if (c < HIGH_BIT << 7) {
        b[p++] = (byte) (c | HIGH_BIT);
        b[p++] = (byte) (c >>> 7);
      } else {
        b[p++] = (byte) (c | HIGH_BIT);
        b[p++] = (byte) ((c >>> 7) | HIGH_BIT);
        b[p++] = (byte) (c >>> 14);
      }
    }
    return p;
  }
}
