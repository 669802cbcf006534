package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.upbot.job.model.FunnelStages;
import io.upbot.job.sink.JdbcSettings;
import io.upbot.job.testing.DatabaseTables;
import io.upbot.job.testing.Reference;
import io.upbot.job.testing.Tables;
import io.upbot.schema.MediaEvent;
import io.upbot.testkit.KafkaBroker;
import io.upbot.testkit.wecom.WeComCallbackSender;
import io.upbot.testkit.wecom.WeComCallbackSender.Sealed;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WeCom's joins end to end on the local stack: journeys posted over HTTP with the users' unionids,
 * joins confirmed by WeCom (the mock's groupchat/get and correctly encrypted callbacks, each sent
 * twice as WeCom resends them) through the real receiver and broker into the job, and tables on
 * SQLite equal to what the reference model computes (with {@code --joins-from wecom}) for every
 * record on the events topic, code_join_hourly's {@code unattributed_joins} included. Forged,
 * misaddressed and stale callbacks get docs/wecom.md#answers' answers and write nothing.
 */
class WeComLocalStackITCase {

  private static final String TOPIC = "upbot.media-events";
  private static final String APPID = LocalStack.DEMO_APPID;
  private static final Duration G = Duration.ofMinutes(30);

  /**
   * A, shortened from 24 h: a join is found unattributable only when the watermark passes its time
   * + A (docs/semantics.md#wecom-joins), and that must happen within the test for the join table to
   * be compared whole. The generated journeys are a few seconds old when posted, well inside it.
   */
  private static final Duration A = Duration.ofSeconds(15);

  /** The watermark bound and the source idleness, short so that the watermark follows receipt. */
  private static final Duration BOUND = Duration.ofSeconds(1);

  private static final Duration IDLENESS = Duration.ofSeconds(1);
  private static final String TICK_CODE = "tick";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dataDir;

  private LocalStack.Options options() {
    return new LocalStack.Options(
            0, 0, 0, dataDir, null, null, null, null, false, TOPIC, Duration.ofSeconds(2))
        .withWeCom()
        .withJobTuning(s -> LocalJob.withSourceIdleness(s.withTimes(G, A, BOUND), IDLENESS));
  }

  /** One posted journey: its first batch's user, code and, if it long-pressed, when. */
  private record Posted(String openid, String unionid, String code, Long longPressMs) {}

  @Test
  void shouldCountWeComJoinsAsTheReferenceDoesAndWriteNothingForRefusedCallbacks()
      throws Exception {
    LocalStack.Options options = options();
    JdbcSettings db = JdbcSettings.defaults(options.effectiveJdbcUrl());
    try (LocalStack stack = LocalStack.start(options, StackEvents.quiet())) {
      LocalWeCom wecom = stack.weCom().orElseThrow();

      // Journeys of the last few seconds (a tenth of the usual pace, so each lasts at most about
      // 6 s, and it starts 7 s before it is posted), every batch with its user's unionid, the
      // clients' own join reports included: with the local WeCom the job runs with --joins-from
      // wecom, so those count as events in no stage. Two of three users who long-pressed join in
      // WeCom a second after it, confirmed at once: a join received well within A of its time.
      JourneyGenerator generator =
          new JourneyGenerator(11, APPID, List.of("code-a", "code-b"), 0.1);
      List<Posted> posted = new ArrayList<>();
      List<Posted> pressedNotJoined = new ArrayList<>();
      Set<String> joined = new TreeSet<>();
      Sealed firstCallback = null;
      int pressedCount = 0;
      for (int i = 0; i < 40; i++) {
        List<ReportBody> batches = generator.journey(System.currentTimeMillis() - 7_000);
        ReportBody page = batches.get(0);
        String unionid = "union-" + page.openid();
        for (ReportBody b : batches) {
          assertThat(post(stack, b.withUnionid(unionid))).contains("\"ret\":0");
        }
        Long clientJoin = batches.size() > 1 ? batches.get(1).items().get(0).eventTimeMs() : null;
        Long press =
            page.items().stream()
                .filter(it -> it.eventId().equals(JourneyGenerator.LONG_PRESS))
                .map(ReportBody.Item::eventTimeMs)
                .findFirst()
                .orElse(null);
        Posted p = new Posted(page.openid(), unionid, page.items().get(0).code(), press);
        posted.add(p);
        if (press == null) {
          continue;
        }
        if (pressedCount++ % 3 == 2) {
          pressedNotJoined.add(p);
          continue;
        }
        long joinTime = press / 1000 + 1;
        if (clientJoin != null && clientJoin == joinTime * 1000) {
          // Not the client's own report's time: the two would be one event, whichever came first.
          joinTime++;
        }
        Sealed s = joinAndResend(wecom, p.code(), "wm-" + p.openid(), unionid, joinTime);
        firstCallback = firstCallback == null ? s : firstCallback;
        joined.add("wm-" + p.openid());
      }
      List<Posted> notPressed = posted.stream().filter(p -> p.longPressMs() == null).toList();
      assertThat(joined).as("users who long-pressed and joined").hasSizeGreaterThanOrEqualTo(4);
      assertThat(pressedNotJoined).isNotEmpty();
      assertThat(notPressed).isNotEmpty();
      int attributable = joined.size();
      long nowS = Instant.now().getEpochSecond();
      // Unattributable: a user who never long-pressed, a unionid no client sent, and none at all.
      Posted exposedOnly = notPressed.get(0);
      joinAndResend(
          wecom, exposedOnly.code(), "wm-" + exposedOnly.openid(), exposedOnly.unionid(), nowS - 1);
      joined.add("wm-" + exposedOnly.openid());
      joinAndResend(wecom, "code-a", "wm-stranger", "union-nobody-posted", nowS - 1);
      joined.add("wm-stranger");
      joinAndResend(wecom, "code-b", "wm-no-unionid", null, nowS - 1);
      joined.add("wm-no-unionid");
      int unattributable = 3;

      // Refused callbacks, for a member WeCom does list, whose join would be attributed: were any
      // of them stored, a join record would show it.
      Posted victim = pressedNotJoined.get(0);
      String victimMsg =
          wecom.addMember(
              victim.code(), "wm-refused", victim.unionid(), victim.longPressMs() / 1000 + 1);
      WeComCallbackSender sender = wecom.sender();
      String url = wecom.callbackUrl();
      HttpResponse<String> forged =
          sender.post(url, sender.seal(victimMsg).withSignature("0".repeat(40)));
      assertThat(forged.statusCode()).isEqualTo(401);
      assertThat(forged.body()).isEqualTo("invalid signature");
      HttpResponse<String> otherCorp =
          sender.post(url, sender.seal(victimMsg, nowS, "ww-another-corp"));
      assertThat(otherCorp.statusCode()).isEqualTo(403);
      assertThat(otherCorp.body()).isEqualTo("wrong receiveid");
      // A captured callback replayed after --max-age (5 min): refused by its signed timestamp.
      HttpResponse<String> stale =
          sender.post(url, sender.seal(victimMsg, nowS - 6 * 60, LocalWeCom.CORP_ID));
      assertThat(stale.statusCode()).isEqualTo(403);
      assertThat(stale.body()).isEqualTo("stale timestamp");
      // The very request of a change already stored, replayed within --max-age: a resend,
      // answered success and not stored again.
      HttpResponse<String> replay = sender.post(url, firstCallback);
      assertThat(replay.statusCode()).isEqualTo(200);
      assertThat(replay.body()).isEqualTo("success");

      // Every change stored once (a resend is not stored), and exactly one join record per member
      // who joined: none for the refused callbacks.
      assertThat(KafkaBroker.readAll(stack.kafkaBootstrap(), LocalWeCom.CALLBACKS_TOPIC))
          .hasSize(joined.size());
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(weComRecords(stack))
                      .extracting(e -> e.openid().substring("wecom:".length()))
                      .containsExactlyInAnyOrderElementsOf(joined));
      assertThat(KafkaBroker.readAll(stack.kafkaBootstrap(), LocalWeCom.DEAD_LETTER_TOPIC))
          .isEmpty();

      // The joins no long-press explains are decided once the watermark passes their time + A:
      // keep time moving with an event now and then (a page view of its own code, counted like any
      // other) until the job has decided them all.
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(1))
          .ignoreExceptions()
          .until(
              () -> {
                postTick(stack);
                return unattributedJoins(options.effectiveJdbcUrl()) >= unattributable;
              });

      // Now every table, code_join_hourly whole, equals the reference over the topic's records.
      List<MediaEvent> accepted = accepted(stack.kafkaBootstrap());
      Tables expected =
          Reference.compute(
                  accepted,
                  G.toMillis(),
                  A.toMillis(),
                  FunnelStages.DEFAULT.withWeComJoinsOnly(true))
              .withoutZeroFunnelRows();
      assertThat(expected.joins().values().stream().mapToLong(v -> v.get(1)).sum())
          .as("attributed joins in the reference (fewer: events were late, received over A late)")
          .isEqualTo(attributable);
      assertThat(expected.joins().values().stream().mapToLong(v -> v.get(2)).sum())
          .as("unattributable joins in the reference (fewer: joins were received over A late)")
          .isEqualTo(unattributable);
      assertThat(expected.funnel().values().stream().mapToLong(v -> v.get(3)).sum())
          .as("joined sessions in the reference: WeCom's joins only")
          .isEqualTo(attributable);
      assertThat(accepted)
          .as("clients' own join reports, counted as events only")
          .anyMatch(
              e ->
                  MediaEvent.SOURCE_CLIENT.equals(e.source())
                      && e.eventId().equals(JourneyGenerator.JOIN));
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .untilAsserted(
              () ->
                  assertThat(DatabaseTables.read(db).withoutZeroFunnelRows()).isEqualTo(expected));
      assertThat(
              wecom
                  .receiver()
                  .metrics()
                  .get("upbot_wecom_callbacks_total{answer=\"bad_signature\"}"))
          .isEqualTo(1);
    }
  }

  @Test
  void shouldFillCodeJoinHourlyFromWeComWhenTheWeComDemoRuns() throws Exception {
    LocalStack.Options options =
        UpbotCli.localOptions(
            new String[] {
              "--wecom-demo",
              "--port",
              "0",
              "--kafka-port",
              "0",
              "--ui-port",
              "0",
              "--data-dir",
              dataDir.toString(),
              "--checkpoint-interval",
              "2s"
            });
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (LocalStack stack =
        LocalStack.start(options, new PrintStream(printed, true, StandardCharsets.UTF_8))) {
      assertThat(printed.toString(StandardCharsets.UTF_8))
          .contains("wecom      " + stack.weCom().orElseThrow().callbackUrl())
          .contains("mock api   " + stack.weCom().orElseThrow().api().url());
      // Joins the demo's users made in WeCom reach code_join_hourly, attributed to their journeys,
      // and code_funnel_hourly's joined (the job counts WeCom's joins only).
      await()
          .atMost(Duration.ofSeconds(75))
          .pollInterval(Duration.ofSeconds(1))
          .ignoreExceptions()
          .until(
              () ->
                  sum(options.effectiveJdbcUrl(), "attributed_joins", "code_join_hourly") > 0
                      && sum(options.effectiveJdbcUrl(), "joined", "code_funnel_hourly") > 0);
    }
  }

  /**
   * A member joins in WeCom: the mock lists the member, and the callback is posted, then resent
   * (re-sealed, as WeCom resends); both are answered success. Returns the first request.
   */
  private static Sealed joinAndResend(
      LocalWeCom wecom, String code, String userid, String unionid, long joinTimeSeconds) {
    String msg = wecom.addMember(code, userid, unionid, joinTimeSeconds);
    Sealed first = wecom.sender().seal(msg);
    assertThat(wecom.sender().post(wecom.callbackUrl(), first).body()).isEqualTo("success");
    assertThat(wecom.post(msg)).isEqualTo("success");
    return first;
  }

  private static void postTick(LocalStack stack) throws Exception {
    long now = System.currentTimeMillis();
    ReportBody tick =
        new ReportBody(
            APPID,
            "tick-" + now,
            1,
            List.of(
                new ReportBody.Item(
                    JourneyGenerator.PAGE_JUMP, now, TICK_CODE, "tr-tick-" + now, null)));
    assertThat(post(stack, tick)).contains("\"ret\":0");
  }

  private static long unattributedJoins(String jdbcUrl) throws Exception {
    return sum(jdbcUrl, "unattributed_joins", "code_join_hourly");
  }

  private static long sum(String jdbcUrl, String column, String table) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT COALESCE(SUM("
                    + column
                    + "), 0) FROM "
                    + table
                    + " WHERE appid = '"
                    + APPID
                    + "'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<MediaEvent> weComRecords(LocalStack stack) {
    return accepted(stack.kafkaBootstrap()).stream()
        .filter(e -> MediaEvent.SOURCE_WECOM.equals(e.source()))
        .collect(Collectors.toList());
  }

  private static List<MediaEvent> accepted(String bootstrap) {
    return StackEvents.inTopic(bootstrap, TOPIC);
  }

  private static String post(LocalStack stack, ReportBody body) throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(stack.apiUrl())
            .header("Content-Type", "application/json")
            .header("Authorization", stack.token())
            .POST(HttpRequest.BodyPublishers.ofByteArray(body.toJson()))
            .build();
    return HTTP.send(req, HttpResponse.BodyHandlers.ofString()).body();
  }
}
