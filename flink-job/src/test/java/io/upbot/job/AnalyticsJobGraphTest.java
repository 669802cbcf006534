package io.upbot.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.aggregate.BreakdownAggregator;
import io.upbot.job.aggregate.ConvertTimeAggregator;
import io.upbot.job.aggregate.DwellAggregator;
import io.upbot.job.aggregate.EventAggregator;
import io.upbot.job.aggregate.FunnelAggregator;
import io.upbot.job.aggregate.JoinAggregator;
import io.upbot.job.aggregate.UsersDailyAggregator;
import io.upbot.job.attribution.JoinAttributor;
import io.upbot.job.guard.CardinalityGuard;
import io.upbot.job.model.AttributionKey;
import io.upbot.job.model.BreakdownRow;
import io.upbot.job.model.BreakdownRowKey;
import io.upbot.job.model.ConvertTimeDailyRow;
import io.upbot.job.model.ConvertTimeRow;
import io.upbot.job.model.ConvertTimes;
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
import io.upbot.job.model.JourneyKey;
import io.upbot.job.model.SessionDelta;
import io.upbot.job.model.UsersDailyRow;
import io.upbot.job.session.FirstEvent;
import io.upbot.job.session.JourneyIndex;
import io.upbot.job.session.LiveSession;
import io.upbot.job.source.KafkaSources;
import io.upbot.job.source.ServerClockWatermarks;
import io.upbot.job.testing.TestSinks;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializer;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AnalyticsJobGraphTest {

  static JobSettings settings(String... extra) {
    String[] base = {"--kafka-bootstrap", "localhost:9092"};
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return JobSettings.parse(args, Map.of());
  }

  static StreamGraph graph(JobSettings s) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    AnalyticsJob.configure(env, s);
    TestSinks sinks = new TestSinks();
    try {
      AnalyticsJob.build(
          env,
          s,
          KafkaSources.create(s.kafkaSettings()),
          ServerClockWatermarks.strategy(s.watermarkBound(), s.sourceIdleness(), s.bounded()),
          sinks.jobSinks());
      return env.getStreamGraph();
    } finally {
      sinks.close();
    }
  }

  @Test
  void shouldBuildWithGenericTypesDisabledAndNoKryoSerializerOnAnyEdge() {
    StreamGraph g = graph(settings());

    assertThat(g.getExecutionConfig().getSerializerConfig().hasGenericTypesDisabled()).isTrue();
    for (StreamNode n : g.getStreamNodes()) {
      if (n.getTypeSerializerOut() != null) {
        assertThat(n.getTypeSerializerOut())
            .as(n.getOperatorName())
            .isNotInstanceOf(KryoSerializer.class);
      }
      for (TypeSerializer<?> in : n.getTypeSerializersIn()) {
        assertThat(in).as(n.getOperatorName()).isNotInstanceOf(KryoSerializer.class);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(
      classes = {
        DecodedRecord.class,
        JourneyEvent.class,
        JourneyKey.class,
        JourneyIndex.class,
        LiveSession.class,
        FunnelDelta.class,
        EventDelta.class,
        DwellDelta.class,
        DeadLetter.class,
        FunnelRow.class,
        EventRow.class,
        DwellRow.class,
        FunnelRowKey.class,
        EventRowKey.class,
        FunnelAggregator.Acc.class,
        EventAggregator.Acc.class,
        DwellAggregator.Acc.class,
        CardinalityGuard.HourCounts.class,
        FirstEvent.class,
        SessionDelta.class,
        BreakdownRowKey.class,
        DayRowKey.class,
        BreakdownRow.class,
        UsersDailyRow.class,
        ConvertTimes.class,
        ConvertTimeRow.class,
        ConvertTimeDailyRow.class,
        BreakdownAggregator.Acc.class,
        UsersDailyAggregator.Acc.class,
        UsersDailyAggregator.UserSessions.class,
        ConvertTimeAggregator.Acc.class,
        AttributionKey.class,
        JoinDelta.class,
        JoinAttributor.SeenJoin.class,
        JoinRow.class,
        JoinAggregator.Acc.class
      })
  void shouldSerialiseEveryRecordAndStateTypeAsPojoWithoutGenericTypes(Class<?> type) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    AnalyticsJob.configure(env, settings());
    SerializerConfig config = env.getConfig().getSerializerConfig();

    TypeInformation<?> info = TypeInformation.of(type);
    assertThat(info).isInstanceOf(PojoTypeInfo.class);
    // Throws if any field falls back to a generic (Kryo) type, since generic types are disabled.
    assertThat(info.createSerializer(config)).isNotInstanceOf(KryoSerializer.class);
  }

  @Test
  void shouldGiveEveryOperatorANameAndAStableUid() {
    StreamGraph g = graph(settings());

    List<String> uids = g.getStreamNodes().stream().map(StreamNode::getTransformationUID).toList();
    assertThat(uids)
        .containsExactlyInAnyOrder(
            AnalyticsJob.UID_SOURCE,
            AnalyticsJob.UID_SPLIT,
            AnalyticsJob.UID_CARDINALITY,
            AnalyticsJob.UID_TO_ATTRIBUTION,
            AnalyticsJob.UID_JOIN_ATTRIBUTOR,
            AnalyticsJob.UID_JOIN,
            AnalyticsJob.UID_JOIN_SINK,
            AnalyticsJob.UID_PAST_ATTRIBUTION,
            AnalyticsJob.UID_SESSIONIZER,
            AnalyticsJob.UID_FUNNEL_SUMS,
            AnalyticsJob.UID_EVENT_SUMS,
            AnalyticsJob.UID_SESSION_SUMS,
            AnalyticsJob.UID_FUNNEL,
            AnalyticsJob.UID_EVENT,
            AnalyticsJob.UID_DWELL,
            AnalyticsJob.UID_FUNNEL_SINK,
            AnalyticsJob.UID_EVENT_SINK,
            AnalyticsJob.UID_DWELL_SINK,
            AnalyticsJob.UID_BREAKDOWN,
            AnalyticsJob.UID_USERS_DAILY,
            AnalyticsJob.UID_CONVERT_TIME,
            AnalyticsJob.UID_CONVERT_TIME_DAILY,
            AnalyticsJob.UID_BREAKDOWN_SINK,
            AnalyticsJob.UID_USERS_DAILY_SINK,
            AnalyticsJob.UID_CONVERT_TIME_SINK,
            AnalyticsJob.UID_CONVERT_TIME_DAILY_SINK,
            AnalyticsJob.UID_DEAD_LETTER_SINK);
    assertThat(g.getStreamNodes()).allSatisfy(n -> assertThat(n.getOperatorName()).isNotBlank());
  }

  @Test
  void shouldCheckpointExactlyOnceByDefaultAndRetainCheckpointsOnCancel() {
    StreamGraph g = graph(settings("--checkpoint-dir", "file:///tmp/upbot-test-checkpoints"));

    var conf = g.getJobConfiguration();
    assertThat(g.getCheckpointConfig().isCheckpointingEnabled()).isTrue();
    assertThat(g.getCheckpointConfig().getCheckpointInterval()).isEqualTo(10_000);
    assertThat(g.getCheckpointConfig().getCheckpointingConsistencyMode())
        .isEqualTo(CheckpointingMode.EXACTLY_ONCE);
    assertThat(g.getCheckpointConfig().getExternalizedCheckpointRetention())
        .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    assertThat(conf.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("hashmap");
    assertThat(conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
        .isEqualTo("file:///tmp/upbot-test-checkpoints");
  }

  @Test
  void shouldSelectRocksDbAndDisableCheckpointsByFlag() {
    StreamGraph g = graph(settings("--state-backend", "rocksdb", "--checkpoint-interval", "off"));

    assertThat(g.getJobConfiguration().get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
    assertThat(g.getJobConfiguration().get(RocksDBConfigurableOptions.USE_BLOOM_FILTER)).isTrue();
    assertThat(g.getCheckpointConfig().isCheckpointingEnabled()).isFalse();
  }

  @Test
  void shouldTakeTheServerClockWatermarkBoundFromSettings() {
    assertThat(settings("--watermark-bound", "45s").watermarkBound())
        .isEqualTo(Duration.ofSeconds(45));
  }
}
