package io.upbot.job;

import io.upbot.job.aggregate.BreakdownAggregator;
import io.upbot.job.aggregate.DailyConvertTimeAggregator;
import io.upbot.job.aggregate.DeltaCombiner;
import io.upbot.job.aggregate.DeltaSums;
import io.upbot.job.aggregate.DroppedRows;
import io.upbot.job.aggregate.DwellAggregator;
import io.upbot.job.aggregate.EventAggregator;
import io.upbot.job.aggregate.FunnelAggregator;
import io.upbot.job.aggregate.HourlyConvertTimeAggregator;
import io.upbot.job.aggregate.JoinAggregator;
import io.upbot.job.aggregate.RowTiming;
import io.upbot.job.aggregate.UsersDailyAggregator;
import io.upbot.job.attribution.AttributionRoute;
import io.upbot.job.attribution.JoinAttributor;
import io.upbot.job.guard.CardinalityGuard;
import io.upbot.job.model.AttributionKey;
import io.upbot.job.model.BreakdownRow;
import io.upbot.job.model.BreakdownRowKey;
import io.upbot.job.model.ConvertTimeDailyRow;
import io.upbot.job.model.ConvertTimeRow;
import io.upbot.job.model.DayBuckets;
import io.upbot.job.model.DayRowKey;
import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.DecodedRecord;
import io.upbot.job.model.DwellDelta;
import io.upbot.job.model.DwellRow;
import io.upbot.job.model.EventDelta;
import io.upbot.job.model.EventRow;
import io.upbot.job.model.EventRowKey;
import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.FunnelRow;
import io.upbot.job.model.FunnelRowKey;
import io.upbot.job.model.JoinDelta;
import io.upbot.job.model.JoinRow;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.model.SessionDelta;
import io.upbot.job.model.UsersDailyRow;
import io.upbot.job.model.serial.EdgeTypes;
import io.upbot.job.model.serial.StateTypes;
import io.upbot.job.session.JourneySessionizer;
import io.upbot.job.source.SplitDecoded;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rocksdb.CompressionType;

/**
 * Builds the job's graph: decode → split dead letters → cap codes and event ids per appid-hour →
 * attribute WeCom joins to journeys → sessionise per journey → one aggregator per table (the
 * per-session tables read the sessionizer's session deltas) → sinks. Production passes the Kafka
 * source and JDBC sinks; tests pass their own source and collecting sinks and run the very same
 * graph.
 */
public final class AnalyticsJob {

  /**
   * Stable operator ids: state in checkpoints and savepoints is matched by these, never change
   * them.
   */
  public static final String UID_SOURCE = "media-events-source";

  public static final String UID_SPLIT = "split-decoded";
  public static final String UID_CARDINALITY = "cardinality-guard";
  public static final String UID_SESSIONIZER = "journey-sessionizer";
  public static final String UID_TO_ATTRIBUTION = "route-to-join-attribution";
  public static final String UID_PAST_ATTRIBUTION = "route-past-join-attribution";
  public static final String UID_JOIN_ATTRIBUTOR = "join-attributor";
  public static final String UID_JOIN = "join-aggregator";
  public static final String UID_JOIN_SINK = "join-sink";
  public static final String UID_FUNNEL = "funnel-aggregator";
  public static final String UID_EVENT = "event-aggregator";
  public static final String UID_DWELL = "dwell-aggregator";
  public static final String UID_FUNNEL_SINK = "funnel-sink";
  public static final String UID_EVENT_SINK = "event-sink";
  public static final String UID_DWELL_SINK = "dwell-sink";
  public static final String UID_DEAD_LETTER_SINK = "dead-letter-sink";
  public static final String UID_BREAKDOWN = "funnel-breakdown-aggregator";
  public static final String UID_USERS_DAILY = "users-daily-aggregator";
  public static final String UID_CONVERT_TIME = "convert-time-aggregator";
  public static final String UID_CONVERT_TIME_DAILY = "convert-time-daily-aggregator";
  public static final String UID_BREAKDOWN_SINK = "funnel-breakdown-sink";
  public static final String UID_USERS_DAILY_SINK = "users-daily-sink";
  public static final String UID_CONVERT_TIME_SINK = "convert-time-sink";
  public static final String UID_CONVERT_TIME_DAILY_SINK = "convert-time-daily-sink";

  public static final String UID_FUNNEL_SUMS = "funnel-delta-sums";
  public static final String UID_EVENT_SUMS = "event-delta-sums";
  public static final String UID_SESSION_SUMS = "session-delta-sums";

  /**
   * The longest a {@link DeltaCombiner} sums deltas (and holds watermarks back) before it sends
   * them; never more than half the rows' flush interval, so a change still reaches the database
   * within about one and a half flush intervals.
   */
  static final long COMBINE_MAX_DELAY_MS = 500;

  private AnalyticsJob() {}

  /** {@code deltas} summed in a {@link DeltaCombiner} chained to their producer. */
  private static <D> DataStream<D> combined(
      DataStream<D> deltas,
      DeltaCombiner.Sum<D> sum,
      TypeInformation<D> type,
      long maxDelayMs,
      String name,
      String uid) {
    // Chained (the default for an operator): no exchange, no serialisation before the sums.
    return deltas.transform(name, type, new DeltaCombiner<>(sum, maxDelayMs)).uid(uid);
  }

  /** Keys a session's change by its day's row: the local day its hour starts in. */
  static final class DayKey implements KeySelector<SessionDelta, DayRowKey> {
    private static final long serialVersionUID = 1L;
    private final DayBuckets days;

    DayKey(DayBuckets days) {
      this.days = days;
    }

    /** The last hour keyed and its day: a flush's deltas mostly share a few hours. */
    private transient HourDay last;

    @Override
    public DayRowKey getKey(SessionDelta d) {
      HourDay h = last;
      if (h == null || h.bucketStart() != d.bucketStart()) {
        h = new HourDay(d.bucketStart(), days.day(d.bucketStart()));
        last = h;
      }
      return new DayRowKey(h.day(), d.appid(), d.code());
    }

    /** Immutable, so a key selector shared between threads still reads a consistent pair. */
    private record HourDay(long bucketStart, int day) {}
  }

  /**
   * Applies the settings that belong to the environment: no generic types (no Kryo fallback),
   * parallelism, state backend, and exactly-once checkpoints retained on cancellation, Kafka
   * offsets included (the Kafka source keeps them in its checkpointed state).
   */
  public static void configure(StreamExecutionEnvironment env, JobSettings s) {
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    // Every record the operators pass on is an immutable record, never changed nor kept by the
    // function that received it, so a chained operator may take it as is: no deep copy per hop.
    conf.set(PipelineOptions.OBJECT_REUSE, true);
    conf.set(StateBackendOptions.STATE_BACKEND, s.stateBackend());
    if (s.stateBackend().equals("rocksdb")) {
      // Most lookups of a journey's event names miss (a new event): bloom filters answer those
      // without
      // reading every level, which keeps a journey's per-event cost flat as it grows.
      conf.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
      // A journey's keys repeat its appid, code and trace in every entry: ZSTD over 16 KiB blocks
      // stores them about a third smaller than the default Snappy over 4 KiB (./upbot bench job).
      conf.set(
          RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL,
          List.of(CompressionType.ZSTD_COMPRESSION));
      conf.set(RocksDBConfigurableOptions.BLOCK_SIZE, MemorySize.parse("16kb"));
    }
    if (!s.checkpointInterval().isZero()) {
      conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, s.checkpointInterval());
      conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
      conf.set(
          CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
          ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    }
    if (s.checkpointDir() != null) {
      conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, s.checkpointDir());
    }
    env.configure(conf);
    if (s.parallelism() != null) {
      env.setParallelism(s.parallelism());
    }
  }

  /** Adds the job's operators up to and including its sessionizer (see {@link Sessionized}). */
  public static Sessionized sessionize(
      StreamExecutionEnvironment env,
      JobSettings s,
      Source<DecodedRecord, ?, ?> source,
      WatermarkStrategy<DecodedRecord> watermarks) {
    long gapMs = s.sessionGap().toMillis();
    long latenessMs = s.allowedLateness().toMillis();

    SingleOutputStreamOperator<JourneyEvent> events =
        env.fromSource(source, watermarks, "media events", TypeInformation.of(DecodedRecord.class))
            .uid(UID_SOURCE)
            .process(new SplitDecoded(), EdgeTypes.JOURNEY_EVENT)
            .name("split dead letters")
            .uid(UID_SPLIT);

    // Before the sessionizer, so an event over an appid's cap of codes or event ids creates no
    // state.
    SingleOutputStreamOperator<JourneyEvent> admitted =
        events
            .keyBy(CardinalityGuard::key, StateTypes.STRING)
            .process(
                new CardinalityGuard(s.maxCodesPerHour(), s.maxEventIdsPerHour(), latenessMs),
                EdgeTypes.JOURNEY_EVENT)
            .name("cap codes and event ids per appid-hour")
            .uid(UID_CARDINALITY);

    // WeCom joins move to the journey of the user's long-press (docs/semantics.md#wecom-joins);
    // events that need no attribution bypass its exchange.
    SingleOutputStreamOperator<JourneyEvent> attributed =
        admitted
            .filter(new AttributionRoute(s.stages(), true))
            .name("route to join attribution")
            .uid(UID_TO_ATTRIBUTION)
            .keyBy(AttributionKey::of, TypeInformation.of(AttributionKey.class))
            .process(new JoinAttributor(s.stages(), gapMs, latenessMs), EdgeTypes.JOURNEY_EVENT)
            .name("attribute wecom joins")
            .uid(UID_JOIN_ATTRIBUTOR);
    DataStream<JourneyEvent> journeyEvents =
        admitted
            .filter(new AttributionRoute(s.stages(), false))
            .name("route past join attribution")
            .uid(UID_PAST_ATTRIBUTION)
            .union(attributed);

    SingleOutputStreamOperator<FunnelDelta> sessionized =
        journeyEvents
            .keyBy(JourneyEvent::journeyKey, StateTypes.JOURNEY_KEY)
            .process(
                new JourneySessionizer(s.stages(), gapMs, latenessMs, s.maxJourneyEvents()),
                EdgeTypes.FUNNEL_DELTA)
            .name("sessionise journeys")
            .uid(UID_SESSIONIZER);
    return new Sessionized(events, admitted, attributed, sessionized);
  }

  /**
   * The job's graph up to its sessionizer: the decoded events, those the cardinality guard
   * admitted, the WeCom joins attributed, and the sessionizer's deltas (main output: funnel deltas;
   * the rest on its side outputs).
   */
  public record Sessionized(
      SingleOutputStreamOperator<JourneyEvent> events,
      SingleOutputStreamOperator<JourneyEvent> admitted,
      SingleOutputStreamOperator<JourneyEvent> attributed,
      SingleOutputStreamOperator<FunnelDelta> deltas) {}

  /**
   * Adds the job's operators to {@code env}, reading {@code source} and writing to {@code sinks}.
   */
  public static void build(
      StreamExecutionEnvironment env,
      JobSettings s,
      Source<DecodedRecord, ?, ?> source,
      WatermarkStrategy<DecodedRecord> watermarks,
      JobSinks sinks) {
    long latenessMs = s.allowedLateness().toMillis();
    RowTiming timing = new RowTiming(s.flushInterval().toMillis(), latenessMs);
    Sessionized journeys = sessionize(env, s, source, watermarks);
    SingleOutputStreamOperator<JourneyEvent> events = journeys.events();
    SingleOutputStreamOperator<JourneyEvent> admitted = journeys.admitted();
    SingleOutputStreamOperator<JourneyEvent> attributed = journeys.attributed();
    SingleOutputStreamOperator<FunnelDelta> sessionized = journeys.deltas();
    // Each delta stream summed per row for a moment, in the sessionizer's chain, before its
    // exchange (docs/tables.md#totals-upserts-and-exactly-once-results).
    long combineMs = Math.min(COMBINE_MAX_DELAY_MS, s.flushInterval().toMillis() / 2);
    DataStream<FunnelDelta> funnelDeltas =
        combined(
            sessionized,
            new DeltaSums.Funnel(),
            EdgeTypes.FUNNEL_DELTA,
            combineMs,
            "sum funnel deltas",
            UID_FUNNEL_SUMS);
    DataStream<EventDelta> eventDeltas =
        combined(
            sessionized.getSideOutput(JourneySessionizer.EVENT_DELTAS),
            new DeltaSums.Events(),
            EdgeTypes.EVENT_DELTA,
            combineMs,
            "sum event deltas",
            UID_EVENT_SUMS);
    // Dwell deltas are not summed: they differ by their duration, and few of a row's share one
    // between two watermarks (./upbot bench job).
    DataStream<DwellDelta> dwellDeltas = sessionized.getSideOutput(JourneySessionizer.DWELL_DELTAS);
    DataStream<SessionDelta> sessionDeltas =
        combined(
            sessionized.getSideOutput(JourneySessionizer.SESSION_DELTAS),
            new DeltaSums.Sessions(),
            EdgeTypes.SESSION_DELTA,
            combineMs,
            "sum session deltas",
            UID_SESSION_SUMS);
    DayBuckets days = new DayBuckets(s.timeZone());

    SingleOutputStreamOperator<FunnelRow> funnelRows =
        funnelDeltas
            .keyBy(FunnelDelta::rowKey, TypeInformation.of(FunnelRowKey.class))
            .process(new FunnelAggregator(timing), TypeInformation.of(FunnelRow.class))
            .name("funnel rows")
            .uid(UID_FUNNEL);
    SingleOutputStreamOperator<EventRow> eventRows =
        eventDeltas
            .keyBy(EventDelta::rowKey, TypeInformation.of(EventRowKey.class))
            .process(new EventAggregator(timing), TypeInformation.of(EventRow.class))
            .name("event rows")
            .uid(UID_EVENT);
    SingleOutputStreamOperator<DwellRow> dwellRows =
        dwellDeltas
            .keyBy(DwellDelta::rowKey, TypeInformation.of(FunnelRowKey.class))
            .process(new DwellAggregator(timing), TypeInformation.of(DwellRow.class))
            .name("dwell rows")
            .uid(UID_DWELL);

    SingleOutputStreamOperator<BreakdownRow> breakdownRows =
        sessionDeltas
            .keyBy(SessionDelta::breakdownKey, TypeInformation.of(BreakdownRowKey.class))
            .process(new BreakdownAggregator(timing), TypeInformation.of(BreakdownRow.class))
            .name("funnel breakdown rows")
            .uid(UID_BREAKDOWN);
    SingleOutputStreamOperator<UsersDailyRow> usersDailyRows =
        sessionDeltas
            .keyBy(new DayKey(days), TypeInformation.of(DayRowKey.class))
            .process(
                new UsersDailyAggregator(timing, days), TypeInformation.of(UsersDailyRow.class))
            .name("daily user rows")
            .uid(UID_USERS_DAILY);
    SingleOutputStreamOperator<ConvertTimeRow> convertTimeRows =
        sessionDeltas
            .keyBy(SessionDelta::hourKey, TypeInformation.of(FunnelRowKey.class))
            .process(
                new HourlyConvertTimeAggregator(timing), TypeInformation.of(ConvertTimeRow.class))
            .name("convert time rows")
            .uid(UID_CONVERT_TIME);
    SingleOutputStreamOperator<ConvertTimeDailyRow> convertTimeDailyRows =
        sessionDeltas
            .keyBy(new DayKey(days), TypeInformation.of(DayRowKey.class))
            .process(
                new DailyConvertTimeAggregator(timing, days),
                TypeInformation.of(ConvertTimeDailyRow.class))
            .name("daily convert time rows")
            .uid(UID_CONVERT_TIME_DAILY);

    funnelRows.sinkTo(sinks.funnelRows()).name("code_funnel_hourly").uid(UID_FUNNEL_SINK);
    eventRows.sinkTo(sinks.eventRows()).name("code_event_hourly").uid(UID_EVENT_SINK);
    dwellRows.sinkTo(sinks.dwellRows()).name("code_dwell_hourly").uid(UID_DWELL_SINK);
    breakdownRows
        .sinkTo(sinks.breakdownRows())
        .name("code_funnel_breakdown_hourly")
        .uid(UID_BREAKDOWN_SINK);
    usersDailyRows
        .sinkTo(sinks.usersDailyRows())
        .name("code_users_daily")
        .uid(UID_USERS_DAILY_SINK);
    convertTimeRows
        .sinkTo(sinks.convertTimeRows())
        .name("code_convert_time_hourly")
        .uid(UID_CONVERT_TIME_SINK);
    convertTimeDailyRows
        .sinkTo(sinks.convertTimeDailyRows())
        .name("code_convert_time_daily")
        .uid(UID_CONVERT_TIME_DAILY_SINK);

    SingleOutputStreamOperator<JoinRow> joinRows =
        attributed
            .getSideOutput(JoinAttributor.JOIN_DELTAS)
            .keyBy(JoinDelta::rowKey, TypeInformation.of(FunnelRowKey.class))
            .process(new JoinAggregator(timing), TypeInformation.of(JoinRow.class))
            .name("join rows")
            .uid(UID_JOIN);
    joinRows.sinkTo(sinks.joinRows()).name("code_join_hourly").uid(UID_JOIN_SINK);

    DataStream<DeadLetter> deadLetters =
        events
            .getSideOutput(SplitDecoded.DEAD_LETTERS)
            .union(
                admitted.getSideOutput(CardinalityGuard.DEAD_LETTERS),
                sessionized.getSideOutput(JourneySessionizer.DEAD_LETTERS),
                funnelRows.getSideOutput(DroppedRows.DEAD_LETTERS),
                eventRows.getSideOutput(DroppedRows.DEAD_LETTERS),
                dwellRows.getSideOutput(DroppedRows.DEAD_LETTERS),
                breakdownRows.getSideOutput(DroppedRows.DEAD_LETTERS),
                usersDailyRows.getSideOutput(DroppedRows.DEAD_LETTERS),
                convertTimeRows.getSideOutput(DroppedRows.DEAD_LETTERS),
                convertTimeDailyRows.getSideOutput(DroppedRows.DEAD_LETTERS),
                joinRows.getSideOutput(DroppedRows.DEAD_LETTERS));
    deadLetters.sinkTo(sinks.deadLetters()).name("dead_letter_events").uid(UID_DEAD_LETTER_SINK);
  }
}
