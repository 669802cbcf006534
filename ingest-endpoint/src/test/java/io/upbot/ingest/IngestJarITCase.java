package io.upbot.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.upbot.schema.Fixtures;
import io.upbot.schema.MediaEventCodec;
import io.upbot.testkit.KafkaBroker;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shaded jar as a launcher runs it: {@code java -jar}, real broker, graceful stop on SIGTERM. */
class IngestJarITCase {
  static final Path JAR = Path.of("target", "upbot-ingest.jar");
  static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void shouldServeFromTheShadedJarAndStopGracefullyOnSigterm() throws Exception {
    assertThat(JAR).exists();
    Path dir = Files.createTempDirectory("upbot-ingest-jar-");
    Path tokens = dir.resolve("tokens.json");
    Files.writeString(tokens, "{\"tokens\":[{\"token\":\"jar-token\",\"appids\":\"*\"}]}");
    Path log = dir.resolve("ingest.log");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (KafkaBroker broker = KafkaBroker.start()) {
      broker.createTopic("jar-topic", 1);
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p = new ProcessBuilder(List.of(java, "-Xmx256m", "-jar", JAR.toString(),
              "--port", String.valueOf(port), "--host", "127.0.0.1", "--topic", "jar-topic",
              "--kafka-bootstrap", broker.bootstrapServers(), "--tokens-file", tokens.toString()))
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      try {
        URI base = URI.create("http://127.0.0.1:" + port);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
            .until(() -> status(base.resolve("/readyz")) == 200);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve(IngestServer.API_PATH))
            .header("Authorization", "jar-token").header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(Fixtures.text("requests/valid/api-example.json"))).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).isEqualTo("{\"ret\":0,\"msg\":\"\"}");
        assertThat(broker.readAll("jar-topic")).hasSize(1)
            .allSatisfy(c -> assertThat(MediaEventCodec.decode(c.value()).appid()).isEqualTo("xxxx"));

        p.destroy(); // SIGTERM
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(log);
        assertThat(out).contains("Ingest endpoint listening").contains("Ingest endpoint stopped");
        assertThat(out).doesNotContain("Exception").doesNotContain("o-user");
      } finally {
        p.destroyForcibly();
      }
    } finally {
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  private static int status(URI uri) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
