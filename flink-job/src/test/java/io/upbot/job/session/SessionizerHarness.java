package io.upbot.job.session;

import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.FunnelStages;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.model.JourneyKey;
import io.upbot.job.model.serial.StateTypes;
import java.util.List;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBKeyedStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * Test harnesses of a {@link JourneySessionizer}, keyed as the job keys it, on the heap or on
 * RocksDB, the job's two backends.
 */
final class SessionizerHarness {

  static final String HEAP = "hashmap";
  static final String ROCKSDB = "rocksdb";

  private SessionizerHarness() {}

  static KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta> open(
      String backend, long gapMs, long latenessMs, int maxEvents) throws Exception {
    return open(backend, gapMs, latenessMs, maxEvents, null);
  }

  /** A harness restored from {@code checkpoint} when it is not null. */
  static KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta> open(
      String backend, long gapMs, long latenessMs, int maxEvents, OperatorSubtaskState checkpoint)
      throws Exception {
    KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta> h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new JourneySessionizer(FunnelStages.DEFAULT, gapMs, latenessMs, maxEvents)),
            JourneyEvent::journeyKey,
            StateTypes.JOURNEY_KEY);
    h.setStateBackend(backend(backend));
    h.setup();
    if (checkpoint != null) {
      h.initializeState(checkpoint);
    }
    h.open();
    return h;
  }

  /**
   * A harness keyed by the job's key type, or with {@code flinkTypes} by Flink's (the POJO type),
   * with the event names and the index then registered with Flink's types before the sessionizer
   * opens, so it writes them with Flink's serializers: the types of checkpoints taken before {@link
   * StateTypes} and {@link JourneyIndexSerializer}.
   */
  static KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta>
      openWithTypes(
          String backend,
          long gapMs,
          long latenessMs,
          boolean flinkTypes,
          OperatorSubtaskState checkpoint)
          throws Exception {
    KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta> h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new JourneySessionizer(
                    FunnelStages.DEFAULT,
                    gapMs,
                    latenessMs,
                    JourneySessionizer.DEFAULT_MAX_EVENTS)),
            JourneyEvent::journeyKey,
            flinkTypes ? TypeInformation.of(JourneyKey.class) : StateTypes.JOURNEY_KEY);
    h.setStateBackend(backend(backend));
    h.setup();
    if (checkpoint != null) {
      h.initializeState(checkpoint);
    } else {
      h.initializeEmptyState();
    }
    if (flinkTypes) {
      // The backend keeps the first registration of a state name; the sessionizer's own then
      // returns it.
      KeyedStateBackend<JourneyKey> b = h.getOperator().getKeyedStateBackend();
      b.getPartitionedState(
          VoidNamespace.INSTANCE,
          VoidNamespaceSerializer.INSTANCE,
          new MapStateDescriptor<>(JourneySessionizer.EVENTS_STATE, Types.STRING, Types.LONG));
      b.getPartitionedState(
          VoidNamespace.INSTANCE,
          VoidNamespaceSerializer.INSTANCE,
          new ValueStateDescriptor<>(
              JourneySessionizer.INDEX_STATE, TypeInformation.of(JourneyIndex.class)));
    }
    h.open();
    return h;
  }

  /**
   * How many entries each state holds for one journey: {@code [index, events, pending slots]}, read
   * through the backend, so the same on the heap and on RocksDB.
   */
  static List<Integer> entriesOf(
      KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta> h,
      JourneyKey key)
      throws Exception {
    KeyedStateBackend<JourneyKey> b = h.getOperator().getKeyedStateBackend();
    b.setCurrentKey(key);
    ValueState<JourneyIndex> index =
        b.getPartitionedState(
            VoidNamespace.INSTANCE,
            VoidNamespaceSerializer.INSTANCE,
            new ValueStateDescriptor<>(
                JourneySessionizer.INDEX_STATE, JourneySessionizer.indexType()));
    MapState<String, Long> events =
        b.getPartitionedState(
            VoidNamespace.INSTANCE,
            VoidNamespaceSerializer.INSTANCE,
            new MapStateDescriptor<>(
                JourneySessionizer.EVENTS_STATE, StateTypes.STRING, Types.LONG));
    MapState<Long, Long> pending =
        b.getPartitionedState(
            VoidNamespace.INSTANCE,
            VoidNamespaceSerializer.INSTANCE,
            new MapStateDescriptor<>(JourneySessionizer.PENDING_STATE, Types.LONG, Types.LONG));
    return List.of(index.value() == null ? 0 : 1, count(events.keys()), count(pending.keys()));
  }

  /** Every keyed state entry left, of every journey: zero once every journey is cleared. */
  static int totalEntries(
      KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta> h) {
    KeyedStateBackend<JourneyKey> b = h.getOperator().getKeyedStateBackend();
    // The harness counts heap state only; RocksDB counts its own (timer entries included).
    return b instanceof RocksDBKeyedStateBackend<JourneyKey> r
        ? r.numKeyValueStateEntries()
        : h.numKeyedStateEntries();
  }

  private static int count(Iterable<?> entries) {
    int n = 0;
    for (Object ignored : entries) {
      n++;
    }
    return n;
  }

  static StateBackend backend(String name) {
    return switch (name) {
      case HEAP -> new HashMapStateBackend();
      case ROCKSDB -> new EmbeddedRocksDBStateBackend();
      default -> throw new IllegalArgumentException(name);
    };
  }
}
