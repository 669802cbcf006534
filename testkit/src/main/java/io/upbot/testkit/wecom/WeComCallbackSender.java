package io.upbot.testkit.wecom;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sends callbacks to a receiver the way WeCom does: the message encrypted and signed with the app's
 * Token and EncodingAESKey, posted as {@code <xml><ToUserName/><Encrypt/><AgentID/></xml>} with
 * {@code msg_signature}, {@code timestamp} and {@code nonce} in the query; and the GET of the URL
 * verification. Its crypto is written here, apart from the receiver's, as WeCom's is.
 */
public final class WeComCallbackSender {

  /** One signed request, kept so that a test can send exactly the same one again (a resend). */
  public record Sealed(String timestamp, String nonce, String encrypt, String msgSignature) {

    /** The same request with another signature (a forgery). */
    public Sealed withSignature(String signature) {
      return new Sealed(timestamp, nonce, encrypt, signature);
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String token;
  private final byte[] key;
  private final String corpId;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public WeComCallbackSender(String token, String encodingAesKey, String corpId) {
    this.token = token;
    this.key = Base64.getDecoder().decode(encodingAesKey + "=");
    this.corpId = corpId;
  }

  /** A random EncodingAESKey: 43 characters of a-z, A-Z, 0-9, as WeCom's console makes them. */
  public static String randomEncodingAesKey() {
    String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    StringBuilder b = new StringBuilder(43);
    for (int i = 0; i < 43; i++) {
      b.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  /**
   * The plaintext of a {@code change_external_chat} / {@code update} / {@code add_member} event, as
   * WeCom's "客户群变更事件" documents it.
   */
  public static String addMemberEvent(
      String corpId, String chatId, long createTime, int joinScene, List<String> userids) {
    StringBuilder items = new StringBuilder();
    for (String u : userids) {
      items.append("<Item><![CDATA[").append(u).append("]]></Item>");
    }
    return "<xml><ToUserName><![CDATA["
        + corpId
        + "]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>"
        + createTime
        + "</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        + "<Event><![CDATA[change_external_chat]]></Event><ChatId><![CDATA["
        + chatId
        + "]]></ChatId><ChangeType><![CDATA[update]]></ChangeType>"
        + "<UpdateDetail><![CDATA[add_member]]></UpdateDetail><JoinScene>"
        + joinScene
        + "</JoinScene><MemChangeCnt>"
        + userids.size()
        + "</MemChangeCnt><MemChangeList>"
        + items
        + "</MemChangeList><LastMemVer><![CDATA[v0]]></LastMemVer>"
        + "<CurMemVer><![CDATA[v"
        + createTime
        + "]]></CurMemVer></xml>";
  }

  /** Seals {@code msg} for this corp, stamped now. */
  public Sealed seal(String msg) {
    return seal(msg, Instant.now().getEpochSecond(), corpId);
  }

  /** Seals {@code msg} with a chosen timestamp (seconds) and receiveid. */
  public Sealed seal(String msg, long timestamp, String receiveId) {
    String ts = Long.toString(timestamp);
    String nonce = Long.toString(RANDOM.nextLong() & Long.MAX_VALUE);
    String encrypt = encrypt(msg, receiveId);
    return new Sealed(ts, nonce, encrypt, sign(ts, nonce, encrypt));
  }

  /** POSTs a sealed callback to {@code url}; returns the answer. */
  public HttpResponse<String> post(String url, Sealed s) {
    String body =
        "<xml><ToUserName><![CDATA["
            + corpId
            + "]]></ToUserName><Encrypt><![CDATA["
            + s.encrypt()
            + "]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>";
    return send(
        HttpRequest.newBuilder(URI.create(url + query(s, null)))
            .header("Content-Type", "text/xml")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
  }

  /** POSTs a raw body (for malformed-request tests). */
  public HttpResponse<String> postRaw(String url, Sealed s, String body) {
    return send(
        HttpRequest.newBuilder(URI.create(url + query(s, null)))
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
  }

  /** Seals and POSTs {@code msg} now. */
  public HttpResponse<String> post(String url, String msg) {
    return post(url, seal(msg));
  }

  /** The URL verification GET with {@code echo} encrypted as echostr. */
  public HttpResponse<String> verifyUrl(String url, String echo) {
    return verifyUrl(url, seal(echo));
  }

  /** The URL verification GET with an already sealed echostr. */
  public HttpResponse<String> verifyUrl(String url, Sealed s) {
    return send(HttpRequest.newBuilder(URI.create(url + query(s, s.encrypt()))).GET());
  }

  private static String query(Sealed s, String echostr) {
    StringBuilder q =
        new StringBuilder("?msg_signature=")
            .append(enc(s.msgSignature()))
            .append("&timestamp=")
            .append(enc(s.timestamp()))
            .append("&nonce=")
            .append(enc(s.nonce()));
    if (echostr != null) {
      q.append("&echostr=").append(enc(echostr));
    }
    return q.toString();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private HttpResponse<String> send(HttpRequest.Builder b) {
    try {
      return http.send(
          b.timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private String sign(String timestamp, String nonce, String encrypt) {
    String[] parts = {token, timestamp, nonce, encrypt};
    Arrays.sort(parts);
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-1");
      return HexFormat.of()
          .formatHex(d.digest(String.join("", parts).getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private String encrypt(String msg, String receiveId) {
    byte[] random = new byte[16];
    RANDOM.nextBytes(random);
    byte[] m = msg.getBytes(StandardCharsets.UTF_8);
    byte[] r = receiveId.getBytes(StandardCharsets.UTF_8);
    int n = 16 + 4 + m.length + r.length;
    int pad = 32 - n % 32;
    ByteBuffer b = ByteBuffer.allocate(n + pad).put(random).putInt(m.length).put(m).put(r);
    while (b.hasRemaining()) {
      b.put((byte) pad);
    }
    try {
      Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
      c.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(key, "AES"),
          new IvParameterSpec(Arrays.copyOf(key, 16)));
      return Base64.getEncoder().encodeToString(c.doFinal(b.array()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
