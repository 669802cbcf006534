package io.upbot.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlagsTest {

  private static Flags flags() {
    return Flags.withEnvironment()
        .legacyEnvPrefix("UPBOT_OLD_")
        .value("port", "8080", "listen port")
        .value("deadline", "2s", "answer by then")
        .value("kafka-bootstrap", null, "brokers")
        .toggle("bounded", "false", "stop at the end")
        .repeated("kafka-property", "extra property")
        .renamed("deadline-ms", "deadline", Flags.MILLIS);
  }

  @Test
  void shouldPreferAFlagOverItsVariableOverTheDefault() {
    Values v =
        flags()
            .parse(
                new String[] {"--port=9000"},
                Map.of(
                    "UPBOT_PORT",
                    "7000",
                    "UPBOT_DEADLINE",
                    "5s",
                    "UPBOT_KAFKA_BOOTSTRAP",
                    "k:9092"));
    assertThat(v.integer("port", 0, 65535)).isEqualTo(9000);
    assertThat(v.duration("deadline", Duration.ZERO, Duration.ofHours(1)))
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(v.required("kafka-bootstrap")).isEqualTo("k:9092");
    assertThat(v.bool("bounded")).isFalse();
    assertThat(v.problems()).isEmpty();
    assertThat(v.warnings()).isEmpty();
  }

  @Test
  void shouldNameEveryVariableUpbotAndTheFlagInUpperCase() {
    assertThat(Flags.envName("kafka-bootstrap")).isEqualTo("UPBOT_KAFKA_BOOTSTRAP");
    assertThat(flags().usage("x")).contains("UPBOT_KAFKA_BOOTSTRAP", "UPBOT_KAFKA_PROPERTY_<KEY>");
  }

  @Test
  void shouldReadARenamedFlagInMillisecondsWithADeprecationWarning() {
    Values v = flags().parse(new String[] {"--deadline-ms", "1500"}, Map.of());
    assertThat(v.duration("deadline", Duration.ZERO, Duration.ofHours(1)))
        .isEqualTo(Duration.ofMillis(1500));
    assertThat(v.warnings()).containsExactly("--deadline-ms is deprecated: use --deadline 1500ms");
    assertThat(v.problems()).isEmpty();
  }

  @Test
  void shouldReadOldVariablesWithAWarningAndLetTheNewOnesWin() {
    Values v =
        flags()
            .parse(
                new String[0],
                Map.of(
                    "UPBOT_OLD_DEADLINE_MS",
                    "250",
                    "UPBOT_OLD_PORT",
                    "7000",
                    "UPBOT_OLD_KAFKA_PROPERTY_SASL_MECHANISM",
                    "PLAIN",
                    "UPBOT_DEADLINE_MS",
                    "300"));
    assertThat(v.duration("deadline", Duration.ZERO, Duration.ofHours(1)))
        .isEqualTo(Duration.ofMillis(300));
    assertThat(v.integer("port", 0, 65535)).isEqualTo(7000);
    assertThat(v.all("kafka-property")).containsExactly("sasl.mechanism=PLAIN");
    assertThat(v.warnings())
        .contains(
            "UPBOT_OLD_DEADLINE_MS is deprecated: use UPBOT_DEADLINE=250ms",
            "UPBOT_DEADLINE_MS is deprecated: use UPBOT_DEADLINE=300ms",
            "UPBOT_OLD_PORT is deprecated: use UPBOT_PORT",
            "UPBOT_OLD_KAFKA_PROPERTY_SASL_MECHANISM is deprecated: use UPBOT_KAFKA_PROPERTY_SASL_MECHANISM");
  }

  @Test
  void shouldListEveryBadFlagAtOnceTakingTheWordAfterAnUnknownFlagAsItsValue() {
    Values v =
        flags()
            .parse(
                new String[] {
                  "--nope",
                  "1",
                  "stray",
                  "--also-nope=2",
                  "--port",
                  "x",
                  "--deadline",
                  "soon",
                  "--kafka-bootstrap"
                },
                Map.of("UPBOT_OLD_TYPO", "x", "UPBOT_SOMEONE_ELSES", "y"));
    v.integer("port", 0, 65535);
    v.duration("deadline", Duration.ZERO, Duration.ofHours(1));
    assertThat(v.problems())
        .containsExactly(
            "UPBOT_OLD_TYPO: unknown environment variable",
            "--nope: unknown flag",
            "stray: unexpected argument (flags look like --name value)",
            "--also-nope: unknown flag",
            "--kafka-bootstrap: missing value",
            "--port: not a whole number (got 'x')",
            "--deadline: " + Durations.EXPECTED + " (got 'soon')");
  }

  @Test
  void shouldTakeABareSwitchAsTrueAndAnExplicitValueAsGiven() {
    assertThat(flags().parse(new String[] {"--bounded", "--port", "1"}, Map.of()).bool("bounded"))
        .isTrue();
    assertThat(flags().parse(new String[] {"--bounded", "false"}, Map.of()).bool("bounded"))
        .isFalse();
    Values yes = flags().parse(new String[] {"--bounded", "yes"}, Map.of());
    yes.bool("bounded");
    assertThat(yes.problems()).containsExactly("--bounded: must be true or false (got 'yes')");
  }

  @Test
  void shouldReportARangeInDurationsAndAMissingRequiredValueWithItsVariable() {
    Values v = flags().parse(new String[] {"--deadline", "2h"}, Map.of());
    assertThat(v.duration("deadline", Duration.ofMillis(1), Duration.ofMinutes(10))).isNull();
    assertThat(v.required("kafka-bootstrap")).isNull();
    assertThat(v.problems())
        .containsExactly(
            "--deadline: must be between 1ms and 10m (got '2h')",
            "--kafka-bootstrap: required (or UPBOT_KAFKA_BOOTSTRAP)");
  }

  @Test
  void shouldReadNoVariablesForASubcommand() {
    Flags sub = Flags.withoutEnvironment().value("port", null, "");
    Values v = sub.parse(new String[0], Map.of("UPBOT_PORT", "1"));
    assertThat(v.has("port")).isFalse();
    v.required("port");
    assertThat(v.problems()).containsExactly("--port: required");
  }

  @Test
  void shouldDeclareTheSharedListenAndKafkaFlagsInOrderWithTheirDefaults() {
    Flags f = Flags.withEnvironment().listen("8090").value("path", "/", "").kafkaTopic("read");

    assertThat(f.names()).containsExactly("host", "port", "path", "kafka-bootstrap", "topic");
    assertThat(f.defaultOf("host")).isEqualTo("0.0.0.0");
    assertThat(f.defaultOf("port")).isEqualTo("8090");
    assertThat(f.defaultOf("kafka-bootstrap")).isNull();
    assertThat(f.defaultOf("topic")).isEqualTo("upbot.media-events");
    assertThat(f.usage("x")).contains("UPBOT_TOPIC", "read [upbot.media-events]");
    Values v = f.parse(new String[] {"--port", "0"}, Map.of("UPBOT_KAFKA_BOOTSTRAP", "k:9092"));
    assertThat(v.integer("port", 0, 65535)).isZero();
    assertThat(v.required("kafka-bootstrap")).isEqualTo("k:9092");
    assertThat(v.problems()).isEmpty();
  }
}
