package io.upbot.job.session;

import io.upbot.job.model.serial.BulkStringSerializer;
import io.upbot.job.model.serial.ScratchSerializer;
import java.io.IOException;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The sessionizer's index in Flink's POJO format, byte for byte, written with one bulk write: the
 * bytes and the snapshot of the {@code PojoSerializer} of {@link JourneyIndex}, so existing state
 * restores as it is and a build without this class restores what it writes.
 *
 * <p>The layout, as {@code PojoSerializer} and {@code GenericArraySerializer} write it: each POJO a
 * flags byte (2, no subclass; or 1 alone for null), then its fields in the order of their names,
 * each a null flag ({@code writeBoolean}) and, if not null, its value (big-endian {@code
 * long}/{@code int}, a {@code boolean} byte, a string as Flink's {@code StringSerializer}); an
 * array its length as an int, then per element a presence flag and the element. Reading is left to
 * Flink's serializer.
 */
public final class JourneyIndexSerializer extends ScratchSerializer<JourneyIndex> {
  private static final long serialVersionUID = 1L;

  /** Bytes of a LiveSession without its first event: flags, 11 null flags, 8 longs, 3 ints. */
  private static final int SESSION_BYTES = 1 + 11 + 8 * Long.BYTES + 3 * Integer.BYTES;

  /** Bytes of a FirstEvent without its strings: flags, 6 null flags, a long, 3 ints. */
  private static final int FIRST_BYTES = 1 + 6 + Long.BYTES + 3 * Integer.BYTES;

  /** The serializer whose format this is: its snapshot, reading, and oversized values. */
  private static final TypeSerializer<JourneyIndex> POJO =
      TypeInformation.of(JourneyIndex.class).createSerializer(new SerializerConfigImpl());

  /** This instance's copy of {@link #POJO} for reading. */
  private transient TypeSerializer<JourneyIndex> reader;

  @Override
  public ScratchSerializer<JourneyIndex> duplicate() {
    return new JourneyIndexSerializer();
  }

  @Override
  public JourneyIndex createInstance() {
    return null;
  }

  @Override
  public void serialize(JourneyIndex x, DataOutputView out) throws IOException {
    long bound = bound(x);
    if (x == null || x.sessions() == null || bound > MAX_SCRATCH) {
      POJO.duplicate().serialize(x, out);
      return;
    }
    byte[] b = scratch((int) bound);
    int p = 0;
    b[p++] = BulkStringSerializer.POJO_NO_SUBCLASS;
    // capReported, nextSessionId, sessions
    b[p++] = 0;
    b[p++] = (byte) (x.capReported() ? 1 : 0);
    b[p++] = 0;
    p = putLong(x.nextSessionId(), b, p);
    b[p++] = 0;
    LiveSession[] sessions = x.sessions();
    p = putInt(sessions.length, b, p);
    for (LiveSession s : sessions) {
      b[p++] = (byte) (s == null ? 0 : 1);
      if (s != null) {
        p = putSession(s, b, p);
      }
    }
    out.write(b, 0, p);
    release(b);
  }

  /**
   * LiveSession's fields by name: copiesUntil events first id last m1 m2 m3 pending2 pending3
   * start.
   */
  private static int putSession(LiveSession s, byte[] b, int pos) {
    int p = pos;
    b[p++] = BulkStringSerializer.POJO_NO_SUBCLASS;
    b[p++] = 0;
    p = putLong(s.copiesUntil(), b, p);
    b[p++] = 0;
    p = putInt(s.events(), b, p);
    FirstEvent f = s.first();
    b[p++] = (byte) (f == null ? 1 : 0);
    if (f != null) {
      p = putFirst(f, b, p);
    }
    b[p++] = 0;
    p = putLong(s.id(), b, p);
    b[p++] = 0;
    p = putLong(s.last(), b, p);
    b[p++] = 0;
    p = putLong(s.m1(), b, p);
    b[p++] = 0;
    p = putLong(s.m2(), b, p);
    b[p++] = 0;
    p = putLong(s.m3(), b, p);
    b[p++] = 0;
    p = putInt(s.pending2(), b, p);
    b[p++] = 0;
    p = putInt(s.pending3(), b, p);
    b[p++] = 0;
    return putLong(s.start(), b, p);
  }

  /** FirstEvent's fields by name: accountType deviceType eventId eventTime mediaType openid. */
  private static int putFirst(FirstEvent f, byte[] b, int pos) {
    int p = pos;
    b[p++] = BulkStringSerializer.POJO_NO_SUBCLASS;
    b[p++] = 0;
    p = putInt(f.accountType(), b, p);
    b[p++] = 0;
    p = putInt(f.deviceType(), b, p);
    p = BulkStringSerializer.putField(f.eventId(), b, p);
    b[p++] = 0;
    p = putLong(f.eventTime(), b, p);
    b[p++] = 0;
    p = putInt(f.mediaType(), b, p);
    return BulkStringSerializer.putField(f.openid(), b, p);
  }

  /** The most bytes {@link #serialize} writes for {@code x}. */
  private static long bound(JourneyIndex x) {
    if (x == null || x.sessions() == null) {
      return 0;
    }
    long n = 1 + 2 + 1 + Long.BYTES + 1 + Integer.BYTES;
    for (LiveSession s : x.sessions()) {
      n += 1;
      if (s != null) {
        n += SESSION_BYTES;
        FirstEvent f = s.first();
        if (f != null) {
          n +=
              FIRST_BYTES
                  + BulkStringSerializer.fieldBound(f.eventId())
                  + BulkStringSerializer.fieldBound(f.openid());
        }
      }
    }
    return n;
  }

  @Override
  public JourneyIndex deserialize(DataInputView in) throws IOException {
    if (reader == null) {
      reader = POJO.duplicate();
    }
    return reader.deserialize(in);
  }

  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    serialize(deserialize(in), out);
  }

  @Override
  public TypeSerializerSnapshot<JourneyIndex> snapshotConfiguration() {
    return POJO.snapshotConfiguration();
  }
}
