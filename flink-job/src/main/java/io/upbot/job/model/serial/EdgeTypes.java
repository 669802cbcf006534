package io.upbot.job.model.serial;

import static io.upbot.job.model.serial.RecordSerializer.readShared;
import static io.upbot.job.model.serial.RecordSerializer.readString;
import static io.upbot.job.model.serial.RecordSerializer.writeString;

import io.upbot.job.model.DwellDelta;
import io.upbot.job.model.EventDelta;
import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.model.SessionDelta;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The types of the records every event or session change carries across an exchange (events to the
 * guard and the sessionizer, deltas to the row aggregators), with hand-written serializers.
 */
public final class EdgeTypes {

  private EdgeTypes() {}

  public static final TypeInformation<JourneyEvent> JOURNEY_EVENT =
      new RecordTypeInfo<>(JourneyEvent.class, new JourneyEventSerializer());
  public static final TypeInformation<FunnelDelta> FUNNEL_DELTA =
      new RecordTypeInfo<>(FunnelDelta.class, new FunnelDeltaSerializer());
  public static final TypeInformation<EventDelta> EVENT_DELTA =
      new RecordTypeInfo<>(EventDelta.class, new EventDeltaSerializer());
  public static final TypeInformation<DwellDelta> DWELL_DELTA =
      new RecordTypeInfo<>(DwellDelta.class, new DwellDeltaSerializer());
  public static final TypeInformation<SessionDelta> SESSION_DELTA =
      new RecordTypeInfo<>(SessionDelta.class, new SessionDeltaSerializer());

  /** {@link JourneyEvent}, every field. */
  public static final class JourneyEventSerializer extends RecordSerializer<JourneyEvent> {
    private static final long serialVersionUID = 1L;

    @Override
    public void serialize(JourneyEvent e, DataOutputView out) throws IOException {
      writeString(e.appid(), out);
      writeString(e.code(), out);
      writeString(e.trace(), out);
      writeString(e.eventId(), out);
      out.writeLong(e.eventTime());
      out.writeLong(e.t());
      out.writeLong(e.receivedAt());
      out.writeBoolean(e.duration() != null);
      if (e.duration() != null) {
        out.writeInt(e.duration());
      }
      writeString(e.openid(), out);
      out.writeInt(e.accountType());
      out.writeInt(e.deviceType());
      out.writeInt(e.mediaType());
      writeString(e.unionid(), out);
      writeString(e.source(), out);
    }

    @Override
    public JourneyEvent deserialize(DataInputView in) throws IOException {
      String appid = readShared(in);
      String code = readShared(in);
      String trace = readString(in);
      String eventId = readShared(in);
      long eventTime = in.readLong();
      long t = in.readLong();
      long receivedAt = in.readLong();
      Integer duration = in.readBoolean() ? in.readInt() : null;
      return new JourneyEvent(
          appid,
          code,
          trace,
          eventId,
          eventTime,
          t,
          receivedAt,
          duration,
          readString(in),
          in.readInt(),
          in.readInt(),
          in.readInt(),
          readString(in),
          readString(in));
    }

    @Override
    public TypeSerializerSnapshot<JourneyEvent> snapshotConfiguration() {
      return new JourneyEventSnapshot();
    }
  }

  /** The snapshot of {@link JourneyEventSerializer}. */
  public static final class JourneyEventSnapshot
      extends SimpleTypeSerializerSnapshot<JourneyEvent> {
    public JourneyEventSnapshot() {
      super(JourneyEventSerializer::new);
    }
  }

  /** {@link FunnelDelta}. */
  public static final class FunnelDeltaSerializer extends RecordSerializer<FunnelDelta> {
    private static final long serialVersionUID = 1L;

    @Override
    public void serialize(FunnelDelta d, DataOutputView out) throws IOException {
      out.writeLong(d.bucketStart());
      writeString(d.appid(), out);
      writeString(d.code(), out);
      out.writeInt(d.sessions());
      out.writeInt(d.exposed());
      out.writeInt(d.longPressed());
      out.writeInt(d.joined());
      out.writeInt(d.liveSessions());
    }

    @Override
    public FunnelDelta deserialize(DataInputView in) throws IOException {
      return new FunnelDelta(
          in.readLong(),
          readShared(in),
          readShared(in),
          in.readInt(),
          in.readInt(),
          in.readInt(),
          in.readInt(),
          in.readInt());
    }

    @Override
    public TypeSerializerSnapshot<FunnelDelta> snapshotConfiguration() {
      return new FunnelDeltaSnapshot();
    }
  }

  /** The snapshot of {@link FunnelDeltaSerializer}. */
  public static final class FunnelDeltaSnapshot extends SimpleTypeSerializerSnapshot<FunnelDelta> {
    public FunnelDeltaSnapshot() {
      super(FunnelDeltaSerializer::new);
    }
  }

  /** {@link EventDelta}. */
  public static final class EventDeltaSerializer extends RecordSerializer<EventDelta> {
    private static final long serialVersionUID = 1L;

    @Override
    public void serialize(EventDelta d, DataOutputView out) throws IOException {
      out.writeLong(d.bucketStart());
      writeString(d.appid(), out);
      writeString(d.code(), out);
      writeString(d.eventId(), out);
      out.writeInt(d.events());
    }

    @Override
    public EventDelta deserialize(DataInputView in) throws IOException {
      return new EventDelta(
          in.readLong(), readShared(in), readShared(in), readShared(in), in.readInt());
    }

    @Override
    public TypeSerializerSnapshot<EventDelta> snapshotConfiguration() {
      return new EventDeltaSnapshot();
    }
  }

  /** The snapshot of {@link EventDeltaSerializer}. */
  public static final class EventDeltaSnapshot extends SimpleTypeSerializerSnapshot<EventDelta> {
    public EventDeltaSnapshot() {
      super(EventDeltaSerializer::new);
    }
  }

  /** {@link DwellDelta}. */
  public static final class DwellDeltaSerializer extends RecordSerializer<DwellDelta> {
    private static final long serialVersionUID = 1L;

    @Override
    public void serialize(DwellDelta d, DataOutputView out) throws IOException {
      out.writeLong(d.bucketStart());
      writeString(d.appid(), out);
      writeString(d.code(), out);
      out.writeInt(d.durationS());
      out.writeInt(d.count());
    }

    @Override
    public DwellDelta deserialize(DataInputView in) throws IOException {
      return new DwellDelta(
          in.readLong(), readShared(in), readShared(in), in.readInt(), in.readInt());
    }

    @Override
    public TypeSerializerSnapshot<DwellDelta> snapshotConfiguration() {
      return new DwellDeltaSnapshot();
    }
  }

  /** The snapshot of {@link DwellDeltaSerializer}. */
  public static final class DwellDeltaSnapshot extends SimpleTypeSerializerSnapshot<DwellDelta> {
    public DwellDeltaSnapshot() {
      super(DwellDeltaSerializer::new);
    }
  }

  /** {@link SessionDelta}. */
  public static final class SessionDeltaSerializer extends RecordSerializer<SessionDelta> {
    private static final long serialVersionUID = 1L;

    @Override
    public void serialize(SessionDelta d, DataOutputView out) throws IOException {
      out.writeLong(d.bucketStart());
      writeString(d.appid(), out);
      writeString(d.code(), out);
      writeString(d.openid(), out);
      out.writeInt(d.accountType());
      out.writeInt(d.deviceType());
      out.writeInt(d.mediaType());
      out.writeInt(d.depth());
      out.writeLong(d.pressMs());
      out.writeLong(d.joinMs());
      out.writeInt(d.sessions());
      out.writeInt(d.live());
    }

    @Override
    public SessionDelta deserialize(DataInputView in) throws IOException {
      return new SessionDelta(
          in.readLong(),
          readShared(in),
          readShared(in),
          readString(in),
          in.readInt(),
          in.readInt(),
          in.readInt(),
          in.readInt(),
          in.readLong(),
          in.readLong(),
          in.readInt(),
          in.readInt());
    }

    @Override
    public TypeSerializerSnapshot<SessionDelta> snapshotConfiguration() {
      return new SessionDeltaSnapshot();
    }
  }

  /** The snapshot of {@link SessionDeltaSerializer}. */
  public static final class SessionDeltaSnapshot
      extends SimpleTypeSerializerSnapshot<SessionDelta> {
    public SessionDeltaSnapshot() {
      super(SessionDeltaSerializer::new);
    }
  }
}
