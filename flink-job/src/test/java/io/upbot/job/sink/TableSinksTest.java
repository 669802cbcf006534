package io.upbot.job.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.AnalyticsJob;
import io.upbot.job.JobSettings;
import io.upbot.job.JobSinks;
import io.upbot.job.source.KafkaSources;
import io.upbot.job.source.ServerClockWatermarks;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class TableSinksTest {

  @Test
  void shouldPassSqliteWalAndBusyTimeoutToFlinksConnectionOptions() {
    JdbcConnectionOptions options =
        TableSinks.connectionOptions(JdbcSettings.defaults("jdbc:sqlite:/tmp/upbot.db"));

    assertThat(options.getDbURL()).isEqualTo("jdbc:sqlite:/tmp/upbot.db");
    assertThat(options.getDriverName()).isEqualTo("org.sqlite.JDBC");
    assertThat(options.getProperties())
        .containsEntry("journal_mode", "WAL")
        .containsEntry("busy_timeout", "30000");
    assertThat(options.getUsername()).isEmpty();
  }

  @Test
  void shouldPassPostgresCredentials() {
    JdbcConnectionOptions options =
        TableSinks.connectionOptions(
            JdbcSettings.defaults("jdbc:postgresql://db/upbot").withCredentials("upbot", "pw"));

    assertThat(options.getDriverName()).isEqualTo("org.postgresql.Driver");
    assertThat(options.getUsername()).contains("upbot");
    assertThat(options.getPassword()).contains("pw");
  }

  @Test
  void shouldUseTheConfiguredBatching() {
    JdbcExecutionOptions options =
        TableSinks.executionOptions(
            JdbcSettings.defaults("jdbc:sqlite:/tmp/u.db").withBatching(50, 1_000, 5));

    assertThat(options.getBatchSize()).isEqualTo(50);
    assertThat(options.getBatchIntervalMs()).isEqualTo(1_000);
    assertThat(options.getMaxRetries()).isEqualTo(5);
  }

  @Test
  void shouldBuildSerializableSinksForEveryTable() throws Exception {
    JobSinks sinks = TableSinks.create(JdbcSettings.defaults("jdbc:sqlite:/tmp/u.db"));

    assertThat(InstantiationUtil.clone(sinks.funnelRows())).isNotNull();
    assertThat(InstantiationUtil.clone(sinks.eventRows())).isNotNull();
    assertThat(InstantiationUtil.clone(sinks.dwellRows())).isNotNull();
    assertThat(InstantiationUtil.clone(sinks.breakdownRows())).isNotNull();
    assertThat(InstantiationUtil.clone(sinks.usersDailyRows())).isNotNull();
    assertThat(InstantiationUtil.clone(sinks.convertTimeRows())).isNotNull();
    assertThat(InstantiationUtil.clone(sinks.convertTimeDailyRows())).isNotNull();
    assertThat(InstantiationUtil.clone(sinks.deadLetters())).isNotNull();
  }

  @Test
  void shouldGiveEveryTableAWriterAndNoCommitterWhoseGaugeCollidesOnEachCheckpoint() {
    JobSettings s =
        JobSettings.parse(new String[] {"--kafka-bootstrap", "localhost:9092"}, Map.of());
    JobSinks sinks = TableSinks.create(JdbcSettings.defaults("jdbc:sqlite:/tmp/u.db"));
    assertThat(
            List.of(
                sinks.funnelRows(),
                sinks.eventRows(),
                sinks.dwellRows(),
                sinks.breakdownRows(),
                sinks.usersDailyRows(),
                sinks.convertTimeRows(),
                sinks.convertTimeDailyRows(),
                sinks.deadLetters()))
        .noneMatch(sink -> sink instanceof SupportsCommitter);

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    AnalyticsJob.configure(env, s);
    AnalyticsJob.build(
        env,
        s,
        KafkaSources.create(s.kafkaSettings()),
        ServerClockWatermarks.strategy(s.watermarkBound(), s.sourceIdleness(), s.bounded()),
        sinks);
    List<String> operators =
        env.getStreamGraph().getStreamNodes().stream().map(StreamNode::getOperatorName).toList();

    assertThat(operators).noneMatch(name -> name.contains("Committer"));
    assertThat(operators)
        .filteredOn(name -> name.endsWith("Writer"))
        .containsExactlyInAnyOrder(
            "code_funnel_hourly: Writer",
            "code_event_hourly: Writer",
            "code_dwell_hourly: Writer",
            "code_funnel_breakdown_hourly: Writer",
            "code_users_daily: Writer",
            "code_convert_time_hourly: Writer",
            "code_convert_time_daily: Writer",
            "dead_letter_events: Writer",
            "code_join_hourly: Writer");
  }
}
