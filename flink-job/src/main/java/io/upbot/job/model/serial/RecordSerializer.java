package io.upbot.job.model.serial;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A hand-written serializer of one immutable record that crosses an exchange between the job's
 * steps: field by field, without the reflection of Flink's POJO serializer. Never used for state,
 * so its format may change with the record (a running job's exchanges hold no data across a
 * restart).
 *
 * @param <T> the record
 */
public abstract class RecordSerializer<T> extends ImmutableSerializer<T> {
  private static final long serialVersionUID = 1L;

  /** Stateless: one instance serves every thread. */
  @Override
  public final RecordSerializer<T> duplicate() {
    return this;
  }

  @Override
  public final T createInstance() {
    return null;
  }

  @Override
  public final void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  /**
   * A string that may be null, of any length, as its UTF-8 bytes: Flink's own string format reads
   * through a thread-local buffer, whose lookup cost more than the copy here.
   */
  static void writeString(String s, DataOutputView out) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    if (isAscii(s)) {
      // The same bytes as UTF-8, without the array getBytes allocates (7 % of the job's
      // allocation), eight at a time. Not DataOutputSerializer.writeBytes: it moves its position
      // twice as far as it writes.
      int n = s.length();
      out.writeInt(n);
      int i = 0;
      for (; i + Long.BYTES <= n; i += Long.BYTES) {
        long v = 0;
        for (int k = 0; k < Long.BYTES; k++) {
          v = v << 8 | s.charAt(i + k);
        }
        out.writeLong(v);
      }
      for (; i < n; i++) {
        out.writeByte(s.charAt(i));
      }
      return;
    }
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /** Strings up to this many bytes are read without readFully: see {@link #readString}. */
  static final int BYTE_BY_BYTE = 64;

  /** A byte array seen as big-endian longs, as {@link DataInputView#readLong} reads them. */
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  static String readString(DataInputView in) throws IOException {
    int n = in.readInt();
    return n < 0 ? null : new String(readBytes(in, n), StandardCharsets.UTF_8);
  }

  /**
   * Strings that repeat from record to record (appids, codes, event ids) are given out as one
   * instance per value, as far as this cache keeps them. The state keeps each journey's and each
   * row's copy for hours (a journey's key and earliest event, a row's key): three fresh copies a
   * journey were a sixth of its heap objects, which the collector copies and marks
   * (SessionizerFootprint, docs/performance.md). Direct-mapped by hash: a value that collides with
   * another is simply not shared. Shared by every thread without locks: a slot holds null or a
   * complete string (its fields are final), and a hit is checked against the bytes read.
   */
  private static final String[] SHARED = new String[4096];

  /** Values longer than this are never shared: ids and codes are shorter. */
  static final int SHARED_MAX_BYTES = 64;

  /** {@link #readString}, giving out one instance per value for short ASCII values. */
  static String readShared(DataInputView in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    byte[] bytes = readBytes(in, n);
    if (n > SHARED_MAX_BYTES) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
    int h = 0;
    for (byte b : bytes) {
      if (b < 0) {
        return new String(bytes, StandardCharsets.UTF_8); // not ASCII: not shared
      }
      h = 31 * h + b;
    }
    int slot = (h ^ (h >>> 16)) & (SHARED.length - 1);
    String s = SHARED[slot];
    if (s != null && sameAscii(s, bytes)) {
      return s;
    }
    s = new String(bytes, StandardCharsets.US_ASCII);
    SHARED[slot] = s;
    return s;
  }

  private static boolean sameAscii(String s, byte[] bytes) {
    if (s.length() != bytes.length) {
      return false;
    }
    for (int i = 0; i < bytes.length; i++) {
      if (s.charAt(i) != bytes[i]) {
        return false;
      }
    }
    return true;
  }

  private static byte[] readBytes(DataInputView in, int n) throws IOException {
    byte[] bytes = new byte[n];
    if (n <= BYTE_BY_BYTE) {
      // On a network buffer readFully is an Unsafe.copyMemory whose checks cost more than copying
      // the few bytes of an id: it took 9 % of the job's CPU (JFR, ./upbot bench job). Eight
      // bytes at a time, then the rest one by one.
      int i = 0;
      for (; i + Long.BYTES <= n; i += Long.BYTES) {
        LONGS.set(bytes, i, in.readLong());
      }
      for (; i < n; i++) {
        bytes[i] = in.readByte();
      }
    } else {
      in.readFully(bytes);
    }
    return bytes;
  }
}
