package io.upbot.local;

import io.upbot.testkit.wecom.MockWeCom;
import io.upbot.testkit.wecom.MockWeCom.Member;
import io.upbot.testkit.wecom.WeComCallbackSender;
import io.upbot.wecom.WeComConfig;
import io.upbot.wecom.WeComReceiver;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * WeCom on one machine, for {@code ./upbot local --wecom-demo} and the tests: the real WeCom
 * receiver (docs/wecom.md) on a free loopback port, writing to the stack's broker, with WeCom
 * itself played by the testkit's {@link MockWeCom} (its API) and {@link WeComCallbackSender} (its
 * encrypted callbacks). Each code has its own group, whose join way's state is the code (the
 * receiver's default, no state map).
 */
public final class LocalWeCom implements AutoCloseable {

  /** The corp ID: the receiveid every callback is encrypted for. */
  public static final String CORP_ID = "ww-upbot-local";

  /** The receiver's outbox topic (its default). */
  public static final String CALLBACKS_TOPIC = "upbot.wecom-callbacks";

  /** Where callbacks that can never be resolved go (the receiver's default). */
  public static final String DEAD_LETTER_TOPIC = "upbot.wecom-callbacks.dead";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final MockWeCom api;
  private final WeComReceiver receiver;
  private final WeComCallbackSender sender;

  private LocalWeCom(MockWeCom api, WeComReceiver receiver, WeComCallbackSender sender) {
    this.api = api;
    this.receiver = receiver;
    this.sender = sender;
  }

  /**
   * Starts the mock WeCom and the receiver, whose join records go to {@code eventsTopic} under
   * {@code appid}. The outbox and dead-letter topics must exist. The Token, EncodingAESKey and
   * Secret are new random ones each start: nothing outside this process needs them.
   */
  public static LocalWeCom start(String bootstrap, String eventsTopic, String appid)
      throws WeComConfig.ConfigException {
    String token = HexFormat.of().formatHex(randomBytes(16));
    String aesKey = WeComCallbackSender.randomEncodingAesKey();
    String secret = HexFormat.of().formatHex(randomBytes(16));
    MockWeCom api = MockWeCom.start(CORP_ID, secret);
    try {
      WeComConfig c =
          WeComConfig.parse(
              new String[] {
                "--host", "127.0.0.1",
                "--port", "0",
                "--wecom-token", token,
                "--wecom-aes-key", aesKey,
                "--wecom-corp-id", CORP_ID,
                "--wecom-secret", secret,
                "--wecom-api-url", api.url(),
                "--wecom-appid", appid,
                "--kafka-bootstrap", bootstrap,
                "--topic", eventsTopic,
                "--callbacks-topic", CALLBACKS_TOPIC,
                "--dead-letter-topic", DEAD_LETTER_TOPIC
              },
              // The receiver's UPBOT_* variables belong to a real deployment, not to this one.
              Map.of());
      return new LocalWeCom(
          api, WeComReceiver.start(c), new WeComCallbackSender(token, aesKey, CORP_ID));
    } catch (RuntimeException | WeComConfig.ConfigException e) {
      api.close();
      throw e;
    }
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  /** The group of a code's join way. */
  public static String chatOf(String code) {
    return "chat-" + code;
  }

  /** The WeComCallbackSender's {@code change_external_chat} add_member message, for this corp. */
  public static String addMemberEvent(String chatId, long createTimeSeconds, String userid) {
    return WeComCallbackSender.addMemberEvent(
        CORP_ID, chatId, createTimeSeconds, 3, List.of(userid));
  }

  /**
   * A member joins {@code code}'s group through its join way: from now on groupchat/get lists the
   * member. Returns WeCom's callback message for the join, stamped now, for {@link #post}.
   */
  public String addMember(String code, String userid, String unionid, long joinTimeSeconds) {
    String chat = chatOf(code);
    api.addMember(chat, Member.external(userid, unionid, code, joinTimeSeconds));
    return addMemberEvent(chat, Instant.now().getEpochSecond(), userid);
  }

  /**
   * Posts a callback carrying {@code msg}, sealed afresh (as WeCom does for each resend); returns
   * the receiver's answer body.
   */
  public String post(String msg) {
    return sender.post(callbackUrl(), msg).body();
  }

  /** The callback URL WeCom would be given. */
  public String callbackUrl() {
    return "http://127.0.0.1:" + receiver.port() + "/upbot/wecom/callback";
  }

  /** The stand-in for WeCom's API. */
  public MockWeCom api() {
    return api;
  }

  /** WeCom's side of the callback crypto, with this receiver's Token and EncodingAESKey. */
  public WeComCallbackSender sender() {
    return sender;
  }

  public WeComReceiver receiver() {
    return receiver;
  }

  @Override
  public void close() {
    receiver.close();
    api.close();
  }
}
