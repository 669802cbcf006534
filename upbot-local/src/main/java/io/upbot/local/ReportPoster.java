package io.upbot.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Posts ReportMediaEvent bodies and reads the {@code ret} of each answer. A transport failure is
 * reported as {@code error:<exception>} rather than thrown, so load tools can count it like an
 * answer.
 */
public final class ReportPoster {

  /** The answer meaning the whole batch is durably stored. */
  public static final String ACCEPTED = "0";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client;
  private final URI url;
  private final String token;
  private final Duration timeout;

  public ReportPoster(URI url, String token, Duration timeout) {
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    this.url = url;
    this.token = token;
    this.timeout = timeout;
  }

  /**
   * Posts {@code body}; completes with the answer's ret, {@code error:…}, {@code no-ret} or {@code
   * not-json}.
   */
  public CompletableFuture<String> post(byte[] body) {
    HttpRequest req =
        HttpRequest.newBuilder(url)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Authorization", token)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    return client
        .sendAsync(req, HttpResponse.BodyHandlers.ofByteArray())
        .handle(
            (resp, err) ->
                err != null
                    ? "error:" + rootCause(err).getClass().getSimpleName()
                    : retOf(resp.body()));
  }

  /** Posts {@code body} and waits for the answer's ret. */
  public String postAndWait(byte[] body) {
    return post(body).join();
  }

  static String retOf(byte[] body) {
    try {
      JsonNode n = JSON.readTree(body);
      return n != null && n.has("ret") ? n.get("ret").asText() : "no-ret";
    } catch (IOException e) {
      return "not-json";
    }
  }

  private static Throwable rootCause(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c;
  }
}
