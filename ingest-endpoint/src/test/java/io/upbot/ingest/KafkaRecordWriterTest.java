package io.upbot.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real producer's non-blocking contract, with nothing listening at the bootstrap address. */
class KafkaRecordWriterTest {
  @TempDir Path dir;

  @Test
  void shouldFailAtOnceInsteadOfBlockingWhenTopicMetadataIsUnknown() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Path tokens = Files.writeString(dir.resolve("t.json"), "{\"tokens\":[]}");
    IngestConfig config =
        IngestConfig.parse(
            new String[] {
              "--kafka-bootstrap", "127.0.0.1:" + closedPort, "--tokens-file", tokens.toString()
            },
            Map.of());
    KafkaRecordWriter writer = new KafkaRecordWriter(config);
    try {
      CompletableFuture<Exception> outcome = new CompletableFuture<>();
      long t0 = System.nanoTime();
      try {
        writer.send("upbot.media-events", new byte[] {1}, new byte[] {2}, 1L, outcome::complete);
      } catch (RuntimeException thrown) {
        outcome.complete(thrown);
      }
      Exception e = outcome.get(30, TimeUnit.SECONDS);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(e).isNotNull();
      // Blocking for metadata would take max.block.ms, 60 s by Kafka's default. Without that wait
      // the answer comes within milliseconds on a quiet machine; the bound is far from both so that
      // a machine loaded many times over (seen: 2.4 s) cannot fail it, while a 60 s wait would.
      assertThat(ms).as("max.block.ms=0: no wait for metadata").isLessThan(20_000);
      assertThat(writer.isReady()).isFalse();
    } finally {
      writer.close(Duration.ofSeconds(1));
    }
  }
}
