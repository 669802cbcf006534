package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.upbot.job.model.FunnelStages;
import io.upbot.job.sink.JdbcSettings;
import io.upbot.job.testing.DatabaseTables;
import io.upbot.job.testing.Reference;
import io.upbot.job.testing.Tables;
import io.upbot.schema.Fixtures;
import io.upbot.schema.MalformedEventException;
import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import io.upbot.testkit.KafkaBroker;
import io.upbot.testkit.PostgresDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The local stack as {@code ./upbot local} starts it: the API document's example and generated
 * journeys posted over HTTP reach the tables with exactly the totals docs/semantics.md gives for
 * what the endpoint accepted; after a stop and a restart, more events (resent batches, sessions
 * extended across the restart) still give exact totals. Copies of an event from a device whose
 * clock runs ahead count once, before the restart and after it.
 */
class LocalStackITCase {

  private static final String TOPIC = "upbot.media-events";
  private static final String FAST_CLOCK_TRACE = "tr-fast-clock";
  private static final long G = Duration.ofMinutes(30).toMillis();
  private static final long A = Duration.ofHours(24).toMillis();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dataDir;

  static Stream<Arguments> databases() {
    return Stream.of(Arguments.of("sqlite"), Arguments.of("postgresql"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void shouldKeepExactTotalsAcrossARestart(String database) throws Exception {
    PostgresDatabase pg = database.equals("postgresql") ? PostgresDatabase.create() : null;
    try {
      LocalStack.Options options =
          new LocalStack.Options(
              0,
              0,
              0,
              dataDir,
              pg == null ? null : pg.jdbcUrl(),
              pg == null ? null : pg.user(),
              null,
              null,
              false,
              TOPIC,
              Duration.ofSeconds(2));
      JdbcSettings db =
          pg == null
              ? JdbcSettings.defaults(options.effectiveJdbcUrl())
              : JdbcSettings.defaults(pg.jdbcUrl()).withCredentials(pg.user(), "");
      JourneyGenerator journeys = new JourneyGenerator(42, "wx-e2e", List.of("code-a", "code-b"));
      ReportBody fastClock =
          new ReportBody(
              "wx-e2e",
              "o-fast-clock",
              1,
              List.of(
                  new ReportBody.Item(
                      JourneyGenerator.EXPOSURE,
                      System.currentTimeMillis() + 3_600_000,
                      "code-a",
                      FAST_CLOCK_TRACE,
                      7)));
      List<ReportBody> posted = new ArrayList<>();

      try (LocalStack stack = LocalStack.start(options, quiet())) {
        assertThat(post(stack, apiExampleAtNow())).isEqualTo("{\"ret\":0,\"msg\":\"\"}");
        for (int i = 0; i < 30; i++) {
          for (ReportBody b : journeys.journey(System.currentTimeMillis() - 60_000)) {
            assertThat(retOf(post(stack, b.toJson()))).isZero();
            posted.add(b);
          }
        }
        // A device whose clock runs an hour ahead sends an exposure and then resends it: each
        // copy's time
        // is capped at its own receipt + 5 min, so the copies differ in t, yet they are one event.
        assertThat(retOf(post(stack, fastClock.toJson()))).isZero();
        assertThat(retOf(post(stack, fastClock.toJson()))).isZero();
        assertThat(accepted(stack.kafkaBootstrap()))
            .filteredOn(m -> FAST_CLOCK_TRACE.equals(m.traceId()))
            .extracting(MediaEvent::receivedAt)
            .as("two copies, received at different times")
            .doesNotHaveDuplicates()
            .hasSize(2);
        awaitExactTables(stack, db);
      }

      try (LocalStack stack = LocalStack.start(options, quiet())) {
        // The job resumes from the savepoint taken at the clean stop, not from an empty state.
        assertThat(stack.restoredFrom())
            .hasValueSatisfying(p -> assertThat(p).startsWith(dataDir.resolve("savepoints")));
        // Resent batches from before the restart must not count again, the fast clock's included
        // ...
        for (ReportBody b : posted.subList(0, 10)) {
          assertThat(retOf(post(stack, b.toJson()))).isZero();
        }
        assertThat(retOf(post(stack, fastClock.toJson()))).isZero();
        // ... long-presses extend sessions that began before it ...
        for (ReportBody b : posted.subList(10, 20)) {
          ReportBody.Item first = b.items().get(0);
          ReportBody press =
              new ReportBody(
                  b.appid(),
                  b.openid(),
                  1,
                  List.of(
                      new ReportBody.Item(
                          JourneyGenerator.LONG_PRESS,
                          first.eventTimeMs() + 45_000,
                          first.code(),
                          first.traceId(),
                          null)));
          assertThat(retOf(post(stack, press.toJson()))).isZero();
        }
        // ... and new journeys simply add.
        for (int i = 0; i < 10; i++) {
          for (ReportBody b : journeys.journey(System.currentTimeMillis())) {
            assertThat(retOf(post(stack, b.toJson()))).isZero();
          }
        }
        awaitExactTables(stack, db);
      }
      // Only the newest savepoint is kept; older snapshots are pruned.
      try (Stream<Path> s = Files.list(dataDir.resolve("savepoints"))) {
        assertThat(s.count()).isEqualTo(1);
      }
      try (Stream<Path> s = Files.list(dataDir.resolve("checkpoints"))) {
        assertThat(s.count()).isZero();
      }
    } finally {
      if (pg != null) {
        pg.close();
      }
    }
  }

  /** Waits until the tables equal the reference over every record the endpoint wrote. */
  private static void awaitExactTables(LocalStack stack, JdbcSettings db) {
    List<MediaEvent> accepted = accepted(stack.kafkaBootstrap());
    Tables expected =
        Reference.compute(accepted, G, A, FunnelStages.DEFAULT).withoutZeroFunnelRows();
    assertThat(expected.funnel()).isNotEmpty();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .untilAsserted(
            () -> assertThat(DatabaseTables.read(db).withoutZeroFunnelRows()).isEqualTo(expected));
  }

  private static List<MediaEvent> accepted(String bootstrap) {
    List<MediaEvent> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : KafkaBroker.readAll(bootstrap, TOPIC)) {
      try {
        out.add(MediaEventCodec.decode(r.value()));
      } catch (MalformedEventException e) {
        throw new AssertionError("the endpoint wrote an undecodable record", e);
      }
    }
    return out;
  }

  /**
   * The API document's example (trailing space in code, event_id "1002"), its event_time set to
   * now.
   */
  private static byte[] apiExampleAtNow() {
    return Fixtures.text("requests/valid/api-example.json")
        .replace("1699274742", Long.toString(System.currentTimeMillis() / 1000))
        .getBytes(StandardCharsets.UTF_8);
  }

  private static String post(LocalStack stack, byte[] body) throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(stack.apiUrl())
            .header("Content-Type", "application/json")
            .header("Authorization", stack.token())
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    return HTTP.send(req, HttpResponse.BodyHandlers.ofString()).body();
  }

  private static int retOf(String answer) throws Exception {
    return JSON.readTree(answer).get("ret").asInt();
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
