package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.upbot.job.model.FunnelStages;
import io.upbot.job.sink.JdbcSettings;
import io.upbot.job.testing.DatabaseTables;
import io.upbot.job.testing.Reference;
import io.upbot.job.testing.Tables;
import io.upbot.localkafka.KafkaBrokerProcess;
import io.upbot.schema.MalformedEventException;
import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import io.upbot.testkit.FaultLevel;
import io.upbot.testkit.KafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole local stack ({@code ./upbot local}: endpoint, job, broker, SQLite) killed with SIGKILL
 * in the middle of a load and started again on the same data dir. Every event the endpoint answered
 * 0 is in the topic, and the tables equal the reference over everything the topic holds: nothing
 * lost, nothing counted twice, though the job resumed from a checkpoint older than the rows it had
 * written.
 *
 * <p>{@code -Dupbot.faults=long} kills it three times under more load. Each restart prints its
 * figures (restart to {@code upbot ready}, to tables caught up) on lines starting {@code [faults]}.
 */
class StackKillFaultITCase {

  private static final String TOPIC = "upbot.media-events";
  private static final long G = Duration.ofMinutes(30).toMillis();
  private static final long A = Duration.ofHours(24).toMillis();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final FaultLevel LEVEL = FaultLevel.current();
  private static final int POSTERS = 3;

  @TempDir Path tmp;

  /** One batch posted, and how the endpoint answered it: its ret, or -1 for no answer at all. */
  record Posted(ReportBody body, int ret) {}

  @Test
  void shouldKeepTablesEqualToTheReferenceOverTheTopicAfterTheWholeStackIsKilledMidLoad()
      throws Exception {
    int kills = LEVEL.pick(1, 3);
    int batchesBeforeKill = LEVEL.pick(400, 1500);
    Path dataDir = tmp.resolve("upbot");
    int port = KafkaBrokerProcess.freePort();
    int kafkaPort = KafkaBrokerProcess.freePort();
    String bootstrap = "127.0.0.1:" + kafkaPort;
    URI api = URI.create("http://127.0.0.1:" + port + "/upbot/api/ReportMediaEvent");
    JdbcSettings db = JdbcSettings.defaults("jdbc:sqlite:" + dataDir.resolve("upbot.db"));
    List<Posted> posted = Collections.synchronizedList(new ArrayList<>());

    try (StackProcess stack =
        new StackProcess(
            dataDir,
            port,
            kafkaPort,
            KafkaBrokerProcess.freePort(),
            "--checkpoint-interval",
            "2s")) {
      long first = System.nanoTime();
      stack.start();
      System.out.printf(
          "[faults] stack first start, seconds to each line: %s%n",
          stack.awaitReady(Duration.ofSeconds(120), first));
      String token = stack.token();

      for (int kill = 1; kill <= kills; kill++) {
        // Load, and a completed checkpoint older than the newest rows, so the restart replays.
        try (Load load = new Load(api, token, kill * 1000L, posted)) {
          await().atMost(Duration.ofSeconds(60)).until(() -> answered(posted, 0) >= 100);
          await().atMost(Duration.ofSeconds(60)).until(() -> completedCheckpoints(dataDir) > 0);
          int target = answered(posted, 0) + batchesBeforeKill;
          await().atMost(Duration.ofSeconds(120)).until(() -> answered(posted, 0) >= target);
          stack.killAll();
        }
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> assertThat(stack.leftovers()).as("processes left running").isEmpty());

        long restart = System.nanoTime();
        stack.start();
        Map<String, Double> lines = stack.awaitReady(Duration.ofSeconds(120), restart);
        long ready = System.nanoTime();
        // Resumed from the state of a checkpoint taken before the kill, not rebuilt from nothing.
        assertThat(stack.output()).contains("Job resumed from " + dataDir.resolve("checkpoints"));
        Tables expected = expectedOverTopic(bootstrap, posted);
        awaitTables(db, expected, Duration.ofSeconds(120));
        long caughtUp = System.nanoTime();
        System.out.printf(
            "[faults] stack SIGKILL %d/%d: %d batches posted (%d answered 0, %d without answer),"
                + " restart to ready %.1f s (seconds to each line: %s), to tables caught up %.1f s%n",
            kill,
            kills,
            posted.size(),
            answered(posted, 0),
            answered(posted, -1),
            (ready - restart) / 1e9,
            lines,
            (caughtUp - restart) / 1e9);
      }

      // A client retries what got no answer and resends some that did; new journeys keep coming.
      List<Posted> unanswered = posted.stream().filter(p -> p.ret() != 0).toList();
      List<Posted> resent = new ArrayList<>(unanswered);
      resent.addAll(posted.stream().filter(p -> p.ret() == 0).limit(50).toList());
      HttpClient http = HttpClient.newHttpClient();
      for (Posted p : resent) {
        int ret = post(http, api, token, p.body());
        assertThat(ret).as("a resend after the restart").isZero();
        posted.add(new Posted(p.body(), ret));
      }
      try (Load load = new Load(api, token, 99_000L, posted)) {
        int target = answered(posted, 0) + 200;
        await().atMost(Duration.ofSeconds(60)).until(() -> answered(posted, 0) >= target);
      }
      awaitTables(db, expectedOverTopic(bootstrap, posted), Duration.ofSeconds(120));
      assertThat(DatabaseTables.deadLetters(db)).as("nothing to set aside in this load").isEmpty();
    }
    try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
      assertThat(
              all.filter(
                      h ->
                          h.info()
                              .commandLine()
                              .map(c -> c.contains(dataDir.toString()))
                              .orElse(false))
                  .filter(ProcessHandle::isAlive)
                  .toList())
          .isEmpty();
    }
  }

  /** The reference over the topic, after checking that every event answered 0 is in it. */
  private static Tables expectedOverTopic(String bootstrap, List<Posted> posted) {
    List<MediaEvent> topic = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : KafkaBroker.readAll(bootstrap, TOPIC)) {
      try {
        topic.add(MediaEventCodec.decode(r.value()));
      } catch (MalformedEventException e) {
        throw new AssertionError("the endpoint wrote an undecodable record", e);
      }
    }
    Set<String> inTopic = new HashSet<>();
    topic.forEach(
        m -> inTopic.add(key(m.appid(), m.traceId(), m.code(), m.eventId(), m.eventTime())));
    List<String> lost = new ArrayList<>();
    synchronized (posted) {
      for (Posted p : posted) {
        if (p.ret() == 0) {
          for (ReportBody.Item i : p.body().items()) {
            String k = key(p.body().appid(), i.traceId(), i.code(), i.eventId(), i.eventTimeMs());
            if (!inTopic.contains(k)) {
              lost.add(k);
            }
          }
        }
      }
    }
    assertThat(lost).as("events answered 0 but missing from the topic").isEmpty();
    Tables expected = Reference.compute(topic, G, A, FunnelStages.DEFAULT).withoutZeroFunnelRows();
    assertThat(expected.funnel()).isNotEmpty();
    return expected;
  }

  private static String key(String appid, String trace, String code, String eventId, long timeMs) {
    return String.join("|", appid, trace, code, eventId, Long.toString(timeMs));
  }

  private static void awaitTables(JdbcSettings db, Tables expected, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .untilAsserted(
            () -> assertThat(DatabaseTables.read(db).withoutZeroFunnelRows()).isEqualTo(expected));
  }

  private static int answered(List<Posted> posted, int ret) {
    synchronized (posted) {
      return (int) posted.stream().filter(p -> p.ret() == ret).count();
    }
  }

  private static long completedCheckpoints(Path dataDir) throws Exception {
    Path root = dataDir.resolve("checkpoints");
    if (!Files.isDirectory(root)) {
      return 0;
    }
    try (Stream<Path> s = Files.find(root, 3, (p, a) -> p.endsWith("_metadata"))) {
      return s.count();
    }
  }

  private static int post(HttpClient http, URI api, String token, ReportBody body)
      throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(api)
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .header("Authorization", token)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body.toJson()))
            .build();
    String answer = http.send(req, HttpResponse.BodyHandlers.ofString()).body();
    return JSON.readTree(answer).get("ret").asInt();
  }

  /**
   * Posts fresh journeys from a few threads until closed, recording every batch with its answer (-1
   * when the connection failed or no answer came: the kill).
   */
  static final class Load implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService pool = Executors.newFixedThreadPool(POSTERS);
    private final List<Future<?>> posters = new ArrayList<>();

    Load(URI api, String token, long seed, List<Posted> posted) {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      for (int t = 0; t < POSTERS; t++) {
        JourneyGenerator journeys =
            new JourneyGenerator(seed + t, "wx-fault", List.of("code-a", "code-b", "code-c"));
        posters.add(
            pool.submit(
                () -> {
                  while (running.get()) {
                    for (ReportBody b : journeys.journey(System.currentTimeMillis() - 60_000)) {
                      int ret;
                      try {
                        ret = post(http, api, token, b);
                      } catch (Exception noAnswer) {
                        ret = -1;
                      }
                      posted.add(new Posted(b, ret));
                    }
                  }
                  return null;
                }));
      }
    }

    @Override
    public void close() throws Exception {
      running.set(false);
      for (Future<?> f : posters) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdownNow();
    }
  }
}
