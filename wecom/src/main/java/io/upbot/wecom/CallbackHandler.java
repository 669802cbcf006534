package io.upbot.wecom;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.upbot.wecom.WeComCrypto.CryptoException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WeCom's callback URL (docs/wecom.md#answers). GET is the URL verification: it answers the
 * decrypted {@code echostr}. POST is an event: a {@code change_external_chat} / {@code update} /
 * {@code add_member} change is stored in the outbox and answered {@code success} only once stored;
 * a resend of a stored change is answered {@code success} and not stored again; other events are
 * answered {@code success} and ignored. A bad signature, another corp's message or a stale
 * timestamp are refused and write nothing. The API lookup is the resolver's, later, so the answer
 * comes well within WeCom's 5 s.
 */
final class CallbackHandler implements HttpHandler {

  private static final Logger LOG = LoggerFactory.getLogger(CallbackHandler.class);

  /** WeCom's callbacks are small; anything larger is not one. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  private final WeComCrypto crypto;
  private final String corpId;
  private final CallbackStore store;
  private final Deduplicator dedup;
  private final WeComMetrics metrics;
  private final Duration maxAge;
  private final Duration storeTimeout;
  private final LongSupplier clock;

  CallbackHandler(
      WeComCrypto crypto,
      String corpId,
      CallbackStore store,
      Deduplicator dedup,
      WeComMetrics metrics,
      Duration maxAge,
      Duration storeTimeout,
      LongSupplier clock) {
    this.crypto = crypto;
    this.corpId = corpId;
    this.store = store;
    this.dedup = dedup;
    this.metrics = metrics;
    this.maxAge = maxAge;
    this.storeTimeout = storeTimeout;
    this.clock = clock;
  }

  /** A refusal: the HTTP status, the body, and the answer's name for metrics and logs. */
  private static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final String name;

    Refusal(int status, String name, String body) {
      super(body, null, false, false);
      this.status = status;
      this.name = name;
    }
  }

  @Override
  public void handleRequest(HttpServerExchange ex) throws Exception {
    if (ex.isInIoThread()) {
      // Decrypting and waiting for Kafka block: off the I/O thread.
      ex.dispatch(this);
      return;
    }
    ex.startBlocking();
    try {
      if (Methods.GET.equals(ex.getRequestMethod())) {
        String echo = verifyUrl(ex);
        answer(ex, 200, "url_verified", echo);
      } else if (Methods.POST.equals(ex.getRequestMethod())) {
        String name = event(ex);
        answer(ex, 200, name, "success");
      } else {
        ex.getResponseHeaders().put(Headers.ALLOW, "GET, POST");
        answer(ex, 405, "method_not_allowed", "method not allowed");
      }
    } catch (Refusal r) {
      LOG.debug("Refused a callback ({}): {}", r.name, r.getMessage());
      answer(ex, r.status, r.name, r.getMessage());
    }
  }

  private String verifyUrl(HttpServerExchange ex) throws Refusal {
    String signature = param(ex, "msg_signature");
    String timestamp = param(ex, "timestamp");
    String nonce = param(ex, "nonce");
    // Base64 has no spaces: a '+' that reached us unencoded was decoded to one.
    String echostr = param(ex, "echostr").replace(' ', '+');
    String echo = decrypt(signature, timestamp, nonce, echostr);
    checkFresh(timestamp);
    return echo;
  }

  private String event(HttpServerExchange ex) throws Refusal, IOException {
    String signature = param(ex, "msg_signature");
    String timestamp = param(ex, "timestamp");
    String nonce = param(ex, "nonce");
    byte[] body = readBody(ex);
    CallbackXml outer;
    try {
      outer = CallbackXml.parse(body);
    } catch (CallbackXml.XmlException e) {
      throw new Refusal(400, "bad_request", "bad request: body " + e.getMessage());
    }
    String encrypt = outer.get("Encrypt");
    if (encrypt == null) {
      throw new Refusal(400, "bad_request", "bad request: body has no Encrypt");
    }
    String plain = decrypt(signature, timestamp, nonce, encrypt);
    checkFresh(timestamp);
    CallbackXml msg;
    try {
      msg = CallbackXml.parse(plain.getBytes(StandardCharsets.UTF_8));
    } catch (CallbackXml.XmlException e) {
      throw new Refusal(400, "bad_request", "bad request: message " + e.getMessage());
    }
    if (!"change_external_chat".equals(msg.get("Event"))
        || !"update".equals(msg.get("ChangeType"))
        || !"add_member".equals(msg.get("UpdateDetail"))) {
      // WeCom sends every event of the app here; only joins matter, the rest is acknowledged.
      return "ignored";
    }
    PendingCallback pending = pending(msg);
    try {
      Deduplicator.Outcome o =
          dedup.storeOnce(pending.key(), () -> store.store(pending), storeTimeout);
      return o == Deduplicator.Outcome.STORED ? "stored" : "duplicate";
    } catch (CallbackStore.StoreException e) {
      LOG.warn("Could not store a callback for chat {}: {}", pending.chatId(), e.getMessage());
      throw new Refusal(503, "unavailable", "unavailable: try again");
    }
  }

  private PendingCallback pending(CallbackXml msg) throws Refusal {
    try {
      String chatId = msg.get("ChatId");
      Long createTime = msg.number("CreateTime");
      if (chatId == null || createTime == null) {
        throw new Refusal(400, "bad_request", "bad request: ChatId or CreateTime missing");
      }
      Long scene = msg.number("JoinScene");
      Long count = msg.number("MemChangeCnt");
      Integer joinScene = scene == null ? null : scene.intValue();
      Integer memChangeCnt = count == null ? null : count.intValue();
      List<String> userids = msg.items();
      String curMemVer = msg.get("CurMemVer");
      String key =
          PendingCallback.dedupKey(
              corpId,
              chatId,
              "add_member",
              joinScene,
              memChangeCnt,
              createTime,
              curMemVer,
              userids);
      return new PendingCallback(
          key,
          corpId,
          chatId,
          createTime,
          joinScene,
          memChangeCnt,
          userids,
          curMemVer,
          clock.getAsLong());
    } catch (CallbackXml.XmlException e) {
      throw new Refusal(400, "bad_request", "bad request: message " + e.getMessage());
    }
  }

  private String decrypt(String signature, String timestamp, String nonce, String encrypted)
      throws Refusal {
    try {
      return crypto.decryptSigned(signature, timestamp, nonce, encrypted);
    } catch (CryptoException e) {
      switch (e.failure()) {
        case BAD_SIGNATURE -> throw new Refusal(401, "bad_signature", "invalid signature");
        case WRONG_RECEIVEID -> throw new Refusal(403, "wrong_receiveid", "wrong receiveid");
        default -> throw new Refusal(400, "bad_request", "bad request: " + e.getMessage());
      }
    }
  }

  /** A signed timestamp further than maxAge from now is a replay (or a clock far off). */
  private void checkFresh(String timestamp) throws Refusal {
    long t;
    try {
      t = Long.parseLong(timestamp);
    } catch (NumberFormatException e) {
      throw new Refusal(400, "bad_request", "bad request: timestamp is not a number");
    }
    long ageMs = Math.abs(clock.getAsLong() - t * 1000);
    if (ageMs > maxAge.toMillis()) {
      throw new Refusal(403, "stale", "stale timestamp");
    }
  }

  private static String param(HttpServerExchange ex, String name) throws Refusal {
    Deque<String> values = ex.getQueryParameters().get(name);
    if (values == null || values.size() != 1 || values.peekFirst().isEmpty()) {
      throw new Refusal(400, "bad_request", "bad request: " + name + " must be given once");
    }
    return values.peekFirst();
  }

  private static byte[] readBody(HttpServerExchange ex) throws Refusal, IOException {
    if (ex.getRequestContentLength() > MAX_BODY_BYTES) {
      throw new Refusal(413, "too_large", "body too large");
    }
    InputStream in = ex.getInputStream();
    byte[] b = in.readNBytes(MAX_BODY_BYTES + 1);
    if (b.length > MAX_BODY_BYTES) {
      throw new Refusal(413, "too_large", "body too large");
    }
    return b;
  }

  private void answer(HttpServerExchange ex, int status, String name, String body) {
    metrics.callback(name);
    ex.setStatusCode(status);
    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
    ex.getResponseSender().send(body, StandardCharsets.UTF_8);
  }
}
