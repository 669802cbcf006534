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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Posts ReportMediaEvent bodies and reads the {@code ret} of each answer. A transport failure is
 * reported as {@code error:<exception>} rather than thrown, so load tools can count it like an
 * answer.
 */
public final class ReportPoster {

  /** The answer meaning the whole batch is durably stored. */
  public static final String ACCEPTED = "0";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The most threads one poster's client runs its answers on. */
  static final int THREADS = 4;

  private static final AtomicInteger POSTERS = new AtomicInteger();

  private final HttpClient client;
  private final URI url;
  private final String token;
  private final Duration timeout;
  private final String threadPrefix = "report-poster-" + POSTERS.incrementAndGet() + "-";

  public ReportPoster(URI url, String token, Duration timeout) {
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .executor(executor())
            .build();
    this.url = url;
    this.token = token;
    this.timeout = timeout;
  }

  /**
   * At most {@link #THREADS} threads, each ending after a minute without work. The client's default
   * executor starts a thread whenever none is idle: every pause of the server under load (a
   * collector's pause of the stack being measured) ended in a burst of new threads, 226 in one
   * {@code bench pipeline} run, which the load generator paid for on the same two cores and whose
   * time no thread group showed once they ended.
   */
  private ExecutorService executor() {
    AtomicInteger threads = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            1,
            TimeUnit.MINUTES,
            new LinkedBlockingQueue<>(),
            task -> {
              Thread t = new Thread(task, threadPrefix + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** The start of the names of this poster's threads. */
  String threadPrefix() {
    return threadPrefix;
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
