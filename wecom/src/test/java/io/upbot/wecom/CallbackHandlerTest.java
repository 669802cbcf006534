package io.upbot.wecom;

import static org.assertj.core.api.Assertions.assertThat;

import io.undertow.Undertow;
import io.upbot.testkit.wecom.WeComCallbackSender;
import io.upbot.testkit.wecom.WeComCallbackSender.Sealed;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The callback URL's answers (docs/wecom.md#answers), against an in-memory outbox. */
class CallbackHandlerTest {

  static final String CORP = "ww-corp-1";
  static final String TOKEN = "tok-123";
  static final String AES_KEY = WeComCallbackSender.randomEncodingAesKey();
  static final String PATH = "/upbot/wecom/callback";

  /** An outbox in memory that can be told to fail the next stores. */
  static final class MemoryStore implements CallbackStore {
    final List<PendingCallback> stored = new CopyOnWriteArrayList<>();
    final AtomicInteger failNext = new AtomicInteger();

    @Override
    public void store(PendingCallback c) throws StoreException {
      if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new StoreException("Kafka down (test)", null);
      }
      stored.add(c);
    }
  }

  MemoryStore store;
  WeComMetrics metrics;
  Undertow server;
  String url;
  WeComCallbackSender wecom;

  @BeforeEach
  void start() {
    store = new MemoryStore();
    metrics = new WeComMetrics();
    CallbackHandler handler =
        new CallbackHandler(
            new WeComCrypto(TOKEN, AES_KEY, CORP),
            CORP,
            store,
            new Deduplicator(Duration.ofHours(1), 10_000, System::currentTimeMillis),
            metrics,
            Duration.ofMinutes(5),
            Duration.ofSeconds(3),
            System::currentTimeMillis);
    server =
        Undertow.builder()
            .addHttpListener(0, "127.0.0.1")
            .setHandler(
                ex -> {
                  if (ex.getRequestPath().equals(PATH)) {
                    handler.handleRequest(ex);
                  } else {
                    ex.setStatusCode(404);
                    ex.endExchange();
                  }
                })
            .build();
    server.start();
    int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    url = "http://127.0.0.1:" + port + PATH;
    wecom = new WeComCallbackSender(TOKEN, AES_KEY, CORP);
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  static String join(String chat, long createTime, String... userids) {
    return WeComCallbackSender.addMemberEvent(CORP, chat, createTime, 3, List.of(userids));
  }

  static long now() {
    return Instant.now().getEpochSecond();
  }

  @Test
  void shouldAnswerTheUrlVerificationWithTheDecryptedEchostr() {
    // Digits and a '+'-rich string: the echostr's Base64 must survive the query's decoding.
    for (String echo : List.of("1288432023294567890", "a+b/c=?&d 活码")) {
      HttpResponse<String> r = wecom.verifyUrl(url, echo);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(echo);
    }
    assertThat(store.stored).isEmpty();
  }

  @Test
  void shouldRefuseAUrlVerificationWithAWrongSignature() {
    Sealed s = wecom.seal("12345");
    HttpResponse<String> r = wecom.verifyUrl(url, s.withSignature("0".repeat(40)));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).isEqualTo("invalid signature");
  }

  @Test
  void shouldStoreAnAddMemberChangeOnceAndAnswerSuccess() {
    long t = now();
    HttpResponse<String> r = wecom.post(url, join("chat-1", t, "wm-1", "wm-2"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("success");
    assertThat(store.stored).hasSize(1);
    PendingCallback c = store.stored.get(0);
    assertThat(c.chatId()).isEqualTo("chat-1");
    assertThat(c.createTime()).isEqualTo(t);
    assertThat(c.userids()).containsExactly("wm-1", "wm-2");
    assertThat(c.joinScene()).isEqualTo(3);
    assertThat(c.memChangeCnt()).isEqualTo(2);
    assertThat(c.corpId()).isEqualTo(CORP);
  }

  @Test
  void shouldAnswerSuccessToAResendWithoutStoringItAgain() {
    String msg = join("chat-1", now(), "wm-1");
    Sealed first = wecom.seal(msg);
    assertThat(wecom.post(url, first).body()).isEqualTo("success");
    // The very same request again, and the same message sealed anew (new nonce, IV bytes).
    assertThat(wecom.post(url, first).body()).isEqualTo("success");
    HttpResponse<String> resealed = wecom.post(url, msg);
    assertThat(resealed.statusCode()).isEqualTo(200);
    assertThat(resealed.body()).isEqualTo("success");
    assertThat(store.stored).hasSize(1);
    assertThat(metrics.get("upbot_wecom_callbacks_total{answer=\"duplicate\"}")).isEqualTo(2);
  }

  @Test
  void shouldStoreTwoDifferentChangesOfOneGroup() {
    long t = now();
    wecom.post(url, join("chat-1", t, "wm-1"));
    wecom.post(url, join("chat-1", t, "wm-2"));
    wecom.post(url, join("chat-1", t + 1, "wm-1"));
    assertThat(store.stored).hasSize(3);
  }

  @Test
  void shouldRefuseAWrongSignatureAndWriteNothing() {
    Sealed s = wecom.seal(join("chat-1", now(), "wm-1"));
    HttpResponse<String> r = wecom.post(url, s.withSignature("f".repeat(40)));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).isEqualTo("invalid signature");
    assertThat(store.stored).isEmpty();
  }

  @Test
  void shouldRefuseAMessageForAnotherCorpAndWriteNothing() {
    Sealed s = wecom.seal(join("chat-1", now(), "wm-1"), now(), "ww-other-corp");
    HttpResponse<String> r = wecom.post(url, s);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).isEqualTo("wrong receiveid");
    assertThat(store.stored).isEmpty();
  }

  @Test
  void shouldRefuseAReplayedCallbackWithAStaleTimestampAndWriteNothing() {
    long old = now() - Duration.ofMinutes(6).toSeconds();
    Sealed s = wecom.seal(join("chat-1", old, "wm-1"), old, CORP);
    HttpResponse<String> r = wecom.post(url, s);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).isEqualTo("stale timestamp");
    long future = now() + Duration.ofMinutes(6).toSeconds();
    assertThat(wecom.post(url, wecom.seal(join("chat-1", old, "wm-1"), future, CORP)).statusCode())
        .isEqualTo(403);
    assertThat(store.stored).isEmpty();
    assertThat(metrics.get("upbot_wecom_callbacks_total{answer=\"stale\"}")).isEqualTo(2);
  }

  @Test
  void shouldAnswer503WhenTheOutboxFailsAndStoreTheResend() {
    store.failNext.set(1);
    String msg = join("chat-1", now(), "wm-1");
    HttpResponse<String> r = wecom.post(url, msg);
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(store.stored).isEmpty();
    // WeCom resends; the failed first copy must not make the resend look like a duplicate.
    assertThat(wecom.post(url, msg).body()).isEqualTo("success");
    assertThat(store.stored).hasSize(1);
  }

  @Test
  void shouldAcknowledgeOtherEventsWithoutStoringThem() {
    String other =
        "<xml><ToUserName><![CDATA["
            + CORP
            + "]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>"
            + now()
            + "</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_chat]]>"
            + "</Event><ChatId><![CDATA[chat-1]]></ChatId><ChangeType><![CDATA[update]]></ChangeType>"
            + "<UpdateDetail><![CDATA[del_member]]></UpdateDetail><QuitScene>0</QuitScene></xml>";
    HttpResponse<String> r = wecom.post(url, other);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("success");
    assertThat(store.stored).isEmpty();
    assertThat(metrics.get("upbot_wecom_callbacks_total{answer=\"ignored\"}")).isEqualTo(1);
  }

  @Test
  void shouldAnswer400ToMalformedRequestsAndWriteNothing() {
    Sealed s = wecom.seal(join("chat-1", now(), "wm-1"));
    assertThat(wecom.postRaw(url, s, "not xml").statusCode()).isEqualTo(400);
    assertThat(wecom.postRaw(url, s, "<xml><ToUserName>x</ToUserName></xml>").body())
        .isEqualTo("bad request: body has no Encrypt");
    String doctype =
        "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
            + "<xml><Encrypt>&e;</Encrypt></xml>";
    assertThat(wecom.postRaw(url, s, doctype).statusCode()).isEqualTo(400);
    // A message that is not XML inside good crypto.
    assertThat(wecom.post(url, "plain text").body()).isEqualTo("bad request: message not XML");
    assertThat(store.stored).isEmpty();
  }

  @Test
  void shouldAnswer400WhenAQueryParameterIsMissing() throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url + "?timestamp=1&nonce=2")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("bad request: msg_signature must be given once");
  }

  @Test
  void shouldAnswer405ToOtherMethods() throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url))
                    .PUT(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("GET, POST");
  }

  @Test
  void shouldAnswer413ToABodyLargerThanACallbackCanBe() {
    Sealed s = wecom.seal(join("chat-1", now(), "wm-1"));
    HttpResponse<String> r =
        wecom.postRaw(url, s, "<xml>" + "x".repeat(CallbackHandler.MAX_BODY_BYTES) + "</xml>");
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(store.stored).isEmpty();
  }
}
