package io.upbot.local.bench;

import io.upbot.job.AnalyticsJob;
import io.upbot.job.JobMain;
import io.upbot.job.JobSettings;
import io.upbot.job.model.DecodedRecord;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.model.JourneyKey;
import io.upbot.job.model.serial.EdgeTypes;
import io.upbot.job.model.serial.StateTypes;
import io.upbot.job.source.KafkaSources;
import io.upbot.job.source.ServerClockWatermarks;
import io.upbot.job.source.SplitDecoded;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;

/**
 * The bounded jobs {@code ./upbot bench job} times over one topic: the analytics job as production
 * wires it, its graph up to the sessionizer, one keyed step, a pass-through job (the same Kafka
 * source and decoder into a discarding sink) and the Flink SQL funnel query ({@link
 * SqlFunnelQuery}). Each runs on its own embedded cluster, with the same settings, to the topic's
 * end.
 */
final class JobBenchJobs {

  private JobBenchJobs() {}

  /**
   * One timed job: its records over its net runtime (deployment to the end of input), and over the
   * CPU time this process spent meanwhile (the embedded cluster's threads, GC and JIT included; the
   * broker runs in its own process). On a machine shared with other work the second is the steadier
   * figure: it does not count the time other processes took the cores. {@code gcMillis} is the
   * collectors' time meanwhile (G1: its pauses), part of both: a heap-state job pays for its state
   * in young collections that scan the old objects it changed. {@code counted} is what a job counts
   * for a check: the SQL's sessions, the keyed step's events; -1 for the others.
   */
  record Run(String name, long records, long millis, long cpuMillis, long gcMillis, long counted) {
    double eventsPerSecond() {
      return records * 1000.0 / Math.max(1, millis);
    }

    double eventsPerCpuSecond() {
      return records * 1000.0 / Math.max(1, cpuMillis);
    }
  }

  /** This process's CPU time so far, in ms. */
  static long cpuMillis() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime()
        / 1_000_000;
  }

  /** The job's settings for a bounded read of {@code topic} from its start into {@code jdbcUrl}. */
  static JobSettings settings(
      String bootstrap,
      String topic,
      String groupId,
      String jdbcUrl,
      String jdbcUser,
      int parallelism,
      boolean bounded,
      String stateBackend) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--kafka-bootstrap", bootstrap,
                "--topic", topic,
                "--group-id", groupId,
                "--start-from", "earliest",
                "--bounded", String.valueOf(bounded),
                "--jdbc-url", jdbcUrl,
                "--jdbc-user", jdbcUser,
                // No job of the three takes checkpoints: a bounded run has nothing to resume.
                "--checkpoint-interval", "0",
                "--parallelism", String.valueOf(parallelism),
                "--state-backend", stateBackend));
    return JobSettings.parse(args.toArray(String[]::new), Map.of());
  }

  /** This process's garbage collectors' time so far, in ms. */
  static long gcMillis() {
    long ms = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ms += Math.max(0, gc.getCollectionTime());
    }
    return ms;
  }

  /** An embedded cluster of {@code parallelism} slots. */
  static StreamExecutionEnvironment environment(int parallelism) {
    return StreamExecutionEnvironment.createLocalEnvironment(parallelism, new Configuration());
  }

  /** The analytics job, database preparation included, as {@code JobMain} defines it. */
  static Run full(String name, JobSettings s, long records) throws Exception {
    StreamExecutionEnvironment env = environment(s.parallelism());
    JobMain.define(env, s);
    return timed(name, env, records);
  }

  /**
   * The analytics job's graph up to and including its sessionizer (decoder, cardinality guard, join
   * attribution, sessionizer), its deltas discarded: the most any graph after the sessionizer could
   * reach, however few exchanges it had.
   */
  static Run sessionizing(JobSettings s, long records) throws Exception {
    StreamExecutionEnvironment env = environment(s.parallelism());
    AnalyticsJob.configure(env, s);
    AnalyticsJob.sessionize(
            env,
            s,
            KafkaSources.create(s.kafkaSettings()),
            ServerClockWatermarks.strategy(s.watermarkBound(), s.sourceIdleness(), s.bounded()))
        .deltas()
        .sinkTo(new DiscardingSink<>())
        .name("discard")
        .uid("discard");
    return timed("sessionizing alone", env, records);
  }

  /**
   * The least a job that sessionises by trace_id in Flink's keyed state does: the job's source and
   * decoder, one exchange by journey, and one value state read and written per event (no timer, no
   * output). No sessionizer can do less per event, so its rate bounds the analytics job's.
   */
  static Run keyed(JobSettings s, long records) throws Exception {
    StreamExecutionEnvironment env = environment(s.parallelism());
    AnalyticsJob.configure(env, s);
    source(env, s)
        .process(new SplitDecoded(), EdgeTypes.JOURNEY_EVENT)
        .name("split dead letters")
        .uid(AnalyticsJob.UID_SPLIT)
        .keyBy(JourneyEvent::journeyKey, StateTypes.JOURNEY_KEY)
        .process(new CountPerJourney(), Types.LONG)
        .name("count per journey")
        .uid("count-per-journey")
        .sinkTo(new DiscardingSink<>())
        .name("discard")
        .uid("discard");
    return timed("one keyed step", env, records, CountPerJourney.ACCUMULATOR);
  }

  /**
   * Reads and writes one value per journey and event, and emits nothing; the events it saw go to an
   * accumulator, so a check can tell that every one went through the state.
   */
  static final class CountPerJourney extends KeyedProcessFunction<JourneyKey, JourneyEvent, Long> {
    private static final long serialVersionUID = 1L;
    static final String ACCUMULATOR = "keyed-events";
    private transient ValueState<Long> count;
    private transient LongCounter seen;

    @Override
    public void open(OpenContext openContext) {
      count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
      seen = new LongCounter();
      getRuntimeContext().addAccumulator(ACCUMULATOR, seen);
    }

    @Override
    public void processElement(JourneyEvent e, Context ctx, Collector<Long> out) throws Exception {
      Long n = count.value();
      count.update(n == null ? 1L : n + 1);
      seen.add(1);
    }
  }

  /** The job's source and decoder, nothing after them. */
  static Run passThrough(JobSettings s, long records) throws Exception {
    StreamExecutionEnvironment env = environment(s.parallelism());
    AnalyticsJob.configure(env, s);
    source(env, s).sinkTo(new DiscardingSink<>()).name("discard").uid("discard");
    return timed("pass-through", env, records);
  }

  /** Runs {@code env}'s job to its end, timing it as {@link Run} says. */
  private static Run timed(String name, StreamExecutionEnvironment env, long records)
      throws Exception {
    return timed(name, env, records, null);
  }

  /**
   * Runs {@code env}'s job to its end, timing it as {@link Run} says; {@code counted} is the long
   * accumulator named {@code accumulator} (-1 without one).
   */
  private static Run timed(
      String name, StreamExecutionEnvironment env, long records, String accumulator)
      throws Exception {
    long cpu = cpuMillis();
    long gc = gcMillis();
    JobExecutionResult r = env.execute("bench: " + name);
    long cpuUsed = cpuMillis() - cpu;
    long gcUsed = gcMillis() - gc;
    Long counted = accumulator == null ? null : r.getAccumulatorResult(accumulator);
    return new Run(
        name,
        records,
        r.getNetRuntime(TimeUnit.MILLISECONDS),
        cpuUsed,
        gcUsed,
        counted == null ? -1 : counted);
  }

  /** The Flink SQL funnel query over the job's source and decoder; its rows are discarded. */
  static Run sql(JobSettings s, long records) throws Exception {
    StreamExecutionEnvironment env = environment(s.parallelism());
    AnalyticsJob.configure(env, s);
    DataStream<JourneyEvent> events =
        source(env, s)
            .process(new SplitDecoded(), TypeInformation.of(JourneyEvent.class))
            .name("split dead letters")
            .uid(AnalyticsJob.UID_SPLIT);
    StreamTableEnvironment tables = StreamTableEnvironment.create(env);
    Table rows = SqlFunnelQuery.funnelRows(tables, events, s.stages(), s.sessionGap().toMillis());
    tables
        .toChangelogStream(rows)
        .map(new SignedSessions(), Types.LONG)
        .name("count sessions")
        .uid("sql-count-sessions")
        .sinkTo(new DiscardingSink<>())
        .name("discard")
        .uid("discard");
    return timed("flink sql", env, records, SignedSessions.ACCUMULATOR);
  }

  private static DataStream<DecodedRecord> source(StreamExecutionEnvironment env, JobSettings s) {
    return env.fromSource(
            KafkaSources.create(s.kafkaSettings()),
            ServerClockWatermarks.strategy(s.watermarkBound(), s.sourceIdleness(), s.bounded()),
            "media events",
            TypeInformation.of(DecodedRecord.class))
        .uid(AnalyticsJob.UID_SOURCE);
  }

  /**
   * Adds up the {@code sessions} column of a changelog into an accumulator: the final total of
   * sessions, to set beside the job's.
   */
  static final class SignedSessions extends RichMapFunction<Row, Long> {
    private static final long serialVersionUID = 1L;
    static final String ACCUMULATOR = "sql-sessions";
    private transient LongCounter total;

    @Override
    public void open(OpenContext openContext) {
      total = new LongCounter();
      getRuntimeContext().addAccumulator(ACCUMULATOR, total);
    }

    @Override
    public Long map(Row row) {
      long sessions = ((Number) row.getField("sessions")).longValue();
      RowKind kind = row.getKind();
      long signed = kind == RowKind.INSERT || kind == RowKind.UPDATE_AFTER ? sessions : -sessions;
      total.add(signed);
      return signed;
    }
  }
}
