package io.upbot.wecom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import io.upbot.testkit.KafkaBroker;
import io.upbot.testkit.wecom.MockWeCom;
import io.upbot.testkit.wecom.MockWeCom.Fault;
import io.upbot.testkit.wecom.MockWeCom.Member;
import io.upbot.testkit.wecom.WeComCallbackSender;
import io.upbot.testkit.wecom.WeComCallbackSender.Sealed;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole receiver against a real Kafka broker and MockWeCom: a callback becomes exactly one join
 * record on the events topic, and a failing lookup is retried later, across a restart, without
 * loss.
 */
class WeComReceiverITCase {

  static final String CORP = "ww-corp-it";
  static final String SECRET = "app-secret";
  static final String TOKEN = "it-token";
  static final String AES_KEY = WeComCallbackSender.randomEncodingAesKey();
  static final AtomicInteger RUN = new AtomicInteger();

  static KafkaBroker broker;

  MockWeCom wecom;
  WeComCallbackSender sender;
  String events;
  String callbacks;
  String dead;
  String id;
  final List<WeComReceiver> receivers = new ArrayList<>();

  @BeforeAll
  static void startBroker() {
    broker = KafkaBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @BeforeEach
  void setUp() {
    int n = RUN.incrementAndGet();
    events = "events-" + n;
    callbacks = "callbacks-" + n;
    dead = "callbacks-dead-" + n;
    id = "resolver-" + n;
    broker.createTopic(events, 3);
    broker.createTopic(callbacks, 1);
    broker.createTopic(dead, 1);
    wecom = MockWeCom.start(CORP, SECRET);
    sender = new WeComCallbackSender(TOKEN, AES_KEY, CORP);
  }

  @AfterEach
  void tearDown() {
    receivers.forEach(WeComReceiver::close);
    wecom.close();
  }

  WeComReceiver startReceiver() throws Exception {
    return startReceiver(id);
  }

  WeComReceiver startReceiver(String groupId) throws Exception {
    WeComConfig c =
        WeComConfig.parse(
            new String[] {
              "--host",
              "127.0.0.1",
              "--port",
              "0",
              "--wecom-token",
              TOKEN,
              "--wecom-aes-key",
              AES_KEY,
              "--wecom-corp-id",
              CORP,
              "--wecom-secret",
              SECRET,
              "--wecom-api-url",
              wecom.url(),
              "--wecom-appid",
              "wx-app-1",
              "--kafka-bootstrap",
              broker.bootstrapServers(),
              "--topic",
              events,
              "--callbacks-topic",
              callbacks,
              "--dead-letter-topic",
              dead,
              "--group-id",
              groupId,
              "--transactional-id",
              id,
              "--api-timeout",
              "1s",
              "--api-attempts",
              "2",
              "--retry-backoff",
              "100ms",
              "--retry-backoff-max",
              "400ms",
              "--missing-member-grace",
              "1m"
            },
            Map.of());
    WeComReceiver r = WeComReceiver.start(c);
    receivers.add(r);
    return r;
  }

  static String url(WeComReceiver r) {
    return "http://127.0.0.1:" + r.port() + "/upbot/wecom/callback";
  }

  static long now() {
    return Instant.now().getEpochSecond();
  }

  static String join(String chat, String... userids) {
    return WeComCallbackSender.addMemberEvent(CORP, chat, now(), 3, List.of(userids));
  }

  List<MediaEvent> joinRecords() {
    List<MediaEvent> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : broker.readAll(events)) {
      try {
        out.add(MediaEventCodec.decode(r.value()));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    return out;
  }

  /** Waits until the records of {@code barrierChat} are written: everything before it is too. */
  void awaitBarrier(WeComReceiver r, String barrierChat) {
    wecom.addMember(barrierChat, Member.external("wm-" + barrierChat, "u-b", "BARRIER", now()));
    assertThat(sender.post(url(r), join(barrierChat, "wm-" + barrierChat)).body())
        .isEqualTo("success");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> joinRecords().stream().anyMatch(e -> "BARRIER".equals(e.code())));
  }

  @Test
  void shouldTurnACallbackIntoExactlyOneJoinRecordEvenWhenWeComResendsIt() throws Exception {
    long joinTime = now() - 2;
    wecom.addMember("chat-1", Member.external("wm-1", "union-1", "IsFXtWUZ3x3hywGl", joinTime));
    WeComReceiver r = startReceiver();
    String msg = join("chat-1", "wm-1");
    Sealed first = sender.seal(msg);
    assertThat(sender.post(url(r), first).body()).isEqualTo("success");
    assertThat(sender.post(url(r), first).body()).isEqualTo("success");
    assertThat(sender.post(url(r), msg).body()).isEqualTo("success");

    await().atMost(Duration.ofSeconds(60)).until(() -> !joinRecords().isEmpty());
    awaitBarrier(r, "chat-barrier");
    List<MediaEvent> written =
        joinRecords().stream().filter(e -> !"BARRIER".equals(e.code())).toList();
    assertThat(written).hasSize(1);
    MediaEvent e = written.get(0);
    assertThat(e.eventId()).isEqualTo("1110205");
    assertThat(e.source()).isEqualTo("wecom");
    assertThat(e.appid()).isEqualTo("wx-app-1");
    assertThat(e.code()).isEqualTo("IsFXtWUZ3x3hywGl");
    assertThat(e.unionid()).isEqualTo("union-1");
    assertThat(e.eventTime()).isEqualTo(joinTime * 1000);
    assertThat(broker.readAll(callbacks)).as("the resend was not stored").hasSize(2);
    assertThat(broker.readAll(dead)).isEmpty();
  }

  @Test
  void shouldRetryAFailingLookupLaterAcrossARestartWithoutLosingTheJoin() throws Exception {
    wecom.addMember("chat-1", Member.external("wm-1", "union-1", "CODE1", now()));
    // WeCom fails every call for now: the lookup is retried with backoff, the callback stays.
    Fault[] outage = new Fault[10_000];
    java.util.Arrays.fill(outage, Fault.HTTP_500);
    wecom.fail(outage);
    WeComReceiver r = startReceiver();
    HttpResponse<String> a = sender.post(url(r), join("chat-1", "wm-1"));
    assertThat(a.body()).as("answered before any lookup succeeded").isEqualTo("success");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> r.metrics().get("upbot_wecom_lookup_retries_total") >= 2);
    assertThat(joinRecords()).isEmpty();

    // The receiver stops and a new one starts while WeCom still fails; then WeCom recovers.
    r.close();
    receivers.remove(r);
    WeComReceiver again = startReceiver();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> again.metrics().get("upbot_wecom_lookup_retries_total") >= 1);
    wecom.clearFaults();

    awaitBarrier(again, "chat-barrier");
    List<MediaEvent> written =
        joinRecords().stream().filter(e -> "CODE1".equals(e.code())).toList();
    assertThat(written).hasSize(1);
    assertThat(written.get(0).unionid()).isEqualTo("union-1");
  }

  @Test
  void shouldWaitForAMemberWeComDoesNotListYet() throws Exception {
    wecom.addGroup("chat-1");
    WeComReceiver r = startReceiver();
    assertThat(sender.post(url(r), join("chat-1", "wm-late")).body()).isEqualTo("success");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> r.metrics().get("upbot_wecom_lookup_retries_total") >= 2);
    // WeCom's group details catch up with the event.
    wecom.addMember("chat-1", Member.external("wm-late", "union-late", "CODE-LATE", now()));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> joinRecords().stream().anyMatch(e -> "CODE-LATE".equals(e.code())));
    awaitBarrier(r, "chat-barrier");
    assertThat(joinRecords().stream().filter(e -> "CODE-LATE".equals(e.code()))).hasSize(1);
  }

  @Test
  void shouldDeadLetterACallbackForAChatWeComDoesNotKnow() throws Exception {
    WeComReceiver r = startReceiver();
    assertThat(sender.post(url(r), join("no-such-chat", "wm-1")).body()).isEqualTo("success");
    await().atMost(Duration.ofSeconds(60)).until(() -> !broker.readAll(dead).isEmpty());
    ConsumerRecord<byte[], byte[]> d = broker.readAll(dead).get(0);
    assertThat(new String(d.headers().lastHeader("reason").value(), StandardCharsets.UTF_8))
        .isEqualTo("errcode_40050");
    assertThat(PendingCallback.decode(d.value()).chatId()).isEqualTo("no-such-chat");
    awaitBarrier(r, "chat-barrier");
    assertThat(joinRecords()).extracting(MediaEvent::code).containsExactly("BARRIER");
  }

  static int health(WeComReceiver r) throws Exception {
    return java.net.http.HttpClient.newHttpClient()
        .send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + r.port() + "/healthz"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  @Test
  void shouldReportUnhealthyWhenASecondResolverFencesItsTransactions() throws Exception {
    WeComReceiver first = startReceiver();
    assertThat(health(first)).isEqualTo(200);
    // The first must hold the id before the second asks for it; otherwise the first's late
    // initialisation would fence the second instead.
    await().atMost(Duration.ofSeconds(60)).until(() -> first.metrics().resolverReady());
    // A misconfigured second instance: its own consumer group, the same transactional id.
    WeComReceiver second = startReceiver(id + "-other-group");
    await().atMost(Duration.ofSeconds(60)).until(() -> second.metrics().resolverReady());
    // The first learns of the fence at its next transaction: keep sending joins until one of its
    // commits meets it; then it stops, and says so.
    AtomicInteger n = new AtomicInteger();
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              String chat = "chat-f" + n.incrementAndGet();
              wecom.addMember(chat, Member.external("wm-" + chat, "u", "CODE-F", now()));
              assertThat(sender.post(url(first), join(chat, "wm-" + chat)).body())
                  .isEqualTo("success");
              return health(first) == 503;
            });
    assertThat(health(second)).isEqualTo(200);
    assertThat(first.metrics().render(0)).contains("upbot_wecom_resolver_ready 0\n");
    assertThat(second.metrics().render(0)).contains("upbot_wecom_resolver_ready 1\n");
  }

  @Test
  void shouldRecogniseAResendAfterARestart() throws Exception {
    wecom.addMember("chat-1", Member.external("wm-1", "union-1", "CODE1", now()));
    WeComReceiver r = startReceiver();
    Sealed s = sender.seal(join("chat-1", "wm-1"));
    assertThat(sender.post(url(r), s).body()).isEqualTo("success");
    r.close();
    receivers.remove(r);
    WeComReceiver again = startReceiver();
    assertThat(sender.post(url(again), s).body()).isEqualTo("success");
    assertThat(again.metrics().get("upbot_wecom_callbacks_total{answer=\"duplicate\"}"))
        .isEqualTo(1);
    awaitBarrier(again, "chat-barrier");
    assertThat(joinRecords().stream().filter(e -> "CODE1".equals(e.code()))).hasSize(1);
  }
}
