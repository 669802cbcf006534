package io.upbot.ingest;

import static io.upbot.ingest.TestEndpoint.ALLOWED_ORIGIN;
import static io.upbot.ingest.TestEndpoint.HASHED_TOKEN;
import static io.upbot.ingest.TestEndpoint.LIMITED_TOKEN;
import static io.upbot.ingest.TestEndpoint.OTHER_APP_TOKEN;
import static io.upbot.ingest.TestEndpoint.PLAIN_TOKEN;
import static io.upbot.ingest.TestEndpoint.RECEIVED_AT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.upbot.ingest.TestEndpoint.Answer;
import io.upbot.schema.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP behaviour of docs/api.md over a real socket, with a memory writer behind the producer.
 */
class IngestServerTest {
  static final String API_EXAMPLE = Fixtures.text("requests/valid/api-example.json");
  static final String API = IngestServer.API_PATH;
  static TestEndpoint ep;

  @BeforeAll
  static void start() {
    ep = new TestEndpoint();
  }

  @AfterAll
  static void stop() {
    ep.close();
  }

  @BeforeEach
  void reset() {
    ep.writer.mode = MemoryRecordWriter.Mode.ACK;
    ep.writer.ready = true;
  }

  static String items(String appid, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",")
          .append("{\"event_id\":\"1110201\",\"event_time\":")
          .append(1_699_274_742L + i)
          .append(",\"trace_id\":\"t-")
          .append(i % 3)
          .append("\"}");
    }
    return "{\"head\":{\"account_info\":{\"account_type\":2,\"appid\":\""
        + appid
        + "\",\"openid\":\"o\"}},\"items\":["
        + sb
        + "]}";
  }

  private static HttpRequest.Builder api(String token, String contentType, byte[] body) {
    HttpRequest.Builder b = ep.request(API).POST(BodyPublishers.ofByteArray(body));
    if (token != null) {
      b.header("Authorization", token);
    }
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return b;
  }

  private static void assertAnswer(Answer a, Ret ret) {
    assertThat(a.status()).as(a.text()).isEqualTo(ret.httpStatus());
    assertThat(a.ret()).as(a.text()).isEqualTo(ret.code());
    assertThat(a.msg()).isEqualTo(ret.msg());
    assertThat(a.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
  }

  @Test
  void shouldAcceptTheDocumentsOwnExampleAndWriteTheGoldenRecord() {
    int before = ep.writer.written().size();
    Answer a = ep.post(API_EXAMPLE);
    assertAnswer(a, Ret.OK);
    assertThat(a.text()).isEqualTo("{\"ret\":0,\"msg\":\"\"}");
    var written = ep.writer.written().subList(before, ep.writer.written().size());
    assertThat(written).hasSize(1);
    var w = written.get(0);
    assertThat(w.topic()).isEqualTo("upbot.media-events");
    assertThat(new String(w.key(), StandardCharsets.UTF_8))
        .isEqualTo("xxxx|Fi6JoptoXX8EI3sttq3pcVGC2H1Nesy9");
    assertThat(new String(w.value(), StandardCharsets.UTF_8))
        .isEqualTo(Fixtures.text("stream/api-example.record.json").trim());
    assertThat(w.timestamp()).isEqualTo(RECEIVED_AT);
  }

  @Test
  void shouldAnswerEveryInvalidFixtureWith1001AndItsDetailAndWriteNothing() throws Exception {
    var index = TestEndpoint.JSON.readTree(Fixtures.bytes("requests/invalid.expected.json"));
    int before = ep.writer.sent().size();
    for (String f : Fixtures.list("requests/invalid")) {
      var expected = index.get(f.replace(".json", ""));
      Answer a =
          ep.send(api(HASHED_TOKEN, "application/json", Fixtures.bytes("requests/invalid/" + f)));
      assertThat(a.ret()).as(f).isEqualTo(expected.get("ret").intValue());
      assertThat(a.detail()).as(f).isEqualTo(expected.get("detail").textValue());
      assertThat(a.status()).as(f).isEqualTo(expected.get("ret").intValue() == 1001 ? 400 : 413);
    }
    assertThat(ep.writer.sent()).hasSize(before);
  }

  static Stream<Arguments> checkOrder() {
    byte[] good = items("wx-app", 2).getBytes(StandardCharsets.UTF_8);
    byte[] bad = "{\"head\":1}".getBytes(StandardCharsets.UTF_8);
    byte[] bigBad = new byte[1024 * 1024 + 1];
    Arrays.fill(bigBad, (byte) '[');
    byte[] notAllowedApp = items("zzz", 1).getBytes(StandardCharsets.UTF_8);
    return Stream.of(
        Arguments.of(
            "no token beats bad content type, size and body",
            null,
            "text/plain",
            bigBad,
            Ret.AUTH_FAILED),
        Arguments.of(
            "unknown token beats bad content type", "nope", "text/plain", bad, Ret.AUTH_FAILED),
        Arguments.of(
            "content type beats size", PLAIN_TOKEN, "text/plain", bigBad, Ret.PARAMETER_ERROR),
        Arguments.of("missing content type", PLAIN_TOKEN, null, good, Ret.PARAMETER_ERROR),
        Arguments.of("size beats parsing", PLAIN_TOKEN, "application/json", bigBad, Ret.TOO_LARGE),
        Arguments.of(
            "field rules beat the appid check",
            OTHER_APP_TOKEN,
            "application/json",
            bad,
            Ret.PARAMETER_ERROR),
        Arguments.of(
            "appid not allowed for the token",
            OTHER_APP_TOKEN,
            "application/json",
            good,
            Ret.AUTH_FAILED),
        Arguments.of(
            "appid outside the allow-list",
            PLAIN_TOKEN,
            "application/json",
            notAllowedApp,
            Ret.AUTH_FAILED),
        Arguments.of(
            "the same body with a token for any appid",
            HASHED_TOKEN,
            "application/json",
            notAllowedApp,
            Ret.OK),
        Arguments.of("Bearer prefix", "Bearer " + PLAIN_TOKEN, "application/json", good, Ret.OK),
        Arguments.of(
            "bearer prefix in lower case",
            "bearer " + HASHED_TOKEN,
            "application/json",
            good,
            Ret.OK),
        Arguments.of(
            "other scheme", "Basic " + PLAIN_TOKEN, "application/json", good, Ret.AUTH_FAILED),
        Arguments.of("empty token", "Bearer ", "application/json", good, Ret.AUTH_FAILED),
        Arguments.of("token by its sha256", HASHED_TOKEN, "application/json", good, Ret.OK),
        Arguments.of(
            "the sha256 itself is not a token",
            TestEndpoint.sha256Hex(HASHED_TOKEN),
            "application/json",
            good,
            Ret.AUTH_FAILED),
        Arguments.of(
            "charset=utf-8 allowed", PLAIN_TOKEN, "application/json; charset=utf-8", good, Ret.OK),
        Arguments.of(
            "charset=UTF-8 without space",
            PLAIN_TOKEN,
            "application/json;charset=UTF-8",
            good,
            Ret.OK),
        Arguments.of("media type case-insensitive", PLAIN_TOKEN, "Application/JSON", good, Ret.OK),
        Arguments.of(
            "other charset",
            PLAIN_TOKEN,
            "application/json; charset=iso-8859-1",
            good,
            Ret.PARAMETER_ERROR),
        Arguments.of(
            "other parameter",
            PLAIN_TOKEN,
            "application/json; boundary=x",
            good,
            Ret.PARAMETER_ERROR),
        Arguments.of("text/json", PLAIN_TOKEN, "text/json", good, Ret.PARAMETER_ERROR),
        Arguments.of(
            "form", PLAIN_TOKEN, "application/x-www-form-urlencoded", good, Ret.PARAMETER_ERROR));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("checkOrder")
  void shouldRunTheChecksInTheDocumentedOrder(
      String name, String token, String contentType, byte[] body, Ret ret) {
    int before = ep.writer.sent().size();
    Answer a = ep.send(api(token, contentType, body));
    assertAnswer(a, ret);
    if (ret != Ret.OK) {
      assertThat(ep.writer.sent()).hasSize(before);
    }
    if (ret == Ret.PARAMETER_ERROR
        && contentType != null
        && !contentType.startsWith("application/json")) {
      assertThat(a.detail()).startsWith("Content-Type:");
    }
  }

  @Test
  void shouldAnswerAWrongMethodWith405AndAnUnknownPathWith404InJson() {
    Answer get = ep.send(ep.request(API).GET());
    assertAnswer(get, Ret.METHOD_NOT_ALLOWED);
    assertThat(get.header("Allow")).isEqualTo("POST, OPTIONS");
    Answer put =
        ep.send(
            ep.request(API)
                .PUT(BodyPublishers.ofString(API_EXAMPLE))
                .header("Authorization", PLAIN_TOKEN));
    assertAnswer(put, Ret.METHOD_NOT_ALLOWED);
    Answer unknown =
        ep.send(ep.request("/upbot/api/Nope").POST(BodyPublishers.ofString(API_EXAMPLE)));
    assertAnswer(unknown, Ret.NOT_FOUND);
    Answer trailingSlash =
        ep.send(ep.request(API + "/").POST(BodyPublishers.ofString(API_EXAMPLE)));
    assertAnswer(trailingSlash, Ret.NOT_FOUND);
    Answer postHealth = ep.send(ep.request("/healthz").POST(BodyPublishers.noBody()));
    assertAnswer(postHealth, Ret.METHOD_NOT_ALLOWED);
  }

  @Test
  void shouldValidateWithoutWritingWhenAskedTo() {
    int before = ep.writer.sent().size();
    Answer ok =
        ep.send(
            api(PLAIN_TOKEN, "application/json", API_EXAMPLE.getBytes(StandardCharsets.UTF_8))
                .uri(ep.uri(API + "?validate=true")));
    assertAnswer(ok, Ret.OK);
    Answer bad =
        ep.send(
            api(PLAIN_TOKEN, "application/json", "{}".getBytes(StandardCharsets.UTF_8))
                .uri(ep.uri(API + "?validate=true")));
    assertAnswer(bad, Ret.PARAMETER_ERROR);
    assertThat(bad.detail()).isEqualTo("head: required");
    Answer unauthorised =
        ep.send(
            api("wrong", "application/json", API_EXAMPLE.getBytes(StandardCharsets.UTF_8))
                .uri(ep.uri(API + "?validate=true")));
    assertAnswer(unauthorised, Ret.AUTH_FAILED);
    Answer otherApp =
        ep.send(
            api(OTHER_APP_TOKEN, "application/json", API_EXAMPLE.getBytes(StandardCharsets.UTF_8))
                .uri(ep.uri(API + "?validate=true")));
    assertAnswer(otherApp, Ret.AUTH_FAILED);
    assertThat(ep.writer.sent()).hasSize(before);
    Answer upperCase =
        ep.send(
            api(PLAIN_TOKEN, "application/json", API_EXAMPLE.getBytes(StandardCharsets.UTF_8))
                .uri(ep.uri(API + "?validate=TRUE")));
    assertAnswer(upperCase, Ret.OK);
    assertThat(ep.writer.sent()).hasSize(before);
    // "false" (or no validate at all) writes.
    Answer written =
        ep.send(
            api(PLAIN_TOKEN, "application/json", API_EXAMPLE.getBytes(StandardCharsets.UTF_8))
                .uri(ep.uri(API + "?validate=false")));
    assertAnswer(written, Ret.OK);
    assertThat(ep.writer.sent()).hasSize(before + 1);
  }

  @Test
  void shouldLimitATokensRateInItemsWithRetryAfter() {
    byte[] ten = items("a", 10).getBytes(StandardCharsets.UTF_8);
    byte[] one = items("a", 1).getBytes(StandardCharsets.UTF_8);
    byte[] twenty = items("a", 20).getBytes(StandardCharsets.UTF_8);
    ep.nanos.addAndGet(TimeUnit.SECONDS.toNanos(100)); // a full bucket
    assertAnswer(ep.send(api(LIMITED_TOKEN, "application/json", ten)), Ret.OK);
    Answer limited = ep.send(api(LIMITED_TOKEN, "application/json", one));
    assertAnswer(limited, Ret.RATE_LIMITED);
    assertThat(limited.header("Retry-After")).isEqualTo("1");
    // validate mode answers the same and consumes nothing
    Answer validate =
        ep.send(api(LIMITED_TOKEN, "application/json", one).uri(ep.uri(API + "?validate=true")));
    assertAnswer(validate, Ret.RATE_LIMITED);
    // other tokens are not affected
    assertAnswer(ep.send(api(HASHED_TOKEN, "application/json", one)), Ret.OK);
    ep.nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(1000));
    assertAnswer(
        ep.send(api(LIMITED_TOKEN, "application/json", ten).uri(ep.uri(API + "?validate=true"))),
        Ret.OK);
    assertAnswer(ep.send(api(LIMITED_TOKEN, "application/json", ten)), Ret.OK);
    // a batch larger than the burst passes on a full bucket and leaves a debt to wait out
    ep.nanos.addAndGet(TimeUnit.SECONDS.toNanos(100));
    assertAnswer(ep.send(api(LIMITED_TOKEN, "application/json", twenty)), Ret.OK);
    Answer debt = ep.send(api(LIMITED_TOKEN, "application/json", one));
    assertAnswer(debt, Ret.RATE_LIMITED);
    assertThat(debt.header("Retry-After")).isEqualTo("2");
    // a rate-limited body is still checked first: field rules answer before the limit
    assertAnswer(
        ep.send(api(LIMITED_TOKEN, "application/json", "{}".getBytes(StandardCharsets.UTF_8))),
        Ret.PARAMETER_ERROR);
  }

  @Test
  void shouldAnswerCorsPreflightForConfiguredOriginsOnly() {
    Answer allowed =
        ep.send(
            ep.request(API)
                .method("OPTIONS", BodyPublishers.noBody())
                .header("Origin", ALLOWED_ORIGIN)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type"));
    assertThat(allowed.status()).isEqualTo(204);
    assertThat(allowed.header("Access-Control-Allow-Origin")).isEqualTo(ALLOWED_ORIGIN);
    assertThat(allowed.header("Access-Control-Allow-Methods")).contains("POST");
    assertThat(allowed.header("Access-Control-Allow-Headers"))
        .contains("Authorization", "Content-Type", "Content-Encoding");
    assertThat(allowed.header("Vary")).isEqualTo("Origin");
    Answer other =
        ep.send(
            ep.request(API)
                .method("OPTIONS", BodyPublishers.noBody())
                .header("Origin", "https://evil.example.com")
                .header("Access-Control-Request-Method", "POST"));
    assertThat(other.status()).isEqualTo(204);
    assertThat(other.header("Access-Control-Allow-Origin")).isNull();
  }

  @Test
  void shouldPutTheCorsHeaderOnAnswersToAllowedOrigins() {
    Answer ok =
        ep.send(
            api(PLAIN_TOKEN, "application/json", API_EXAMPLE.getBytes(StandardCharsets.UTF_8))
                .header("Origin", ALLOWED_ORIGIN));
    assertAnswer(ok, Ret.OK);
    assertThat(ok.header("Access-Control-Allow-Origin")).isEqualTo(ALLOWED_ORIGIN);
    Answer error =
        ep.send(
            api(PLAIN_TOKEN, "application/json", "{}".getBytes(StandardCharsets.UTF_8))
                .header("Origin", "http://localhost:3000"));
    assertAnswer(error, Ret.PARAMETER_ERROR);
    assertThat(error.header("Access-Control-Allow-Origin")).isEqualTo("http://localhost:3000");
    Answer foreign =
        ep.send(
            api(PLAIN_TOKEN, "application/json", API_EXAMPLE.getBytes(StandardCharsets.UTF_8))
                .header("Origin", "https://evil.example.com"));
    assertThat(foreign.header("Access-Control-Allow-Origin")).isNull();
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(out)) {
      g.write(data);
    }
    return out.toByteArray();
  }

  @Test
  void shouldAcceptGzipBodiesAndApplyTheLimitAfterDecompression() throws Exception {
    int before = ep.writer.written().size();
    Answer ok =
        ep.send(
            api(PLAIN_TOKEN, "application/json", gzip(API_EXAMPLE.getBytes(StandardCharsets.UTF_8)))
                .header("Content-Encoding", "gzip"));
    assertAnswer(ok, Ret.OK);
    assertThat(ep.writer.written()).hasSize(before + 1);

    // 64 MiB of spaces compress to ~64 KiB: refused at 1 MiB decompressed, not inflated in memory.
    ByteArrayOutputStream bomb = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(bomb)) {
      byte[] spaces = new byte[1024 * 1024];
      Arrays.fill(spaces, (byte) ' ');
      for (int i = 0; i < 64; i++) {
        g.write(spaces);
      }
    }
    assertThat(bomb.size()).isLessThan(1024 * 1024);
    Answer refused =
        ep.send(
            api(PLAIN_TOKEN, "application/json", bomb.toByteArray())
                .header("Content-Encoding", "gzip"));
    assertAnswer(refused, Ret.TOO_LARGE);
    assertThat(refused.detail()).isEqualTo("body: more than 1048576 bytes after decompression");

    // Just under the limit after decompression: a valid body padded with spaces.
    byte[] example = API_EXAMPLE.getBytes(StandardCharsets.UTF_8);
    byte[] padded = new byte[1024 * 1024];
    Arrays.fill(padded, (byte) ' ');
    System.arraycopy(example, 0, padded, 0, example.length);
    assertAnswer(
        ep.send(
            api(PLAIN_TOKEN, "application/json", gzip(padded)).header("Content-Encoding", "gzip")),
        Ret.OK);

    Answer corrupt =
        ep.send(
            api(PLAIN_TOKEN, "application/json", API_EXAMPLE.getBytes(StandardCharsets.UTF_8))
                .header("Content-Encoding", "gzip"));
    assertAnswer(corrupt, Ret.PARAMETER_ERROR);
    assertThat(corrupt.detail()).isEqualTo("body: not valid gzip");
    Answer brotli =
        ep.send(
            api(PLAIN_TOKEN, "application/json", API_EXAMPLE.getBytes(StandardCharsets.UTF_8))
                .header("Content-Encoding", "br"));
    assertAnswer(brotli, Ret.PARAMETER_ERROR);
    assertThat(brotli.detail()).startsWith("Content-Encoding:");
    assertThat(ep.writer.written()).hasSize(before + 2);
  }

  @Test
  void shouldRefuseABodyOverTheLimitWithoutContentLength() {
    byte[] big = new byte[1024 * 1024 + 10];
    Arrays.fill(big, (byte) ' ');
    // ofInputStream has no known length: sent chunked, the limit is applied while reading.
    Answer a =
        ep.send(
            ep.request(API)
                .header("Authorization", PLAIN_TOKEN)
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))));
    assertAnswer(a, Ret.TOO_LARGE);
  }

  @Test
  void shouldAnswer1005AtTheDeadlineAndIgnoreALateAck() {
    ep.writer.mode = MemoryRecordWriter.Mode.HOLD;
    int heldBefore = ep.writer.held();
    long t0 = System.nanoTime();
    Answer a =
        ep.send(
            api(PLAIN_TOKEN, "application/json", items("a", 3).getBytes(StandardCharsets.UTF_8)));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertAnswer(a, Ret.BUSY);
    assertThat(ms).isBetween(400L, 3000L); // the configured 500 ms deadline
    assertThat(ep.writer.held()).isEqualTo(heldBefore + 3);
    ep.writer.ackHeld(ep.writer.held()); // late acks: no second answer, no error
    await().atMost(Duration.ofSeconds(5)).until(() -> ep.server.metrics().inflightBatches() == 0);
    ep.writer.mode = MemoryRecordWriter.Mode.ACK;
    assertAnswer(ep.post(API_EXAMPLE), Ret.OK);
  }

  @Test
  void shouldAnswerOnlyAfterTheLastRecordIsAcknowledged() throws Exception {
    var longDeadline = new TestEndpoint("--deadline", "10s");
    try (longDeadline) {
      longDeadline.writer.mode = MemoryRecordWriter.Mode.HOLD;
      CompletableFuture<Answer> f =
          longDeadline.sendAsync(
              longDeadline
                  .request(API)
                  .header("Authorization", PLAIN_TOKEN)
                  .header("Content-Type", "application/json")
                  .POST(BodyPublishers.ofString(items("a", 3))));
      await().atMost(Duration.ofSeconds(5)).until(() -> longDeadline.writer.held() == 3);
      longDeadline.writer.ackHeld(2);
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !f.isDone());
      longDeadline.writer.ackHeld(1);
      Answer a = f.get(5, TimeUnit.SECONDS);
      assertAnswer(a, Ret.OK);
    }
  }

  @Test
  void shouldAnswer1005AtOnceWhenAWriteFailsOrIsRefused() {
    for (MemoryRecordWriter.Mode mode :
        new MemoryRecordWriter.Mode[] {
          MemoryRecordWriter.Mode.FAIL, MemoryRecordWriter.Mode.REFUSE
        }) {
      ep.writer.mode = mode;
      long t0 = System.nanoTime();
      Answer a =
          ep.send(
              api(PLAIN_TOKEN, "application/json", items("a", 5).getBytes(StandardCharsets.UTF_8)));
      assertAnswer(a, Ret.BUSY);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
          .as(mode.name())
          .isLessThan(400L);
    }
  }

  @Test
  void shouldServeHealthReadinessAndMetrics() {
    Answer health = ep.send(ep.request("/healthz").GET());
    assertThat(health.status()).isEqualTo(200);
    Answer ready = ep.send(ep.request("/readyz").GET());
    assertThat(ready.status()).isEqualTo(200);
    ep.writer.ready = false;
    assertThat(ep.send(ep.request("/readyz").GET()).status()).isEqualTo(503);
    ep.writer.ready = true;

    ep.post(API_EXAMPLE);
    ep.post("{}");
    Answer metrics = ep.send(ep.request("/metrics").GET());
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.header("Content-Type")).startsWith("text/plain; version=0.0.4");
    assertThat(metrics.text())
        .containsPattern("upbot_ingest_requests_total\\{ret=\"0\"} [1-9]")
        .containsPattern("upbot_ingest_requests_total\\{ret=\"1001\"} [1-9]")
        .containsPattern("upbot_ingest_items_accepted_total [1-9]")
        .contains("upbot_ingest_inflight_batches 0")
        .containsPattern("upbot_ingest_request_duration_seconds_bucket\\{le=\"\\+Inf\"} [1-9]")
        .containsPattern("upbot_ingest_kafka_ack_duration_seconds_count [1-9]");
  }

  @Test
  void shouldReloadTheTokenFileWhenItChangesAndKeepTheOldTokensWhenTheNewFileIsBroken()
      throws Exception {
    try (TestEndpoint own = new TestEndpoint()) {
      byte[] body = API_EXAMPLE.getBytes(StandardCharsets.UTF_8);
      String fresh = "fresh-token";
      Files.writeString(
          own.tokensFile,
          "{\"tokens\":[{\"token\":\""
              + fresh
              + "\",\"appids\":[\"xxxx\"]},"
              + "{\"token\":\"padding-to-change-size\",\"appids\":\"*\"}]}");
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(own.send(apiOn(own, fresh, body)).ret()).isEqualTo(0));
      assertThat(own.send(apiOn(own, PLAIN_TOKEN, body)).ret()).isEqualTo(1002);

      Files.writeString(own.tokensFile, "{\"tokens\":[{\"token\":\"broken\"");
      // Wait until the poller has seen the broken file, then check the old tokens still work.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> own.server.metrics() != null && seenBroken(own));
      assertThat(own.send(apiOn(own, fresh, body)).ret()).isEqualTo(0);
      assertThat(own.send(apiOn(own, "broken", body)).ret()).isEqualTo(1002);
    }
  }

  private static boolean seenBroken(TestEndpoint own) {
    // The store reports no change once it has looked at (and refused) the current file.
    return !own.server.tokensForTest().reloadIfChanged();
  }

  private static HttpRequest.Builder apiOn(TestEndpoint own, String token, byte[] body) {
    return own.request(API)
        .header("Authorization", token)
        .header("Content-Type", "application/json")
        .POST(BodyPublishers.ofByteArray(body));
  }

  @Test
  void shouldDrainGracefully() throws Exception {
    TestEndpoint own = new TestEndpoint("--deadline", "10s");
    own.writer.mode = MemoryRecordWriter.Mode.HOLD;
    CompletableFuture<Answer> inflight =
        own.sendAsync(
            own.request(API)
                .header("Authorization", PLAIN_TOKEN)
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(items("a", 2))));
    await().atMost(Duration.ofSeconds(5)).until(() -> own.writer.held() == 2);
    CompletableFuture<Void> closing = CompletableFuture.runAsync(own::close);
    await().atMost(Duration.ofSeconds(5)).until(own.server::isDraining);
    assertThat(own.send(own.request("/healthz").GET()).status()).isEqualTo(503);
    Answer refused = own.post(API_EXAMPLE);
    assertAnswer(refused, Ret.BUSY);
    assertThat(closing).isNotDone();
    own.writer.ackHeld(2);
    assertAnswer(inflight.get(5, TimeUnit.SECONDS), Ret.OK);
    closing.get(10, TimeUnit.SECONDS);
    assertThat(own.writer.closed).isTrue();
  }

  /**
   * A client asking to validate must never have its batch written: only one true/false is
   * understood.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "validate=true&validate=true",
        "validate=true&validate=false",
        "validate=1",
        "validate=",
        "validate",
        "validate=yes",
        "validate=%FF",
        "validate=true%00"
      })
  void shouldRefuseAValidateThatIsNotExactlyOneTrueOrFalseAndWriteNothing(String query) {
    int before = ep.writer.sent().size();
    Answer a =
        ep.send(
            api(PLAIN_TOKEN, "application/json", API_EXAMPLE.getBytes(StandardCharsets.UTF_8))
                .uri(ep.uri(API + "?" + query)));
    assertAnswer(a, Ret.PARAMETER_ERROR);
    assertThat(a.detail()).isEqualTo("validate: must be true or false");
    assertThat(ep.writer.sent()).hasSize(before);
  }

  @Test
  void shouldDecodeTheQueryAndIgnoreOtherParameters() {
    int before = ep.writer.sent().size();
    Answer encoded =
        ep.send(
            api(PLAIN_TOKEN, "application/json", API_EXAMPLE.getBytes(StandardCharsets.UTF_8))
                .uri(ep.uri(API + "?utm=a+b&v%61lidate=%54rue&x=%E4%B8%AD")));
    assertAnswer(encoded, Ret.OK);
    assertThat(ep.writer.sent()).as("validated only").hasSize(before);
    Answer written =
        ep.send(
            api(PLAIN_TOKEN, "application/json", API_EXAMPLE.getBytes(StandardCharsets.UTF_8))
                .uri(ep.uri(API + "?validate=FALSE&&other")));
    assertAnswer(written, Ret.OK);
    assertThat(ep.writer.sent()).hasSize(before + 1);
    Answer badName =
        ep.send(
            api(PLAIN_TOKEN, "application/json", API_EXAMPLE.getBytes(StandardCharsets.UTF_8))
                .uri(ep.uri(API + "?%C0%AF=1")));
    assertAnswer(badName, Ret.PARAMETER_ERROR);
    assertThat(badName.detail()).isEqualTo("query: malformed percent-encoding");
    // The query is a parameter check: a missing token still answers 1002 first.
    assertAnswer(
        ep.send(
            api(null, "application/json", API_EXAMPLE.getBytes(StandardCharsets.UTF_8))
                .uri(ep.uri(API + "?validate=1"))),
        Ret.AUTH_FAILED);
  }

  static byte[] padTo(String json, int size) {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[size];
    Arrays.fill(out, (byte) ' ');
    System.arraycopy(b, 0, out, 0, b.length);
    return out;
  }

  @Test
  void shouldAcceptABodyOfExactlyTheLimitWithContentLengthOrChunked() {
    byte[] b = padTo(API_EXAMPLE, 1024 * 1024);
    assertAnswer(ep.send(api(PLAIN_TOKEN, "application/json", b)), Ret.OK);
    assertAnswer(
        ep.send(
            ep.request(API)
                .header("Authorization", PLAIN_TOKEN)
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(b)))),
        Ret.OK);
    assertAnswer(
        ep.send(api(PLAIN_TOKEN, "application/json", padTo(API_EXAMPLE, 1024 * 1024 + 1))),
        Ret.TOO_LARGE);
  }

  /**
   * docs/api.md: the limit applies to the decompressed body, so gzip at level 0 (a bit larger)
   * still fits.
   */
  @Test
  void shouldJudgeAGzipBodyByItsDecompressedSizeEvenWhenTheCompressedBytesAreLarger()
      throws IOException {
    byte[] plain = padTo(API_EXAMPLE, 1024 * 1024);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream g =
        new GZIPOutputStream(out) {
          {
            def.setLevel(Deflater.NO_COMPRESSION);
          }
        }) {
      g.write(plain);
    }
    byte[] stored = out.toByteArray();
    assertThat(stored.length).isGreaterThan(1024 * 1024);
    int before = ep.writer.written().size();
    Answer a =
        ep.send(api(PLAIN_TOKEN, "application/json", stored).header("Content-Encoding", "gzip"));
    assertAnswer(a, Ret.OK);
    assertThat(ep.writer.written()).hasSize(before + 1);
    // Far more compressed bytes than any body of the limit can take: refused before reading.
    byte[] huge = new byte[Bodies.gzipWireLimit(1024 * 1024) + 1];
    Answer tooLarge =
        ep.send(api(PLAIN_TOKEN, "application/json", huge).header("Content-Encoding", "gzip"));
    assertAnswer(tooLarge, Ret.TOO_LARGE);
    assertThat(tooLarge.detail())
        .isEqualTo("body: more than " + Bodies.gzipWireLimit(1024 * 1024) + " compressed bytes");
  }

  @Test
  void shouldRefuseGzipWithTrailingGarbageAndWriteNothing() throws IOException {
    byte[] ok = gzip(API_EXAMPLE.getBytes(StandardCharsets.UTF_8));
    byte[] garbage = Arrays.copyOf(ok, ok.length + 7);
    System.arraycopy("GARBAGE".getBytes(StandardCharsets.US_ASCII), 0, garbage, ok.length, 7);
    int before = ep.writer.sent().size();
    Answer a =
        ep.send(api(PLAIN_TOKEN, "application/json", garbage).header("Content-Encoding", "gzip"));
    assertAnswer(a, Ret.PARAMETER_ERROR);
    assertThat(a.detail()).isEqualTo("body: not valid gzip");
    Answer truncated =
        ep.send(
            api(PLAIN_TOKEN, "application/json", Arrays.copyOf(ok, ok.length - 4))
                .header("Content-Encoding", "gzip"));
    assertThat(truncated.detail()).isEqualTo("body: not valid gzip");
    assertThat(ep.writer.sent()).hasSize(before);
  }

  /**
   * Every answer the endpoint gives is one the job counts: non-BMP text up to the limits in
   * characters is accepted (and RecordDecoder counts it the same way), U+0000, which the job must
   * dead-letter, is refused.
   */
  @Test
  void shouldAcceptOnlyRecordsTheJobCounts() throws Exception {
    String emoji = "\\ud83d\\ude00";
    String head =
        "{\"head\":{\"account_info\":{\"account_type\":2,\"appid\":\"%s\",\"openid\":\"%s\"}},\"items\":[%s]}";
    String item = "{\"event_id\":\"%s\",\"event_time\":1699274742%s}";
    int before = ep.writer.written().size();
    for (String body :
        new String[] {
          String.format(head, emoji.repeat(64), "o", String.format(item, "1110201", "")),
          String.format(
              head,
              "a",
              "o",
              String.format(item, "1110201", ",\"code\":\"" + emoji.repeat(64) + "\"")),
          String.format(head, "a", "o", String.format(item, emoji.repeat(32), ""))
        }) {
      assertAnswer(
          ep.send(api(HASHED_TOKEN, "application/json", body.getBytes(StandardCharsets.UTF_8))),
          Ret.OK);
    }
    assertThat(ep.writer.written()).hasSize(before + 3);
    assertThat(new String(ep.writer.written().get(before).key(), StandardCharsets.UTF_8))
        .isEqualTo("\ud83d\ude00".repeat(64) + "|openid:o");
    for (String body :
        new String[] {
          String.format(head, "a", "o", String.format(item, "1110201", ",\"code\":\"x\\u0000y\"")),
          String.format(head, "a", "o\\u0000", String.format(item, "1110201", "")),
          String.format(head, "a", "o", String.format(item, "1110201", ",\"trace_id\":\"\\ud800\""))
        }) {
      assertAnswer(
          ep.send(api(HASHED_TOKEN, "application/json", body.getBytes(StandardCharsets.UTF_8))),
          Ret.PARAMETER_ERROR);
    }
    assertThat(ep.writer.written()).hasSize(before + 3);
  }

  /**
   * With CORS configured, answers depend on Origin, so every one says so to caches, with or without
   * it.
   */
  @Test
  void shouldSayEveryApiAnswerVariesWithOriginWhenCorsIsConfigured() {
    Answer noOrigin =
        ep.send(api(PLAIN_TOKEN, "application/json", API_EXAMPLE.getBytes(StandardCharsets.UTF_8)));
    assertThat(noOrigin.header("Vary")).isEqualTo("Origin");
    assertThat(noOrigin.header("Access-Control-Allow-Origin")).isNull();
    Answer foreign =
        ep.send(
            api(PLAIN_TOKEN, "application/json", "{}".getBytes(StandardCharsets.UTF_8))
                .header("Origin", "https://evil.example.com"));
    assertThat(foreign.header("Vary")).isEqualTo("Origin");
    Answer notFound = ep.send(ep.request("/nope").GET());
    assertThat(notFound.header("Vary")).isEqualTo("Origin");
    Answer preflight =
        ep.send(
            ep.request(API)
                .method("OPTIONS", BodyPublishers.noBody())
                .header("Origin", "https://evil.example.com"));
    assertThat(preflight.header("Vary")).isEqualTo("Origin");
    try (TestEndpoint noCors = new TestEndpoint("--cors-origins", "")) {
      Answer plain =
          noCors.send(
              noCors
                  .request(API)
                  .header("Authorization", PLAIN_TOKEN)
                  .header("Content-Type", "application/json")
                  .POST(BodyPublishers.ofString(API_EXAMPLE))
                  .header("Origin", ALLOWED_ORIGIN));
      assertThat(plain.header("Vary")).isNull();
      assertThat(plain.header("Access-Control-Allow-Origin")).isNull();
    }
  }
}
