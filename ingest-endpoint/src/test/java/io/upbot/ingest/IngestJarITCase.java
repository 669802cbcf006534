package io.upbot.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.schema.Fixtures;
import io.upbot.schema.MediaEventCodec;
import io.upbot.testkit.KafkaBroker;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shaded jar as a launcher runs it: {@code java -jar}, real broker, graceful stop on SIGTERM.
 */
class IngestJarITCase {
  @Test
  void shouldServeFromTheShadedJarAndStopGracefullyOnSigterm() throws Exception {
    assertThat(EndpointProcess.JAR).exists();
    Path dir = Files.createTempDirectory("upbot-ingest-jar-");
    Path tokens = dir.resolve("tokens.json");
    Files.writeString(tokens, "{\"tokens\":[{\"token\":\"jar-token\",\"appids\":\"*\"}]}");
    try (KafkaBroker broker = KafkaBroker.start()) {
      broker.createTopic("jar-topic", 1);
      try (EndpointProcess ep =
          EndpointProcess.start(
              dir.resolve("ingest.log"),
              "--topic",
              "jar-topic",
              "--kafka-bootstrap",
              broker.bootstrapServers(),
              "--tokens-file",
              tokens.toString())) {
        Process p = ep.process;
        HttpResponse<String> r =
            EndpointProcess.HTTP.send(
                HttpRequest.newBuilder(ep.base.resolve(IngestServer.API_PATH))
                    .header("Authorization", "jar-token")
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            Fixtures.text("requests/valid/api-example.json")))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).isEqualTo("{\"ret\":0,\"msg\":\"\"}");
        assertThat(broker.readAll("jar-topic"))
            .hasSize(1)
            .allSatisfy(
                c -> assertThat(MediaEventCodec.decode(c.value()).appid()).isEqualTo("xxxx"));

        p.destroy(); // SIGTERM
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = ep.output();
        assertThat(out).contains("Ingest endpoint listening").contains("Ingest endpoint stopped");
        assertThat(out).doesNotContain("Exception").doesNotContain("o-user");
      }
    } finally {
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
