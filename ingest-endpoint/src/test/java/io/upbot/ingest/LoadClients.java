package io.upbot.ingest;

import io.upbot.schema.MalformedEventException;
import io.upbot.schema.MediaEventCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Concurrent clients posting batches of events with unique {@code event_id}s to an endpoint, each
 * at a fixed pace, recording every answer: the ret, or a cut connection. Used to check, from the
 * topic, that every item answered 0 is in Kafka.
 */
final class LoadClients implements AutoCloseable {
  /** The ret recorded when no answer came (connection refused, reset or timed out). */
  static final int CUT = -1;

  /** The ret recorded for an answer that is not JSON with a ret. */
  static final int UNREADABLE = -2;

  /** One batch: its items' event ids, the answer, when it was sent and how long the answer took. */
  record Outcome(List<String> eventIds, int ret, long sentNanos, long millis) {}

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final ScheduledExecutorService clients;
  private final Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
  private final AtomicInteger batches = new AtomicInteger();
  private volatile String unexpected;
  private final URI api;
  private final String token;
  private final String appid;
  private final int items;

  LoadClients(URI api, String token, String appid, int clients, int itemsPerBatch, Duration pause) {
    this.api = api;
    this.token = token;
    this.appid = appid;
    this.items = itemsPerBatch;
    this.clients = Executors.newScheduledThreadPool(clients);
    for (int c = 0; c < clients; c++) {
      int client = c;
      this.clients.scheduleWithFixedDelay(
          () -> post(client), 0, pause.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void post(int client) {
    int batch = batches.incrementAndGet();
    List<String> ids = new ArrayList<>(items);
    StringBuilder body =
        new StringBuilder("{\"head\":{\"account_info\":{\"account_type\":2,\"appid\":\"")
            .append(appid)
            .append("\",\"openid\":\"o-")
            .append(client)
            .append("\"}},\"items\":[");
    for (int i = 0; i < items; i++) {
      String id = "b" + batch + "-i" + i;
      ids.add(id);
      body.append(i == 0 ? "" : ",")
          .append("{\"event_id\":\"")
          .append(id)
          .append("\",\"event_time\":")
          .append(1_699_274_742L + i)
          .append(",\"code\":\"load\",\"trace_id\":\"c")
          .append(client)
          .append("\"}");
    }
    body.append("]}");
    long t0 = System.nanoTime();
    int ret;
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(api)
                  .timeout(Duration.ofSeconds(30))
                  .header("Authorization", token)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      ret = TestEndpoint.JSON.readTree(r.body()).get("ret").intValue();
      if (ret != 0 && ret != Ret.BUSY.code()) {
        unexpected = r.body();
      }
    } catch (IOException e) {
      ret = CUT;
    } catch (RuntimeException e) {
      // An answer that is not the documented JSON: recorded, so the test sees it (and keeps
      // posting).
      ret = UNREADABLE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    outcomes.add(new Outcome(ids, ret, t0, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)));
  }

  List<Outcome> outcomes() {
    return List.copyOf(outcomes);
  }

  long count(int ret) {
    return outcomes.stream().filter(o -> o.ret() == ret).count();
  }

  /** Batches with this ret sent after the given {@link System#nanoTime()}. */
  long countSentAfter(int ret, long nanos) {
    return outcomes.stream().filter(o -> o.ret() == ret && o.sentNanos() > nanos).count();
  }

  /** The event ids of every item answered 0. */
  Set<String> accepted() {
    return outcomes.stream()
        .filter(o -> o.ret() == 0)
        .flatMap(o -> o.eventIds().stream())
        .collect(Collectors.toSet());
  }

  /** A token file in {@code dir} with one token valid for every appid (the clients' token). */
  static Path tokenFile(Path dir, String token) throws IOException {
    return Files.writeString(
        dir.resolve("tokens.json"),
        "{\"tokens\":[{\"token\":\"" + token + "\",\"appids\":\"*\"}]}");
  }

  /** The event ids of the records in a topic. */
  static Set<String> eventIds(List<ConsumerRecord<byte[], byte[]>> records) {
    Set<String> out = new java.util.HashSet<>();
    for (ConsumerRecord<byte[], byte[]> c : records) {
      try {
        out.add(MediaEventCodec.decode(c.value()).eventId());
      } catch (MalformedEventException e) {
        throw new AssertionError("the endpoint wrote a record the job cannot read", e);
      }
    }
    return out;
  }

  /** A one-line summary: batches by answer. */
  String summary() {
    return outcomes.stream()
            .collect(
                Collectors.groupingBy(
                    o -> o.ret() == CUT ? "cut" : "ret " + o.ret(),
                    java.util.TreeMap::new,
                    Collectors.counting()))
        + (unexpected == null ? "" : ", e.g. " + unexpected);
  }

  /** Stops posting and waits for the requests under way to be answered (or to time out). */
  @Override
  public void close() {
    clients.shutdown();
    try {
      if (!clients.awaitTermination(60, TimeUnit.SECONDS)) {
        clients.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
