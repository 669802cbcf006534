package io.upbot.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestConfigTest {
  @TempDir Path dir;

  private Path tokens() throws Exception {
    Path p = dir.resolve("tokens.json");
    Files.writeString(p, "{\"tokens\":[]}");
    return p;
  }

  @Test
  void shouldUseDefaultsForAllButBootstrapAndTokens() throws Exception {
    IngestConfig c =
        IngestConfig.parse(
            new String[] {"--kafka-bootstrap", "k:9092", "--tokens-file", tokens().toString()},
            Map.of());
    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.topic()).isEqualTo("upbot.media-events");
    assertThat(c.deadline()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.maxBodyBytes()).isEqualTo(1024 * 1024);
    assertThat(c.maxItems()).isEqualTo(500);
    assertThat(c.kafkaCompression()).isEqualTo("snappy");
    assertThat(c.corsOrigins()).isEmpty();
    assertThat(c.kafkaProperties()).isEmpty();
    assertThat(c.bodyTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.maxConnections()).isEqualTo(10_000);
    assertThat(c.allowExampleToken()).isFalse();
  }

  @Test
  void shouldReadTheLimitFlagsAndRefuseABooleanThatIsNotTrueOrFalse() throws Exception {
    IngestConfig c =
        IngestConfig.parse(
            new String[] {
              "--kafka-bootstrap",
              "k:9092",
              "--tokens-file",
              tokens().toString(),
              "--body-timeout",
              "2500ms",
              "--max-connections",
              "64",
              "--allow-example-token",
              "true"
            },
            Map.of());
    assertThat(c.bodyTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(c.maxConnections()).isEqualTo(64);
    assertThat(c.allowExampleToken()).isTrue();
    assertThatThrownBy(
            () ->
                IngestConfig.parse(
                    new String[] {
                      "--kafka-bootstrap",
                      "k:9092",
                      "--tokens-file",
                      tokens().toString(),
                      "--allow-example-token",
                      "yes",
                      "--max-connections",
                      "0",
                      "--body-timeout",
                      "10ms"
                    },
                    Map.of()))
        .isInstanceOfSatisfying(
            IngestConfig.ConfigException.class,
            e ->
                assertThat(e.problems())
                    .anyMatch(
                        s -> s.equals("--allow-example-token: must be true or false (got 'yes')"))
                    .anyMatch(s -> s.startsWith("--max-connections:"))
                    .anyMatch(s -> s.startsWith("--body-timeout:")));
  }

  @Test
  void shouldReadEnvironmentAndLetFlagsWin() throws Exception {
    IngestConfig c =
        IngestConfig.parse(
            new String[] {
              "--port=9000",
              "--kafka-property",
              "security.protocol=SASL_SSL",
              "--cors-origins",
              "https://a.example.com, http://localhost:3000"
            },
            Map.of(
                "UPBOT_PORT",
                "7000",
                "UPBOT_KAFKA_BOOTSTRAP",
                "env:9092",
                "UPBOT_TOKENS_FILE",
                tokens().toString(),
                "UPBOT_DEADLINE",
                "1500ms",
                "UPBOT_KAFKA_PROPERTY_SASL_MECHANISM",
                "PLAIN",
                "PATH",
                "/usr/bin"));
    assertThat(c.port()).isEqualTo(9000);
    assertThat(c.kafkaBootstrap()).isEqualTo("env:9092");
    assertThat(c.deadline()).isEqualTo(Duration.ofMillis(1500));
    assertThat(c.corsOrigins()).containsExactly("https://a.example.com", "http://localhost:3000");
    assertThat(c.kafkaProperties())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "PLAIN");
  }

  @Test
  void shouldListEveryBadKeyAtOnce() {
    assertThatThrownBy(
            () ->
                IngestConfig.parse(
                    new String[] {
                      "--port",
                      "99999",
                      "--deadline",
                      "soon",
                      "--nope",
                      "1",
                      "--kafka-compression",
                      "rar",
                      "--tokens-file",
                      dir.resolve("missing.json").toString(),
                      "--cors-origins",
                      "not an origin",
                      "--kafka-property",
                      "acks=1",
                      "--kafka-property",
                      "novalue",
                      "stray"
                    },
                    Map.of("UPBOT_MAX_ITEMS", "0", "UPBOT_INGEST_TYPO", "x")))
        .isInstanceOfSatisfying(
            IngestConfig.ConfigException.class,
            e -> {
              List<String> p = e.problems();
              assertThat(p)
                  .anyMatch(s -> s.startsWith("--port:"))
                  .anyMatch(s -> s.startsWith("--deadline:"))
                  .anyMatch(s -> s.startsWith("--nope:"))
                  .anyMatch(s -> s.startsWith("--kafka-compression:"))
                  .anyMatch(s -> s.startsWith("--tokens-file:"))
                  .anyMatch(s -> s.startsWith("--cors-origins:"))
                  .anyMatch(s -> s.startsWith("--kafka-property acks:"))
                  .anyMatch(s -> s.startsWith("--kafka-property novalue:"))
                  .anyMatch(s -> s.startsWith("stray:"))
                  .anyMatch(s -> s.startsWith("--max-items:"))
                  .anyMatch(s -> s.startsWith("UPBOT_INGEST_TYPO:"))
                  .anyMatch(s -> s.startsWith("--kafka-bootstrap: required"));
              assertThat(e.getMessage()).contains("--port:", "--deadline:", "--kafka-bootstrap");
            });
  }

  @Test
  void shouldRequireDeliveryTimeoutToCoverLingerAndRequestTimeout() throws Exception {
    assertThatThrownBy(
            () ->
                IngestConfig.parse(
                    new String[] {
                      "--kafka-bootstrap",
                      "k:9092",
                      "--tokens-file",
                      tokens().toString(),
                      "--kafka-delivery-timeout",
                      "1s",
                      "--kafka-request-timeout",
                      "5s"
                    },
                    Map.of()))
        .hasMessageContaining("--kafka-delivery-timeout: must be at least");
  }

  @Test
  void shouldDescribeEveryFlagInTheUsage() {
    String usage = IngestConfig.usage();
    IngestConfig.FLAGS.names().forEach(k -> assertThat(usage).contains("--" + k));
    assertThat(usage)
        .contains("UPBOT_KAFKA_BOOTSTRAP", "--deadline-ms", "deprecated: use --deadline");
  }

  @Test
  void shouldStillReadTheOldMillisecondFlagsAndIngestVariablesAsTheirNewNames() throws Exception {
    IngestConfig c =
        IngestConfig.parse(
            new String[] {
              "--kafka-bootstrap",
              "k:9092",
              "--deadline-ms",
              "1500",
              "--body-timeout-ms=2500",
              "--kafka-linger-ms",
              "7",
              "--drain-timeout",
              "3s"
            },
            Map.of(
                "UPBOT_INGEST_TOKENS_FILE",
                tokens().toString(),
                "UPBOT_INGEST_TOKENS_RELOAD_MS",
                "50",
                "UPBOT_INGEST_KAFKA_PROPERTY_SASL_MECHANISM",
                "PLAIN",
                "UPBOT_INGEST_PORT",
                "7000",
                "UPBOT_PORT",
                "7001"));
    assertThat(c.deadline()).isEqualTo(Duration.ofMillis(1500));
    assertThat(c.bodyTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(c.kafkaLingerMs()).isEqualTo(7);
    assertThat(c.drainTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.tokensReloadInterval()).isEqualTo(Duration.ofMillis(50));
    assertThat(c.kafkaProperties()).containsEntry("sasl.mechanism", "PLAIN");
    assertThat(c.port()).as("the new variable wins over the old one").isEqualTo(7001);
  }

  @Test
  void shouldBuildTheDefaultsInCodeWithTheTwoRequiredValues() throws Exception {
    IngestConfig c =
        IngestConfig.defaults("k:9092", tokens()).withListen("127.0.0.1", 0).withTopic("t");
    assertThat(c.kafkaBootstrap()).isEqualTo("k:9092");
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isZero();
    assertThat(c.topic()).isEqualTo("t");
    assertThat(c.deadline()).isEqualTo(Duration.ofSeconds(2));
  }
}
