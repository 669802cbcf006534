package io.upbot.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upbot.job.model.FunnelStages;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobSettingsTest {

  @Test
  void shouldApplyDefaults() {
    JobSettings s = JobSettings.parse(new String[] {"--kafka-bootstrap", "k:9092"}, Map.of());

    assertThat(s.topic()).isEqualTo("upbot.media-events");
    assertThat(s.groupId()).isEqualTo("upbot-flink-job");
    assertThat(s.startFrom()).isEqualTo(StartFrom.COMMITTED);
    assertThat(s.bounded()).isFalse();
    assertThat(s.allowOverwrite()).isFalse();
    assertThat(s.jdbcUrl()).isEqualTo("jdbc:sqlite:upbot.db");
    assertThat(s.timeZone()).isEqualTo(ZoneId.of("Asia/Shanghai"));
    assertThat(s.sessionGap()).isEqualTo(Duration.ofMinutes(30));
    assertThat(s.allowedLateness()).isEqualTo(Duration.ofHours(24));
    assertThat(s.watermarkBound()).isEqualTo(Duration.ofMinutes(2));
    assertThat(s.flushInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.stages()).isEqualTo(FunnelStages.DEFAULT);
    assertThat(s.maxJourneyEvents()).isEqualTo(10_000);
    assertThat(s.parallelism()).isNull();
    assertThat(s.stateBackend()).isEqualTo("hashmap");
    assertThat(s.checkpointInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.checkpointDir()).isNull();
    assertThat(s.maxCodesPerHour()).isEqualTo(1000);
    assertThat(s.maxEventIdsPerHour()).isEqualTo(1000);
  }

  @Test
  void shouldTakeCardinalityCapsFromFlagsOrEnvironmentWithZeroOrOffForNone() {
    JobSettings s =
        JobSettings.parse(
            new String[] {"--kafka-bootstrap", "k:9092", "--max-codes-per-hour", "off"},
            Map.of("UPBOT_MAX_EVENT_IDS_PER_HOUR", "50"));
    assertThat(s.maxCodesPerHour()).isZero();
    assertThat(s.maxEventIdsPerHour()).isEqualTo(50);

    assertThat(
            JobSettings.parse(
                    new String[] {"--kafka-bootstrap", "k:9092", "--max-event-ids-per-hour=0"},
                    Map.of())
                .maxEventIdsPerHour())
        .isZero();
    assertThatThrownBy(
            () ->
                JobSettings.parse(
                    new String[] {
                      "--kafka-bootstrap",
                      "k:9092",
                      "--max-codes-per-hour",
                      "-1",
                      "--max-event-ids-per-hour",
                      "lots"
                    },
                    Map.of()))
        .isInstanceOf(SettingsException.class)
        .satisfies(
            e ->
                assertThat(((SettingsException) e).problems())
                    .containsExactly(
                        "--max-codes-per-hour: must be an integer ≥ 0 (got '-1')",
                        "--max-event-ids-per-hour: must be an integer ≥ 0 (got 'lots')"));
  }

  @Test
  void shouldParseEveryFlagAndPreferFlagsOverEnvironment() {
    JobSettings s =
        JobSettings.parse(
            new String[] {
              "--kafka-bootstrap=k1:9092",
              "--topic",
              "t2",
              "--start-from",
              "0:5,2:7",
              "--bounded",
              "--allow-overwrite",
              "--jdbc-url",
              "jdbc:postgresql://db/upbot",
              "--session-gap",
              "10m",
              "--allowed-lateness",
              "2h",
              "--exposed-events",
              "a, b",
              "--long-press-events",
              "c",
              "--join-events",
              "d",
              "--flush-interval",
              "500ms",
              "--parallelism",
              "4",
              "--state-backend",
              "rocksdb",
              "--checkpoint-interval",
              "off",
              "--time-zone",
              "UTC"
            },
            Map.of(
                "UPBOT_TOPIC", "from-env", "UPBOT_GROUP_ID", "g-env", "UPBOT_JDBC_PASSWORD", "pw"));

    assertThat(s.kafkaBootstrap()).isEqualTo("k1:9092");
    assertThat(s.topic()).isEqualTo("t2");
    assertThat(s.groupId()).isEqualTo("g-env");
    assertThat(s.jdbcPassword()).isEqualTo("pw");
    assertThat(s.startFrom().offsets()).isEqualTo(Map.of(0, 5L, 2, 7L));
    assertThat(s.bounded()).isTrue();
    assertThat(s.allowOverwrite()).as("bare switch").isTrue();
    assertThat(s.sessionGap()).isEqualTo(Duration.ofMinutes(10));
    assertThat(s.stages()).isEqualTo(new FunnelStages(Set.of("a", "b"), Set.of("c"), Set.of("d")));
    assertThat(s.flushInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(s.parallelism()).isEqualTo(4);
    assertThat(s.stateBackend()).isEqualTo("rocksdb");
    assertThat(s.checkpointInterval()).isZero();
  }

  @Test
  void shouldTakeTheJourneyEventCapFromFlagOrEnvironmentAndRefuseZero() {
    assertThat(
            JobSettings.parse(
                    new String[] {"--kafka-bootstrap", "k:9092", "--max-journey-events", "250000"},
                    Map.of("UPBOT_MAX_JOURNEY_EVENTS", "7"))
                .maxJourneyEvents())
        .isEqualTo(250_000);
    assertThat(
            JobSettings.parse(
                    new String[] {"--kafka-bootstrap", "k:9092"},
                    Map.of("UPBOT_MAX_JOURNEY_EVENTS", "7"))
                .maxJourneyEvents())
        .isEqualTo(7);
    assertThatThrownBy(
            () ->
                JobSettings.parse(
                    new String[] {"--kafka-bootstrap", "k:9092", "--max-journey-events", "0"},
                    Map.of()))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("--max-journey-events");
  }

  @Test
  void shouldParseStartPositions() {
    assertThat(StartFrom.parse("earliest").kind()).isEqualTo(StartFrom.Kind.EARLIEST);
    assertThat(StartFrom.parse("latest").kind()).isEqualTo(StartFrom.Kind.LATEST);
    assertThat(StartFrom.parse("timestamp:1700000000000").timestampMs())
        .isEqualTo(1_700_000_000_000L);
  }

  @Test
  void shouldListEveryBadKeyAtOnce() {
    assertThatThrownBy(
            () ->
                JobSettings.parse(
                    new String[] {
                      "--session-gap", "soon", "--state-backend", "memory", "--parallelism", "0",
                      "--start-from", "yesterday", "--jdbc-url", "jdbc:mysql://x", "--nope", "1",
                      "--exposed-events", "1110204", "--flush-interval"
                    },
                    Map.of()))
        .isInstanceOf(SettingsException.class)
        .satisfies(
            e ->
                assertThat(((SettingsException) e).problems())
                    .anyMatch(p -> p.startsWith("--kafka-bootstrap: required"))
                    .anyMatch(p -> p.startsWith("--session-gap:"))
                    .anyMatch(p -> p.startsWith("--state-backend:"))
                    .anyMatch(p -> p.startsWith("--parallelism:"))
                    .anyMatch(p -> p.startsWith("--start-from:"))
                    .anyMatch(p -> p.startsWith("--jdbc-url:"))
                    .anyMatch(p -> p.equals("--nope: unknown flag"))
                    .anyMatch(p -> p.contains("more than one funnel stage"))
                    .anyMatch(p -> p.equals("--flush-interval: missing value"))
                    .hasSize(9));
  }

  @Test
  void shouldDescribeEveryFlagInHelp() {
    assertThat(JobSettings.wantsHelp(new String[] {"--help"})).isTrue();
    assertThat(JobSettings.usage())
        .contains(
            "--kafka-bootstrap",
            "--start-from",
            "--bounded",
            "--session-gap",
            "--state-backend",
            "--checkpoint-dir",
            "--jdbc-url",
            "--max-codes-per-hour",
            "--max-event-ids-per-hour");
  }

  @Test
  void shouldBuildTheDefaultsInCodeAndChangeThemWithoutFlags() {
    JobSettings s =
        JobSettings.defaults("k:9092")
            .withSource("t", "g", StartFrom.EARLIEST)
            .withJdbc("jdbc:sqlite:x.db", null, null)
            .withRuntime(1, Duration.ofSeconds(5), "file:///tmp/cp")
            .withTimes(Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(2));
    assertThat(s.kafkaBootstrap()).isEqualTo("k:9092");
    assertThat(s.kafkaSettings().topic()).isEqualTo("t");
    assertThat(s.groupId()).isEqualTo("g");
    assertThat(s.startFrom().kind()).isEqualTo(StartFrom.Kind.EARLIEST);
    assertThat(s.jdbcUrl()).isEqualTo("jdbc:sqlite:x.db");
    assertThat(s.parallelism()).isEqualTo(1);
    assertThat(s.checkpointInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.checkpointDir()).isEqualTo("file:///tmp/cp");
    assertThat(List.of(s.sessionGap(), s.allowedLateness(), s.watermarkBound()))
        .containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(2));
    assertThat(s.flushInterval()).as("untouched defaults").isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void shouldChangeOnlyTheSettingEachBuilderSetterNames() throws Exception {
    JobSettings a = JobSettings.defaults("a:9092");
    JobSettings b =
        JobSettings.parse(
            new String[] {
              "--kafka-bootstrap=b:9092",
              "--topic=t",
              "--group-id=g",
              "--start-from=earliest",
              "--bounded",
              "--allow-overwrite",
              "--jdbc-url=jdbc:postgresql://db/upbot",
              "--jdbc-user=u",
              "--jdbc-password=p",
              "--time-zone=UTC",
              "--jdbc-batch-size=7",
              "--jdbc-batch-interval=7s",
              "--jdbc-max-retries=7",
              "--session-gap=7m",
              "--allowed-lateness=7h",
              "--watermark-bound=7s",
              "--source-idleness=7m",
              "--join-events=9",
              "--max-journey-events=7",
              "--flush-interval=7s",
              "--parallelism=7",
              "--state-backend=rocksdb",
              "--checkpoint-interval=7s",
              "--checkpoint-dir=file:///cp",
              "--max-codes-per-hour=7",
              "--max-event-ids-per-hour=8"
            },
            Map.of());
    assertThat(a.toBuilder().build()).isEqualTo(a);

    for (RecordComponent c : JobSettings.class.getRecordComponents()) {
      Object theirs = c.getAccessor().invoke(b);
      assertThat(theirs).as(c.getName()).isNotEqualTo(c.getAccessor().invoke(a));
      JobSettings.Builder builder = a.toBuilder();
      JobSettings.Builder.class.getMethod(c.getName(), c.getType()).invoke(builder, theirs);
      JobSettings changed = builder.build();

      assertThat(c.getAccessor().invoke(changed)).as(c.getName()).isEqualTo(theirs);
      assertThat(changed).usingRecursiveComparison().ignoringFields(c.getName()).isEqualTo(a);
    }
  }

  @Test
  void shouldWriteChangedRowsEvery30sByDefaultWhenBounded() {
    JobSettings backfill =
        JobSettings.parse(new String[] {"--kafka-bootstrap", "k:9092", "--bounded"}, Map.of());
    JobSettings live = JobSettings.parse(new String[] {"--kafka-bootstrap", "k:9092"}, Map.of());
    JobSettings chosen =
        JobSettings.parse(
            new String[] {"--kafka-bootstrap", "k:9092", "--bounded", "--flush-interval", "2s"},
            Map.of());

    assertThat(backfill.flushInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(live.flushInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(chosen.flushInterval()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void shouldCountJoinsFromClientsAndWeComByDefaultAndFromWeComOnlyWhenAsked() {
    assertThat(
            JobSettings.parse(new String[] {"--kafka-bootstrap", "k:9092"}, Map.of())
                .stages()
                .wecomJoinsOnly())
        .isFalse();
    assertThat(
            JobSettings.parse(
                    new String[] {"--kafka-bootstrap", "k:9092"},
                    Map.of("UPBOT_JOINS_FROM", "wecom"))
                .stages()
                .wecomJoinsOnly())
        .isTrue();
    assertThatThrownBy(
            () ->
                JobSettings.parse(
                    new String[] {"--kafka-bootstrap", "k:9092", "--joins-from", "crm"}, Map.of()))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("--joins-from");
  }
}
