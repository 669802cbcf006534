package io.upbot.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.upbot.schema.Fixtures;
import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import io.upbot.testkit.KafkaBroker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The endpoint against a real KRaft broker: durability, atomic rejection, outage and recovery. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IngestKafkaITCase {
  static final String TOPIC = "upbot.media-events";
  static final String TOKEN = "it-token";
  static final Duration DEADLINE = Duration.ofMillis(2000);
  static KafkaBroker broker;
  static IngestServer server;
  static Path dir;
  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @BeforeAll
  static void start() throws Exception {
    broker = KafkaBroker.start();
    broker.createTopic(TOPIC, 3);
    dir = Files.createTempDirectory("upbot-ingest-it-");
    Path tokens = dir.resolve("tokens.json");
    Files.writeString(
        tokens, "{\"tokens\":[{\"token\":\"" + TOKEN + "\",\"appids\":[\"wx-app\",\"xxxx\"]}]}");
    IngestConfig config =
        IngestConfig.parse(
            new String[] {
              "--port",
              "0",
              "--host",
              "127.0.0.1",
              "--kafka-bootstrap",
              broker.bootstrapServers(),
              "--tokens-file",
              tokens.toString(),
              "--deadline",
              DEADLINE.toMillis() + "ms"
            },
            Map.of());
    server = IngestServer.start(config);
    await().atMost(Duration.ofSeconds(30)).until(() -> get("/readyz") == 200);
  }

  @AfterAll
  static void stop() throws IOException {
    if (server != null) {
      server.close();
    }
    if (broker != null) {
      broker.close();
    }
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  record Reply(int status, int ret, String body) {}

  static Reply post(String body) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(uri(IngestServer.API_PATH))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    int ret = TestEndpoint.JSON.readTree(r.body()).get("ret").intValue();
    return new Reply(r.statusCode(), ret, r.body());
  }

  static int get(String path) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  /** Records in the topic after the given end offsets, in partition then offset order. */
  static List<ConsumerRecord<byte[], byte[]>> recordsSince(Map<String, Integer> before) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : broker.readAll(TOPIC)) {
      if (r.offset() >= before.getOrDefault(String.valueOf(r.partition()), 0)) {
        out.add(r);
      }
    }
    return out;
  }

  /** The end offset of each partition now. */
  static Map<String, Integer> ends() {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : broker.readAll(TOPIC)) {
      m.merge(String.valueOf(r.partition()), (int) r.offset() + 1, Math::max);
    }
    return m;
  }

  @Test
  @Order(1)
  void shouldWriteAnAcceptedBatchAsOneRecordPerItemKeyedByTrace() throws Exception {
    Map<String, Integer> before = ends();
    String body =
        "{\"head\":{\"account_info\":{\"account_type\":2,\"appid\":\"wx-app\",\"openid\":\"o-1\"},"
            + "\"device_info\":{\"device_type\":2,\"uuid\":\"dev\"}},\"items\":["
            + "{\"event_id\":\"1110201\",\"event_time\":1699274742,\"media_type\":2,\"code\":\" C1 \",\"trace_id\":\"tr-a\"},"
            + "{\"event_id\":1110204,\"event_time\":1699274743000,\"code\":\"C1\",\"trace_id\":\"tr-b\",\"duration\":7},"
            + "{\"event_id\":\"1110205\",\"event_time\":1699274744,\"code\":\"C1\",\"trace_id\":\"tr-a\"},"
            + "{\"event_id\":\"1100102\",\"event_time\":1699274745,\"code\":\"\",\"trace_id\":null},"
            + "{\"event_id\":\"1110204\",\"event_time\":1699274746,\"code\":\"C1\",\"trace_id\":\"tr-a\"}]}";
    long t0 = System.currentTimeMillis();
    Reply r = post(body);
    long t1 = System.currentTimeMillis();
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"ret\":0,\"msg\":\"\"}");

    // The answer came after the acks: the records are already readable.
    List<ConsumerRecord<byte[], byte[]>> got = recordsSince(before);
    assertThat(got).hasSize(5);
    long receivedAt = MediaEventCodec.decode(got.get(0).value()).receivedAt();
    assertThat(receivedAt).isBetween(t0, t1);
    List<MediaEvent> expected =
        List.of(
            new MediaEvent(
                1,
                "wx-app",
                "o-1",
                2,
                2,
                "dev",
                "1110201",
                1699274742000L,
                receivedAt,
                2,
                "C1",
                "tr-a",
                null),
            new MediaEvent(
                1,
                "wx-app",
                "o-1",
                2,
                2,
                "dev",
                "1110204",
                1699274743000L,
                receivedAt,
                null,
                "C1",
                "tr-b",
                7),
            new MediaEvent(
                1,
                "wx-app",
                "o-1",
                2,
                2,
                "dev",
                "1110205",
                1699274744000L,
                receivedAt,
                null,
                "C1",
                "tr-a",
                null),
            new MediaEvent(
                1,
                "wx-app",
                "o-1",
                2,
                2,
                "dev",
                "1100102",
                1699274745000L,
                receivedAt,
                null,
                null,
                null,
                null),
            new MediaEvent(
                1,
                "wx-app",
                "o-1",
                2,
                2,
                "dev",
                "1110204",
                1699274746000L,
                receivedAt,
                null,
                "C1",
                "tr-a",
                null));
    List<MediaEvent> decoded = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> c : got) {
      MediaEvent e = MediaEventCodec.decode(c.value());
      decoded.add(e);
      assertThat(new String(c.key(), StandardCharsets.UTF_8)).isEqualTo(e.kafkaKey());
      assertThat(c.value()).isEqualTo(MediaEventCodec.encode(e));
      assertThat(c.timestamp()).isEqualTo(receivedAt);
    }
    assertThat(decoded).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(got)
        .extracting(c -> new String(c.key(), StandardCharsets.UTF_8))
        .containsOnly("wx-app|tr-a", "wx-app|tr-b", "wx-app|openid:o-1");
    // One trace, one partition, item order.
    List<ConsumerRecord<byte[], byte[]>> traceA =
        got.stream()
            .filter(c -> new String(c.key(), StandardCharsets.UTF_8).equals("wx-app|tr-a"))
            .toList();
    assertThat(traceA)
        .extracting(ConsumerRecord::partition)
        .containsOnly(traceA.get(0).partition());
    assertThat(traceA)
        .extracting(c -> MediaEventCodec.decode(c.value()).eventId())
        .containsExactly("1110201", "1110205", "1110204");
  }

  @Test
  @Order(2)
  void shouldWriteTheApiExampleAsTheGoldenRecord() throws Exception {
    Map<String, Integer> before = ends();
    assertThat(post(Fixtures.text("requests/valid/api-example.json")).ret()).isZero();
    List<ConsumerRecord<byte[], byte[]>> got = recordsSince(before);
    assertThat(got).hasSize(1);
    MediaEvent e = MediaEventCodec.decode(got.get(0).value());
    MediaEvent golden = MediaEventCodec.decode(Fixtures.bytes("stream/api-example.record.json"));
    assertThat(e)
        .isEqualTo(
            new MediaEvent(
                golden.v(),
                golden.appid(),
                golden.openid(),
                golden.accountType(),
                golden.deviceType(),
                golden.uuid(),
                golden.eventId(),
                golden.eventTime(),
                e.receivedAt(),
                golden.mediaType(),
                golden.code(),
                golden.traceId(),
                golden.duration()));
    assertThat(new String(got.get(0).key(), StandardCharsets.UTF_8))
        .isEqualTo("xxxx|Fi6JoptoXX8EI3sttq3pcVGC2H1Nesy9");
  }

  @Test
  @Order(3)
  void shouldWriteNothingOfARejectedBatch() throws Exception {
    Map<String, Integer> before = ends();
    StringBuilder items = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      items
          .append(i == 0 ? "" : ",")
          .append(
              i == 7
                  ? "{\"event_id\":\"1110201\",\"event_time\":\"late\"}"
                  : "{\"event_id\":\"1110201\",\"event_time\":" + (1699274742 + i) + "}");
    }
    String head =
        "{\"head\":{\"account_info\":{\"account_type\":2,\"appid\":\"wx-app\",\"openid\":\"o\"}},\"items\":[";
    Reply bad = post(head + items + "]}");
    assertThat(bad.ret()).isEqualTo(1001);
    assertThat(bad.body()).contains("items[7].event_time: must be an integer");
    Reply wrongApp =
        post(head.replace("wx-app", "not-mine") + "{\"event_id\":\"1\",\"event_time\":1}]}");
    assertThat(wrongApp.ret()).isEqualTo(1002);
    Reply validateOnly =
        HTTP.send(
                    HttpRequest.newBuilder(uri(IngestServer.API_PATH + "?validate=true"))
                        .header("Authorization", TOKEN)
                        .header("Content-Type", "application/json")
                        .POST(
                            HttpRequest.BodyPublishers.ofString(
                                head + "{\"event_id\":\"1\",\"event_time\":1}]}"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body()
                .contains("\"ret\":0")
            ? new Reply(200, 0, "")
            : null;
    assertThat(validateOnly).isNotNull();
    // A marker batch afterwards: the only new record is the marker's.
    assertThat(post(head + "{\"event_id\":\"marker\",\"event_time\":1}]}").ret()).isZero();
    List<ConsumerRecord<byte[], byte[]>> got = recordsSince(before);
    assertThat(got)
        .extracting(c -> MediaEventCodec.decode(c.value()).eventId())
        .containsExactly("marker");
  }

  /**
   * A random alphanumeric string: lz4 cannot shrink it much, so records fill the producer buffer.
   */
  static String noise(java.util.Random r, int n) {
    String abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(abc.charAt(r.nextInt(abc.length())));
    }
    return sb.toString();
  }

  /**
   * 500 items whose code and trace are random, so lz4 cannot shrink them: ~100 KB in the producer.
   */
  static String noisyBatch(java.util.Random random) {
    StringBuilder items = new StringBuilder();
    for (int i = 0; i < 500; i++) {
      items
          .append(i == 0 ? "" : ",")
          .append("{\"event_id\":\"1110201\",\"event_time\":1,\"code\":\"")
          .append(noise(random, 64))
          .append("\",\"trace_id\":\"")
          .append(noise(random, 128))
          .append("\"}");
    }
    return "{\"head\":{\"account_info\":{\"account_type\":2,\"appid\":\"wx-app\",\"openid\":\"o\"}},\"items\":["
        + items
        + "]}";
  }

  @Test
  @Order(4)
  void shouldAnswer1005WithinTheDeadlineWhileKafkaIsDownAndRecoverByItself() throws Exception {
    // A second endpoint with the smallest producer buffer, to show a full buffer answers at once.
    Path tokens = dir.resolve("tokens.json");
    IngestServer tight =
        IngestServer.start(
            IngestConfig.parse(
                new String[] {
                  "--port",
                  "0",
                  "--host",
                  "127.0.0.1",
                  "--kafka-bootstrap",
                  broker.bootstrapServers(),
                  "--tokens-file",
                  tokens.toString(),
                  "--deadline",
                  DEADLINE.toMillis() + "ms",
                  "--kafka-buffer-memory",
                  "1048576",
                  "--kafka-batch-size",
                  "16384",
                  "--drain-timeout",
                  "3s"
                },
                Map.of()));
    try {
      URI tightApi = URI.create("http://127.0.0.1:" + tight.port() + IngestServer.API_PATH);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  HTTP.send(
                              HttpRequest.newBuilder(
                                      URI.create("http://127.0.0.1:" + tight.port() + "/readyz"))
                                  .GET()
                                  .build(),
                              HttpResponse.BodyHandlers.discarding())
                          .statusCode()
                      == 200);
      broker.stop();
      java.util.Random random = new java.util.Random(42);
      List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> filling =
          new ArrayList<>();
      // ~100 KB of incompressible fields per batch: 24 batches overfill the 1 MiB buffer.
      for (int b = 0; b < 24; b++) {
        String big = noisyBatch(random);
        filling.add(
            HTTP.sendAsync(
                HttpRequest.newBuilder(tightApi)
                    .header("Authorization", TOKEN)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(big))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      // The buffer is full: a batch needing new buffer space is refused at once, not at the
      // deadline.
      // (A record that still fits in a partition's open batch needs none: the probe sends many
      // keys.)
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                long t0 = System.nanoTime();
                HttpResponse<String> r =
                    HTTP.send(
                        HttpRequest.newBuilder(tightApi)
                            .header("Authorization", TOKEN)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(noisyBatch(random)))
                            .build(),
                        HttpResponse.BodyHandlers.ofString());
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertThat(r.body()).contains("\"ret\":1005");
                assertThat(ms)
                    .as("a full buffer answers without waiting for the deadline")
                    .isLessThan(DEADLINE.toMillis() / 2);
              });
      for (var f : filling) {
        assertThat(f.get(30, TimeUnit.SECONDS).body()).contains("\"ret\":1005");
      }
    } finally {
      tight.close();
    }
    assertOutageAndRecovery();
  }

  private void assertOutageAndRecovery() throws Exception {
    String body =
        "{\"head\":{\"account_info\":{\"account_type\":2,\"appid\":\"wx-app\",\"openid\":\"o\"}},"
            + "\"items\":[{\"event_id\":\"outage\",\"event_time\":1}]}";
    for (int i = 0; i < 3; i++) {
      long t0 = System.nanoTime();
      Reply r = post(body);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.ret()).isEqualTo(1005);
      assertThat(ms).as("answered within the deadline").isLessThan(DEADLINE.toMillis() + 1500);
    }
    await().atMost(Duration.ofSeconds(15)).until(() -> get("/readyz") == 503);
    assertThat(get("/healthz")).isEqualTo(200);

    broker.restart();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> post(body.replace("outage", "recovered")).ret() == 0);
    await().atMost(Duration.ofSeconds(30)).until(() -> get("/readyz") == 200);
    assertThat(broker.readAll(TOPIC))
        .extracting(c -> MediaEventCodec.decode(c.value()).eventId())
        .contains("recovered");
  }
}
