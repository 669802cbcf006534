package io.upbot.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.upbot.testkit.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoint jar stopped with SIGTERM while clients post: every item it answered 0 is in the
 * topic. Answers other than 0, and connections cut by the stop, may or may not have reached Kafka.
 * In-flight batches are drained (waited for, up to the drain timeout) before the process exits.
 */
class IngestSigtermITCase {
  static final String TOPIC = "sigterm-topic";
  static final String TOKEN = "sigterm-token";

  @TempDir Path dir;

  @Test
  void shouldNeverAnswerZeroForAnItemMissingFromKafkaWhenStoppedWithSigtermUnderLoad()
      throws Exception {
    Path tokens = LoadClients.tokenFile(dir, TOKEN);
    try (KafkaBroker broker = KafkaBroker.start()) {
      broker.createTopic(TOPIC, 3);
      try (EndpointProcess ep =
          EndpointProcess.start(
              dir.resolve("ingest.log"),
              "--topic",
              TOPIC,
              "--kafka-bootstrap",
              broker.bootstrapServers(),
              "--tokens-file",
              tokens.toString(),
              // Acks held back by a long linger: at SIGTERM every client has a batch in flight to
              // drain.
              "--drain-timeout",
              "10s",
              "--kafka-linger",
              "500ms")) {
        LoadClients load;
        long sigterm;
        long exited;
        try (LoadClients l =
            new LoadClients(
                ep.base.resolve(IngestServer.API_PATH),
                TOKEN,
                "wx-load",
                8,
                50,
                Duration.ofMillis(5))) {
          load = l;
          await()
              .atMost(Duration.ofSeconds(60))
              .untilAsserted(
                  () -> assertThat(l.count(0)).as(l.summary()).isGreaterThanOrEqualTo(50));
          // The clients run in step (one linger acknowledges them all), so between two rounds
          // nothing may be in flight for a few ms: stop while the server holds batches.
          await()
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(20))
              .until(() -> ep.gauge("upbot_ingest_inflight_batches") >= 4);
          sigterm = System.nanoTime();
          ep.process.destroy(); // SIGTERM
          assertThat(ep.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
          exited = System.nanoTime();
          // Clients still posting now find nobody listening.
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> l.countSentAfter(LoadClients.CUT, exited) >= 8);
        }
        Set<String> inKafka = LoadClients.eventIds(broker.readAll(TOPIC));
        Set<String> accepted = load.accepted();
        assertThat(accepted).isNotEmpty();
        assertThat(inKafka).as("every item answered 0 is in Kafka").containsAll(accepted);
        // 1005 (draining) and cut connections are allowed, not required: a stop may find no request
        // arriving while it drains.
        assertThat(load.outcomes())
            .extracting(LoadClients.Outcome::ret)
            .isSubsetOf(0, Ret.BUSY.code(), LoadClients.CUT);

        String out = ep.output();
        assertThat(out).contains("Ingest endpoint stopped").doesNotContain("Exception");
        Matcher drained =
            Pattern.compile("Drained (\\d+) in-flight batches in (\\d+) ms").matcher(out);
        assertThat(drained.find()).as(out).isTrue();
        assertThat(Integer.parseInt(drained.group(1)))
            .as("batches in flight at SIGTERM")
            .isPositive();
        assertThat(Long.parseLong(drained.group(2))).isLessThan(10_000);
        // Batches sent before SIGTERM and answered after it: drained, and answered 0 (their items
        // are in Kafka).
        long drainedZeros =
            load.outcomes().stream()
                .filter(
                    o ->
                        o.ret() == 0
                            && o.sentNanos() < sigterm
                            && o.sentNanos() + TimeUnit.MILLISECONDS.toNanos(o.millis()) > sigterm)
                .count();
        assertThat(drainedZeros).isPositive();
        // Each batch the server drained had its answer written before the listener stopped: none
        // of them was cut. (A batch entering between SIGTERM and the drain's start also answers 0
        // after SIGTERM, so this is at least, not exactly, the drained count.)
        long zerosAfterSigterm =
            load.outcomes().stream()
                .filter(
                    o ->
                        o.ret() == 0
                            && o.sentNanos() + TimeUnit.MILLISECONDS.toNanos(o.millis()) > sigterm)
                .count();
        assertThat(zerosAfterSigterm)
            .as("drained batches whose answer 0 reached the client")
            .isGreaterThanOrEqualTo(Integer.parseInt(drained.group(1)));
        System.out.printf(
            "SIGTERM under load: %s; %d items answered 0, all in Kafka (%d records);"
                + " %s batches in flight drained in %s ms (%d of them answered 0 after SIGTERM);"
                + " process exited %d ms after SIGTERM%n",
            load.summary(),
            accepted.size(),
            inKafka.size(),
            drained.group(1),
            drained.group(2),
            drainedZeros,
            TimeUnit.NANOSECONDS.toMillis(exited - sigterm));
      }
    }
  }
}
