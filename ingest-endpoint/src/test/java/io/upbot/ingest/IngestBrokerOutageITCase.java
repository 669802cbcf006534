package io.upbot.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.upbot.testkit.KafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker killed (as a crash would) while clients post, then restarted on the same ports: the
 * endpoint answers 1005 within its deadline while Kafka is gone (never 0 for a batch Kafka did not
 * acknowledge), {@code /readyz} turns 503 and back, and it recovers by itself, without a restart.
 * Every item answered 0 is in the topic, compared by its unique {@code event_id}.
 */
class IngestBrokerOutageITCase {
  static final String TOPIC = "outage-topic";
  static final String TOKEN = "outage-token";
  static final long DEADLINE_MS = 2000;
  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @TempDir Path dir;

  @Test
  void shouldAnswer1005WithinTheDeadlineWhileTheBrokerIsDeadAndRecoverWithoutARestart()
      throws Exception {
    Path tokens = LoadClients.tokenFile(dir, TOKEN);
    try (KafkaBroker broker = KafkaBroker.start()) {
      broker.createTopic(TOPIC, 3);
      IngestConfig config =
          IngestConfig.parse(
              new String[] {
                "--port",
                "0",
                "--host",
                "127.0.0.1",
                "--kafka-bootstrap",
                broker.bootstrapServers(),
                "--topic",
                TOPIC,
                "--tokens-file",
                tokens.toString(),
                "--deadline",
                DEADLINE_MS + "ms"
              },
              Map.of());
      try (IngestServer server = IngestServer.start(config)) {
        URI base = URI.create("http://127.0.0.1:" + server.port());
        await().atMost(Duration.ofSeconds(30)).until(() -> status(base.resolve("/readyz")) == 200);
        long killed;
        long restarted;
        long recovered;
        long notReady;
        LoadClients load;
        try (LoadClients l =
            new LoadClients(
                base.resolve(IngestServer.API_PATH),
                TOKEN,
                "wx-outage",
                4,
                20,
                Duration.ofMillis(20))) {
          load = l;
          await()
              .atMost(Duration.ofSeconds(60))
              .untilAsserted(
                  () -> assertThat(l.count(0)).as(l.summary()).isGreaterThanOrEqualTo(100));

          broker.kill();
          killed = System.nanoTime();
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> status(base.resolve("/readyz")) == 503);
          notReady = System.nanoTime();
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> l.countSentAfter(Ret.BUSY.code(), notReady) >= 20);
          assertThat(status(base.resolve("/healthz"))).as("alive, only not ready").isEqualTo(200);

          broker.restart();
          restarted = System.nanoTime();
          await().atMost(Duration.ofSeconds(90)).until(() -> l.countSentAfter(0, restarted) >= 1);
          recovered = System.nanoTime();
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> status(base.resolve("/readyz")) == 200);
          long more = l.count(0) + 100;
          await().atMost(Duration.ofSeconds(60)).until(() -> l.count(0) >= more);
        }
        assertThat(load.outcomes())
            .extracting(LoadClients.Outcome::ret)
            .containsOnly(0, Ret.BUSY.code());
        assertThat(load.outcomes())
            .allSatisfy(
                o ->
                    assertThat(o.millis())
                        .as("answered within the deadline (plus scheduling slack)")
                        .isLessThan(DEADLINE_MS + 1500));

        Set<String> inKafka = LoadClients.eventIds(broker.readAll(TOPIC));
        Set<String> accepted = load.accepted();
        assertThat(inKafka).as("every item answered 0 is in Kafka").containsAll(accepted);
        long busyItemsStored =
            load.outcomes().stream()
                .filter(o -> o.ret() == Ret.BUSY.code())
                .flatMap(o -> o.eventIds().stream())
                .filter(inKafka::contains)
                .count();
        System.out.printf(
            "Broker killed under load: %s; %d items answered 0, all in Kafka; %d items answered 1005"
                + " reached Kafka anyway (allowed: retries are deduplicated); /readyz 503 %d ms after the kill;"
                + " first 0 %d ms after the restart returned; slowest answer %d ms%n",
            load.summary(),
            accepted.size(),
            busyItemsStored,
            TimeUnit.NANOSECONDS.toMillis(notReady - killed),
            TimeUnit.NANOSECONDS.toMillis(recovered - restarted),
            load.outcomes().stream().mapToLong(LoadClients.Outcome::millis).max().orElse(0));
      }
    }
  }

  private static int status(URI uri) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
