package io.upbot.job.session;

import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.FunnelStages;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.model.JourneyKey;
import io.upbot.job.model.serial.StateTypes;
import java.util.List;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
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
    return open(
        backend,
        gapMs,
        latenessMs,
        maxEvents,
        JourneySessionizer.DEFAULT_INLINE_EVENTS,
        checkpoint);
  }

  /**
   * A harness whose journeys keep up to {@code inlineEvents} names in one value, restored from
   * {@code checkpoint} when it is not null.
   */
  static KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta> open(
      String backend,
      long gapMs,
      long latenessMs,
      int maxEvents,
      int inlineEvents,
      OperatorSubtaskState checkpoint)
      throws Exception {
    KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta> h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new JourneySessionizer(
                    FunnelStages.DEFAULT, gapMs, latenessMs, maxEvents, inlineEvents)),
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
   * through the backend, so the same on the heap and on RocksDB; the events counted by name
   * wherever the journey keeps them.
   */
  static List<Integer> entriesOf(
      KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta> h,
      JourneyKey key)
      throws Exception {
    List<Integer> where = namesOf(h, key);
    List<Integer> all = entriesIn(h, key);
    return List.of(all.get(0), where.get(0) + where.get(1), all.get(2));
  }

  /**
   * Where a journey keeps its events' names: {@code [in its one value, in journey-events]}, as
   * counts (0 for a value it does not have).
   */
  static List<Integer> namesOf(
      KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta> h,
      JourneyKey key)
      throws Exception {
    KeyedStateBackend<JourneyKey> b = at(h, key);
    ValueState<EventNames> names =
        state(
            b,
            new ValueStateDescriptor<>(
                JourneySessionizer.NAMES_STATE, JourneySessionizer.namesType()));
    EventNames inline = names.value();
    return List.of(inline == null ? 0 : inline.size(), entriesIn(h, key).get(1));
  }

  /** {@code [index, journey-events entries, pending slots]} of one journey. */
  private static List<Integer> entriesIn(
      KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta> h,
      JourneyKey key)
      throws Exception {
    KeyedStateBackend<JourneyKey> b = at(h, key);
    ValueState<JourneyIndex> index =
        state(
            b,
            new ValueStateDescriptor<>(
                JourneySessionizer.INDEX_STATE, JourneySessionizer.indexType()));
    MapState<String, Long> events =
        state(
            b,
            new MapStateDescriptor<>(
                JourneySessionizer.EVENTS_STATE, StateTypes.STRING, Types.LONG));
    MapState<Long, Long> pending =
        state(
            b, new MapStateDescriptor<>(JourneySessionizer.PENDING_STATE, Types.LONG, Types.LONG));
    return List.of(index.value() == null ? 0 : 1, count(events.keys()), count(pending.keys()));
  }

  /** The harness's backend, at {@code key}. */
  private static KeyedStateBackend<JourneyKey> at(
      KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta> h,
      JourneyKey key) {
    KeyedStateBackend<JourneyKey> b = h.getOperator().getKeyedStateBackend();
    b.setCurrentKey(key);
    return b;
  }

  /** One of the sessionizer's states, of the backend's current key. */
  private static <S extends State> S state(KeyedStateBackend<JourneyKey> b, StateDescriptor<S, ?> d)
      throws Exception {
    return b.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, d);
  }

  /** Every keyed state entry left, of every journey: zero once every journey is cleared. */
  static int totalEntries(
      KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta> h) {
    KeyedStateBackend<JourneyKey> b = h.getOperator().getKeyedStateBackend();
    // The harness counts heap state only; RocksDB counts its own, timer entries included. Those
    // are written through a batch a snapshot flushes: after a restore, take one before counting.
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
