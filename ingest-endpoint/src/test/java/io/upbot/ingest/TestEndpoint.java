package io.upbot.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-process endpoint on a free port with a memory writer, a token file and controllable clocks.
 */
final class TestEndpoint implements AutoCloseable {
  static final long RECEIVED_AT = 1_699_274_742_123L;
  static final String PLAIN_TOKEN = "plain-token-for-wx-app";
  static final String HASHED_TOKEN = "hashed-token-for-any-app";
  static final String LIMITED_TOKEN = "limited-token-10-per-second";
  static final String OTHER_APP_TOKEN = "token-for-another-app";
  static final String ALLOWED_ORIGIN = "https://h5.example.com";
  static final ObjectMapper JSON = new ObjectMapper();

  final Path dir;
  final Path tokensFile;
  final MemoryRecordWriter writer = new MemoryRecordWriter();
  final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  final AtomicLong clockMillis = new AtomicLong(RECEIVED_AT);
  final IngestServer server;
  final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  TestEndpoint(String... extraArgs) {
    try {
      dir = Files.createTempDirectory("upbot-ingest-test-");
      tokensFile = dir.resolve("tokens.json");
      Files.writeString(tokensFile, defaultTokens());
      List<String> args =
          new ArrayList<>(
              List.of(
                  "--port",
                  "0",
                  "--host",
                  "127.0.0.1",
                  "--kafka-bootstrap",
                  "unused:9092",
                  "--tokens-file",
                  tokensFile.toString(),
                  "--tokens-reload-interval",
                  "50ms",
                  "--cors-origins",
                  ALLOWED_ORIGIN + ",http://localhost:3000",
                  "--deadline",
                  "500ms",
                  "--drain-timeout",
                  "5s"));
      args.addAll(List.of(extraArgs));
      IngestConfig config = IngestConfig.parse(args.toArray(String[]::new), java.util.Map.of());
      server =
          IngestServer.start(
              config, writer, TokenStore.load(tokensFile), clockMillis::get, nanos::get);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256Hex(String token) {
    return HexFormat.of().formatHex(TokenStore.sha256(token.getBytes(StandardCharsets.UTF_8)));
  }

  static String defaultTokens() {
    return "{\"tokens\":["
        + "{\"name\":\"plain\",\"token\":\""
        + PLAIN_TOKEN
        + "\",\"appids\":[\"wx-app\",\"xxxx\",\"a\"]},"
        + "{\"name\":\"hashed\",\"sha256\":\""
        + sha256Hex(HASHED_TOKEN).toUpperCase()
        + "\",\"appids\":\"*\"},"
        + "{\"name\":\"limited\",\"token\":\""
        + LIMITED_TOKEN
        + "\",\"appids\":\"*\",\"rate_limit\":10},"
        + "{\"name\":\"other\",\"token\":\""
        + OTHER_APP_TOKEN
        + "\",\"appids\":[\"someone-else\"]}"
        + "]}";
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  /** A POST to the API with a JSON body and the plain token. */
  Answer post(String body) {
    return send(
        request(IngestServer.API_PATH)
            .header("Authorization", PLAIN_TOKEN)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20));
  }

  Answer send(HttpRequest.Builder b) {
    try {
      return Answer.of(http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  CompletableFuture<Answer> sendAsync(HttpRequest.Builder b) {
    return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray()).thenApply(Answer::of);
  }

  /** An HTTP answer with its JSON body parsed (null when not JSON). */
  record Answer(int status, HttpResponse<byte[]> response, JsonNode json) {
    static Answer of(HttpResponse<byte[]> r) {
      JsonNode n;
      try {
        n = JSON.readTree(r.body());
      } catch (IOException e) {
        n = null;
      }
      return new Answer(r.statusCode(), r, n);
    }

    int ret() {
      return json.get("ret").intValue();
    }

    String msg() {
      return json.get("msg").textValue();
    }

    String detail() {
      JsonNode d = json.get("detail");
      return d == null ? null : d.textValue();
    }

    String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }

    String text() {
      return new String(response.body(), StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    server.close();
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // A leftover temp folder is harmless.
    }
  }
}
