package io.upbot.job.session;

import io.upbot.job.model.serial.BulkStringSerializer;
import io.upbot.job.model.serial.ScratchSerializer;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * {@link EventNames} in one bulk write: the number of events as an int, then per event its
 * event_time as sent, its t (longs) and the end of its event_id (an int), then the ids as Flink's
 * {@code StringSerializer} writes a string (every char, lone surrogates too, kept exactly).
 */
public final class EventNamesSerializer extends ScratchSerializer<EventNames> {
  private static final long serialVersionUID = 1L;

  private static final int EVENT_BYTES = 2 * Long.BYTES + Integer.BYTES;

  @Override
  public ScratchSerializer<EventNames> duplicate() {
    return new EventNamesSerializer();
  }

  @Override
  public EventNames createInstance() {
    return EventNames.EMPTY;
  }

  @Override
  public void serialize(EventNames x, DataOutputView out) throws IOException {
    int n = x.size();
    long bound = Integer.BYTES + (long) EVENT_BYTES * n + BulkStringSerializer.bound(x.ids());
    if (bound > MAX_SCRATCH) {
      throw new IOException("event names of " + n + " events are too large to write");
    }
    byte[] b = scratch((int) bound);
    int p = putInt(n, b, 0);
    long[] slots = x.slots();
    for (int i = 0; i < slots.length; i += 3) {
      p = putLong(slots[i], b, p);
      p = putLong(slots[i + 1], b, p);
      p = putInt((int) slots[i + 2], b, p);
    }
    p = BulkStringSerializer.put(x.ids(), b, p);
    out.write(b, 0, p);
    release(b);
  }

  @Override
  public EventNames deserialize(DataInputView in) throws IOException {
    int n = in.readInt();
    long[] slots = new long[3 * n];
    for (int i = 0; i < slots.length; i += 3) {
      slots[i] = in.readLong();
      slots[i + 1] = in.readLong();
      slots[i + 2] = in.readInt();
    }
    return new EventNames(slots, StringValue.readString(in));
  }

  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    serialize(deserialize(in), out);
  }

  @Override
  public TypeSerializerSnapshot<EventNames> snapshotConfiguration() {
    return new Snapshot();
  }

  /** This format's snapshot: one format so far, restored by this serializer. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<EventNames> {
    public Snapshot() {
      super(EventNamesSerializer::new);
    }
  }
}
