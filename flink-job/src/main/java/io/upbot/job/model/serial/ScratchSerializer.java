package io.upbot.job.model.serial;

/**
 * A serializer of an immutable value that builds each value's bytes in a scratch buffer of its own
 * and hands them to the output in one bulk write: the outputs of a heap snapshot take a lock a
 * write call. The buffer makes it stateful, so {@link #duplicate()} gives a new instance.
 *
 * @param <T> the value
 */
public abstract class ScratchSerializer<T> extends ImmutableSerializer<T> {
  private static final long serialVersionUID = 1L;

  /** Buffers above this are dropped after use, so one long value is not kept alive. */
  static final int KEPT_SCRATCH = 64 * 1024;

  /** Values that could need more bytes than this are written as Flink writes them. */
  protected static final long MAX_SCRATCH = Integer.MAX_VALUE - 16;

  private transient byte[] scratch;

  @Override
  public abstract ScratchSerializer<T> duplicate();

  /** A buffer of at least {@code size} bytes, this instance's own. */
  protected final byte[] scratch(int size) {
    byte[] b = scratch;
    if (b == null || b.length < size) {
      b = new byte[Math.max(size, 64)];
      scratch = b;
    }
    return b;
  }

  /** Forgets a scratch buffer grown past {@link #KEPT_SCRATCH} by one long value. */
  protected final void release(byte[] b) {
    if (b.length > KEPT_SCRATCH) {
      scratch = null;
    }
  }

  /**
   * Writes {@code v} big-endian, as {@code DataOutput.writeLong}, at {@code p}; returns the end.
   */
  protected static int putLong(long v, byte[] b, int p) {
    putInt((int) (v >>> 32), b, p);
    return putInt((int) v, b, p + Integer.BYTES);
  }

  /** Writes {@code v} big-endian, as {@code DataOutput.writeInt}, at {@code p}; returns the end. */
  protected static int putInt(int v, byte[] b, int p) {
    b[p] = (byte) (v >>> 24);
    b[p + 1] = (byte) (v >>> 16);
    b[p + 2] = (byte) (v >>> 8);
    b[p + 3] = (byte) v;
    return p + Integer.BYTES;
  }
}
