package io.upbot.benchmarks;

import io.upbot.job.aggregate.DeltaCombiner;
import io.upbot.job.aggregate.DeltaSums;
import io.upbot.job.model.DayBuckets;
import io.upbot.job.model.EventDelta;
import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.model.SessionDelta;
import io.upbot.job.model.serial.EdgeTypes;
import java.io.IOException;
import java.lang.reflect.Field;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The sessionizer chain's hand-offs per event, without the sessionizer's state: an event read from
 * its exchange and keyed by journey (its key hashed twice: key group, state map), the deltas the
 * sessionizer makes of it (a funnel delta, an event delta, a session's −1/+1) summed in the job's
 * {@link DeltaCombiner}s, and each sum keyed, hashed and serialised for its exchanges (the session
 * deltas for four: breakdown, two daily, hourly) and read again by the aggregators, which key them
 * once more. Traffic as {@code ./upbot bench job}'s: 4 appids × 100 codes, journeys of 4 events.
 * Scores are ns per event.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 8)
@Measurement(iterations = 3, time = 3)
public class DeltaHandOffBenchmark {

  static final int EVENTS = 10_000;
  private static final long BASE = Instant.parse("2026-11-30T10:00:00Z").toEpochMilli();

  /** The events as the sessionizer's exchange carries them, and the operators after it. */
  @State(Scope.Thread)
  public static class Chain {
    byte[] events;
    final TypeSerializer<JourneyEvent> eventReader = serializer(EdgeTypes.JOURNEY_EVENT);
    final DayBuckets days = new DayBuckets(ZoneId.of("Asia/Shanghai"));
    Sent<FunnelDelta> funnel;
    Sent<EventDelta> event;
    Sent<SessionDelta> session;
    OneInputStreamOperatorTestHarness<FunnelDelta, FunnelDelta> funnelSums;
    OneInputStreamOperatorTestHarness<EventDelta, EventDelta> eventSums;
    OneInputStreamOperatorTestHarness<SessionDelta, SessionDelta> sessionSums;

    @Setup(Level.Trial)
    public void open() throws Exception {
      Random r = new Random(7);
      TypeSerializer<JourneyEvent> writer = serializer(EdgeTypes.JOURNEY_EVENT);
      DataOutputSerializer out = new DataOutputSerializer(1 << 20);
      String[] ids = {Traffic.EXPOSED, Traffic.PAGE_JUMP, Traffic.LONG_PRESSED, Traffic.JOINED};
      for (int i = 0; i < EVENTS; i++) {
        int journey = i / 4;
        int a = journey % 4;
        long t = BASE + 1_000L * i;
        // Fresh strings, as a decoder makes them.
        writer.serialize(
            new JourneyEvent(
                new String("wx-bench-" + a),
                new String("code-" + a + "-" + r.nextInt(100)),
                "trace-" + journey + "-" + r.nextLong(),
                ids[i % 4],
                t,
                t,
                t + 500,
                i % 4 == 0 ? 12 : null,
                "openid-" + journey,
                1,
                r.nextInt(3),
                1),
            out);
      }
      events = out.getCopyOfBuffer();
      funnel = new Sent<>(EdgeTypes.FUNNEL_DELTA, d -> d.rowKey().hashCode());
      event = new Sent<>(EdgeTypes.EVENT_DELTA, d -> d.rowKey().hashCode());
      session =
          new Sent<>(
              EdgeTypes.SESSION_DELTA,
              d -> d.breakdownKey().hashCode(),
              d -> days.key(d.bucketStart(), d.appid(), d.code()).hashCode(),
              d -> days.key(d.bucketStart(), d.appid(), d.code()).hashCode(),
              d -> d.hourKey().hashCode());
      funnelSums = combiner(new DeltaSums.Funnel(), funnel);
      eventSums = combiner(new DeltaSums.Events(), event);
      sessionSums = combiner(new DeltaSums.Sessions(), session);
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
      funnelSums.close();
      eventSums.close();
      sessionSums.close();
    }
  }

  /** Reads one invocation's events, sums their deltas and sends the sums on; the sums sent. */
  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public int handOff(Chain c) throws Exception {
    DataInputDeserializer in = new DataInputDeserializer(c.events);
    int keys = 0;
    for (int i = 0; i < EVENTS; i++) {
      JourneyEvent e = c.eventReader.deserialize(in);
      keys += e.journeyKey().hashCode() + e.journeyKey().hashCode();
      long hour = e.t() - Math.floorMod(e.t(), 3_600_000L);
      c.funnelSums.processElement(
          new FunnelDelta(hour, e.appid(), e.code(), i % 4 == 0 ? 1 : 0, 1, 0, 0, 1), e.t());
      c.eventSums.processElement(new EventDelta(hour, e.appid(), e.code(), e.eventId(), 1), e.t());
      if (i % 4 != 1) {
        c.sessionSums.processElement(
            new SessionDelta(
                hour, e.appid(), e.code(), e.openid(), 1, e.deviceType(), 1, i % 4, -1, -1, 1, 1),
            e.t());
        if (i % 4 != 0) {
          c.sessionSums.processElement(
              new SessionDelta(
                  hour,
                  e.appid(),
                  e.code(),
                  e.openid(),
                  1,
                  e.deviceType(),
                  1,
                  i % 4 - 1,
                  -1,
                  -1,
                  -1,
                  -1),
              e.t());
        }
      }
      if (i % 1_000 == 999) {
        // The combiners' flush, as their timer fires every 500 ms.
        c.funnelSums.prepareSnapshotPreBarrier(i);
        c.eventSums.prepareSnapshotPreBarrier(i);
        c.sessionSums.prepareSnapshotPreBarrier(i);
      }
    }
    return keys + c.funnel.drain() + c.event.drain() + c.session.drain();
  }

  private static <T> TypeSerializer<T> serializer(TypeInformation<T> type) {
    return type.createSerializer(new SerializerConfigImpl());
  }

  /** A combiner of the job, writing to {@code out} instead of the harness's copying output. */
  private static <D> OneInputStreamOperatorTestHarness<D, D> combiner(
      DeltaCombiner.Sum<D> sum, Output<StreamRecord<D>> out) throws Exception {
    DeltaCombiner<D> op = new DeltaCombiner<>(sum, 500);
    OneInputStreamOperatorTestHarness<D, D> h = new OneInputStreamOperatorTestHarness<>(op);
    h.setup();
    h.open();
    // The operator is final: its output is set after open(), where the harness put its own.
    Field output = AbstractStreamOperator.class.getDeclaredField("output");
    output.setAccessible(true);
    output.set(op, out);
    return h;
  }

  /**
   * The exchanges after a combiner: per exchange, the record's key hashed for its channel, then
   * serialised, read back by the receiver and keyed again there.
   */
  static final class Sent<D> implements Output<StreamRecord<D>> {
    private final ToIntFunction<D>[] keys;
    private final TypeSerializer<D>[] writers;
    private final TypeSerializer<D>[] readers;
    private final DataOutputSerializer buffer = new DataOutputSerializer(256);
    private int sink;

    @SafeVarargs
    @SuppressWarnings("unchecked")
    Sent(TypeInformation<D> type, ToIntFunction<D>... keys) {
      this.keys = keys;
      writers = new TypeSerializer[keys.length];
      readers = new TypeSerializer[keys.length];
      for (int i = 0; i < keys.length; i++) {
        writers[i] = serializer(type);
        readers[i] = serializer(type);
      }
    }

    int drain() {
      int n = sink;
      sink = 0;
      return n;
    }

    @Override
    public void collect(StreamRecord<D> record) {
      try {
        D d = record.getValue();
        for (int i = 0; i < keys.length; i++) {
          sink += keys[i].applyAsInt(d);
          buffer.clear();
          writers[i].serialize(d, buffer);
          D read =
              readers[i].deserialize(
                  new DataInputDeserializer(buffer.getSharedBuffer(), 0, buffer.length()));
          sink += keys[i].applyAsInt(read) + keys[i].applyAsInt(read);
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void emitWatermark(Watermark mark) {}

    @Override
    public void emitWatermarkStatus(WatermarkStatus status) {}

    @Override
    public <X> void collect(OutputTag<X> outputTag, StreamRecord<X> record) {}

    @Override
    public void emitLatencyMarker(LatencyMarker latencyMarker) {}

    @Override
    public void emitRecordAttributes(RecordAttributes recordAttributes) {}

    @Override
    public void emitWatermark(WatermarkEvent watermark) {}

    @Override
    public void close() {}
  }
}
