package io.upbot.wecom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WeCom's server API, the two calls the receiver needs: {@code cgi-bin/gettoken} and {@code
 * cgi-bin/externalcontact/groupchat/get} (with {@code need_name}). The access token is cached until
 * shortly before its {@code expires_in} and renewed at once when WeCom answers 40014 (invalid) or
 * 42001 (expired). Network errors, timeouts, HTTP 5xx and {@code errcode} -1 (busy) or 45009 (too
 * frequent) are retried with exponential backoff; other errcodes are final. Thread-safe.
 */
public final class WeComApi {

  /** How the client reaches WeCom and how hard it tries. */
  public record Settings(
      URI baseUrl,
      String corpId,
      String secret,
      Duration timeout,
      int maxAttempts,
      Duration initialBackoff,
      Duration maxBackoff) {}

  /** One member of a customer group as groupchat/get lists it; unionid and state may be null. */
  public record Member(
      String userid, int type, String unionid, String state, long joinTime, int joinScene) {}

  /** A customer group and its members. */
  public record GroupChat(String chatId, List<Member> members) {
    public GroupChat {
      members = List.copyOf(members);
    }
  }

  /** A call that failed after every attempt; {@link #errcode()} is WeCom's, or -2 for transport. */
  public static final class ApiException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The errcode for failures where WeCom gave none (timeouts, HTTP errors, bad JSON). */
    public static final int TRANSPORT = -2;

    private final int errcode;

    public ApiException(int errcode, String message) {
      super(message);
      this.errcode = errcode;
    }

    public int errcode() {
      return errcode;
    }
  }

  /** Waits between attempts; a test records the waits instead. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  /** WeCom's errcodes for an invalid and an expired access token. */
  static final Set<Integer> TOKEN_ERRORS = Set.of(40014, 42001);

  /** Errcodes worth another try: system busy, and too frequent. */
  static final Set<Integer> TRANSIENT_ERRORS = Set.of(-1, 45009);

  private static final Logger LOG = LoggerFactory.getLogger(WeComApi.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Renew this long before WeCom's expiry, so a token is never used in its last moments. */
  private static final Duration EXPIRY_MARGIN = Duration.ofMinutes(5);

  private final Settings settings;
  private final HttpClient http;
  private final Sleeper sleeper;
  private final Clock clock;
  private final WeComMetrics metrics;
  private String token;
  private long tokenValidUntil;

  public WeComApi(Settings settings, WeComMetrics metrics) {
    this(
        settings,
        HttpClient.newBuilder().connectTimeout(settings.timeout()).build(),
        d -> Thread.sleep(d.toMillis()),
        Clock.systemUTC(),
        metrics);
  }

  public WeComApi(
      Settings settings, HttpClient http, Sleeper sleeper, Clock clock, WeComMetrics metrics) {
    this.settings = settings;
    this.http = http;
    this.sleeper = sleeper;
    this.clock = clock;
    this.metrics = metrics;
  }

  /** A customer group with its members' names, join times, scenes, unionids and states. */
  public GroupChat groupChat(String chatId) throws ApiException, InterruptedException {
    String body = JSON.createObjectNode().put("chat_id", chatId).put("need_name", 1).toString();
    JsonNode answer = call("externalcontact/groupchat/get", body);
    JsonNode g = answer.path("group_chat");
    List<Member> members = new ArrayList<>();
    for (JsonNode m : g.path("member_list")) {
      members.add(
          new Member(
              m.path("userid").asText(""),
              m.path("type").asInt(0),
              text(m, "unionid"),
              text(m, "state"),
              m.path("join_time").asLong(0),
              m.path("join_scene").asInt(0)));
    }
    return new GroupChat(g.path("chat_id").asText(chatId), members);
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || !v.isTextual() || v.textValue().isEmpty() ? null : v.textValue();
  }

  /** A POST to {@code cgi-bin/<path>} with the token, retried as the class comment says. */
  private JsonNode call(String path, String body) throws ApiException, InterruptedException {
    ApiException last = null;
    boolean renewed = false;
    for (int attempt = 1; attempt <= settings.maxAttempts(); attempt++) {
      if (attempt > 1) {
        sleeper.sleep(backoff(attempt - 1));
      }
      JsonNode answer;
      try {
        String t = token(false);
        answer =
            send(
                HttpRequest.newBuilder(uri(path + "?access_token=" + enc(t)))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
      } catch (ApiException e) {
        if (!retryable(e.errcode())) {
          throw e;
        }
        last = e;
        continue;
      }
      int errcode = answer.path("errcode").asInt(0);
      if (errcode == 0) {
        metrics.apiCall(path, "ok");
        return answer;
      }
      String msg = path + ": errcode " + errcode + " " + answer.path("errmsg").asText("");
      if (TOKEN_ERRORS.contains(errcode) && !renewed) {
        // The cached token was revoked or expired early: renew once and try again at once.
        metrics.apiCall(path, "token_renewed");
        LOG.info("{}; renewing the access token", msg);
        renewed = true;
        token(true);
        attempt--;
        continue;
      }
      metrics.apiCall(path, "errcode_" + errcode);
      last = new ApiException(errcode, msg);
      if (!retryable(errcode)) {
        throw last;
      }
    }
    throw last;
  }

  private static boolean retryable(int errcode) {
    return errcode == ApiException.TRANSPORT || TRANSIENT_ERRORS.contains(errcode);
  }

  /** Exponential: initial, 2×, 4×, … capped, with jitter in [d/2, d] so retries do not align. */
  Duration backoff(int retry) {
    long base = settings.initialBackoff().toMillis();
    long cap = settings.maxBackoff().toMillis();
    long d = Math.min(cap, base << Math.min(retry - 1, 30));
    long half = d / 2;
    return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(d - half + 1));
  }

  private synchronized String token(boolean renew) throws ApiException, InterruptedException {
    if (!renew && token != null && clock.millis() < tokenValidUntil) {
      return token;
    }
    JsonNode a =
        send(
            HttpRequest.newBuilder(
                    uri(
                        "gettoken?corpid="
                            + enc(settings.corpId())
                            + "&corpsecret="
                            + enc(settings.secret())))
                .GET());
    int errcode = a.path("errcode").asInt(0);
    String t = a.path("access_token").asText("");
    if (errcode != 0 || t.isEmpty()) {
      metrics.apiCall("gettoken", "errcode_" + errcode);
      // Never log the secret; errmsg is WeCom's and holds none.
      throw new ApiException(
          errcode, "gettoken: errcode " + errcode + " " + a.path("errmsg").asText(""));
    }
    metrics.apiCall("gettoken", "ok");
    long ttl = Math.max(1, a.path("expires_in").asLong(7200)) * 1000;
    // Keep the margin, but never more than half the lifetime (a short-lived token is still used).
    long margin = Math.min(EXPIRY_MARGIN.toMillis(), ttl / 2);
    token = t;
    tokenValidUntil = clock.millis() + ttl - margin;
    return t;
  }

  private URI uri(String pathAndQuery) {
    String base = settings.baseUrl().toString();
    return URI.create(
        (base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
            + "/cgi-bin/"
            + pathAndQuery);
  }

  private JsonNode send(HttpRequest.Builder b) throws ApiException, InterruptedException {
    HttpResponse<byte[]> r;
    try {
      r = http.send(b.timeout(settings.timeout()).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      // HttpTimeoutException is an IOException: a timeout is a transport failure too.
      metrics.apiCall("http", "transport_error");
      throw new ApiException(ApiException.TRANSPORT, "cannot reach WeCom: " + e);
    }
    if (r.statusCode() != 200) {
      metrics.apiCall("http", "status_" + r.statusCode());
      throw new ApiException(ApiException.TRANSPORT, "WeCom answered HTTP " + r.statusCode());
    }
    try {
      JsonNode n = JSON.readTree(r.body());
      if (n == null || !n.isObject()) {
        throw new IOException("not a JSON object");
      }
      return n;
    } catch (IOException e) {
      metrics.apiCall("http", "bad_json");
      throw new ApiException(ApiException.TRANSPORT, "WeCom's answer is not JSON");
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
