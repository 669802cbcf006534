package io.upbot.testkit.wecom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for WeCom's server API on a free loopback port: {@code cgi-bin/gettoken} and {@code
 * cgi-bin/externalcontact/groupchat/get}, as WeCom documents them (JSON with {@code errcode} and
 * {@code errmsg}; 40014 for an unknown token, 42001 for an expired one), over groups whose members
 * the test sets. Tokens expire after {@link #tokenTtl(Duration)}; faults can be queued: an expired
 * token once, HTTP 500, {@code errcode -1} (busy) or an answer slower than the client waits.
 */
public final class MockWeCom implements AutoCloseable {

  /**
   * One member of a group, as groupchat/get lists it; {@code unionid}/{@code state} may be null.
   */
  public record Member(
      String userid, int type, String unionid, String state, long joinTime, int joinScene) {

    /** An external WeChat user (type 2) who joined by scanning the group QR code (scene 3). */
    public static Member external(String userid, String unionid, String state, long joinTime) {
      return new Member(userid, 2, unionid, state, joinTime, 3);
    }
  }

  /** A fault the next API call (gettoken or groupchat/get) meets instead of its answer. */
  public enum Fault {
    /** groupchat/get answers 42001 as if the token had expired (gettoken is not affected). */
    EXPIRED_TOKEN,
    /** HTTP 500 with an HTML body. */
    HTTP_500,
    /** {@code {"errcode":-1,"errmsg":"system busy"}}. */
    BUSY,
    /** The answer comes only after {@link #slowDelay(Duration)} (longer than the client waits). */
    SLOW
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String corpId;
  private final String secret;
  private final HttpServer server;
  private final ExecutorService executor;
  private final Clock clock;
  private final Map<String, Long> tokens = new HashMap<>(); // token -> expiry (epoch ms)
  private final Map<String, List<Member>> groups = new LinkedHashMap<>();
  private final Deque<Fault> faults = new ArrayDeque<>();
  private final AtomicInteger gettokenCalls = new AtomicInteger();
  private final AtomicInteger groupchatGetCalls = new AtomicInteger();
  private final AtomicInteger tokenCounter = new AtomicInteger();
  private volatile Duration tokenTtl = Duration.ofHours(2);
  private volatile Duration slowDelay = Duration.ofSeconds(3);

  private MockWeCom(String corpId, String secret, Clock clock) throws IOException {
    this.corpId = corpId;
    this.secret = secret;
    this.clock = clock;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    this.executor = Executors.newCachedThreadPool();
    server.setExecutor(executor);
    server.createContext("/cgi-bin/gettoken", this::gettoken);
    server.createContext("/cgi-bin/externalcontact/groupchat/get", this::groupchatGet);
    server.start();
  }

  /** Starts a mock for one corp and its app secret, on a free loopback port. */
  public static MockWeCom start(String corpId, String secret) {
    return start(corpId, secret, Clock.systemUTC());
  }

  /** Starts a mock whose tokens expire by {@code clock}. */
  public static MockWeCom start(String corpId, String secret, Clock clock) {
    try {
      return new MockWeCom(corpId, secret, clock);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The base URL, e.g. {@code http://127.0.0.1:43121}; the API paths are below it. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** How long new tokens live ({@code expires_in}); 2 h by default as in WeCom. */
  public MockWeCom tokenTtl(Duration ttl) {
    this.tokenTtl = ttl;
    return this;
  }

  /** How long a {@link Fault#SLOW} answer takes. */
  public MockWeCom slowDelay(Duration delay) {
    this.slowDelay = delay;
    return this;
  }

  /** Queues faults for the next calls, one call each, in order. */
  public synchronized MockWeCom fail(Fault... next) {
    faults.addAll(List.of(next));
    return this;
  }

  /** Makes every token issued so far expired (the next API call with one answers 42001). */
  public synchronized void expireAllTokens() {
    tokens.replaceAll((t, exp) -> 0L);
  }

  /** Forgets every token issued so far (the next API call with one answers 40014). */
  public synchronized void forgetAllTokens() {
    tokens.clear();
  }

  /** Adds a member to a group (creating the group). */
  public synchronized MockWeCom addMember(String chatId, Member m) {
    groups.computeIfAbsent(chatId, k -> new ArrayList<>()).add(m);
    return this;
  }

  /** Creates an empty group. */
  public synchronized MockWeCom addGroup(String chatId) {
    groups.computeIfAbsent(chatId, k -> new ArrayList<>());
    return this;
  }

  public int gettokenCalls() {
    return gettokenCalls.get();
  }

  public int groupchatGetCalls() {
    return groupchatGetCalls.get();
  }

  /** Drops every queued fault: WeCom is healthy again. */
  public synchronized void clearFaults() {
    faults.clear();
  }

  /** Faults still queued. */
  public synchronized int pendingFaults() {
    return faults.size();
  }

  private synchronized Fault nextFault() {
    return faults.pollFirst();
  }

  private synchronized void pushBack(Fault f) {
    faults.addFirst(f);
  }

  private void gettoken(HttpExchange ex) throws IOException {
    gettokenCalls.incrementAndGet();
    try (ex) {
      Fault f = nextFault();
      if (f == Fault.EXPIRED_TOKEN) {
        pushBack(f); // meant for groupchat/get
        f = null;
      }
      if (applyFault(ex, f)) {
        return;
      }
      Map<String, String> q = query(ex);
      if (!corpId.equals(q.get("corpid"))) {
        answer(ex, error(40013, "invalid corpid"));
        return;
      }
      if (!secret.equals(q.get("corpsecret"))) {
        answer(ex, error(40001, "invalid credential"));
        return;
      }
      String token = "mock-token-" + tokenCounter.incrementAndGet();
      synchronized (this) {
        tokens.put(token, clock.millis() + tokenTtl.toMillis());
      }
      ObjectNode o = error(0, "ok");
      o.put("access_token", token);
      o.put("expires_in", tokenTtl.toSeconds());
      answer(ex, o);
    }
  }

  private void groupchatGet(HttpExchange ex) throws IOException {
    groupchatGetCalls.incrementAndGet();
    try (ex) {
      Fault f = nextFault();
      if (f == Fault.EXPIRED_TOKEN) {
        answer(ex, error(42001, "access_token expired"));
        return;
      }
      if (applyFault(ex, f)) {
        return;
      }
      if (!"POST".equals(ex.getRequestMethod())) {
        answer(ex, error(43002, "require POST method"));
        return;
      }
      String token = query(ex).get("access_token");
      Long expiry;
      synchronized (this) {
        expiry = token == null ? null : tokens.get(token);
      }
      if (expiry == null) {
        answer(ex, error(40014, "invalid access_token"));
        return;
      }
      if (clock.millis() >= expiry) {
        answer(ex, error(42001, "access_token expired"));
        return;
      }
      JsonNode body;
      try {
        body = JSON.readTree(ex.getRequestBody());
      } catch (IOException e) {
        answer(ex, error(47001, "data format error"));
        return;
      }
      String chatId = body == null ? null : body.path("chat_id").textValue();
      List<Member> members;
      synchronized (this) {
        members = chatId == null ? null : groups.get(chatId);
        members = members == null ? null : List.copyOf(members);
      }
      if (members == null) {
        answer(ex, error(40050, "chatid not found"));
        return;
      }
      boolean needName = body.path("need_name").asInt(0) == 1;
      ObjectNode o = error(0, "ok");
      ObjectNode g = o.putObject("group_chat");
      g.put("chat_id", chatId);
      g.put("name", "group " + chatId);
      g.put("owner", "owner-1");
      g.put("create_time", 1572505490L);
      ArrayNode list = g.putArray("member_list");
      for (Member m : members) {
        ObjectNode n = list.addObject();
        n.put("userid", m.userid());
        n.put("type", m.type());
        if (m.unionid() != null) {
          n.put("unionid", m.unionid());
        }
        n.put("join_time", m.joinTime());
        n.put("join_scene", m.joinScene());
        if (m.state() != null) {
          n.put("state", m.state());
        }
        n.put("group_nickname", "");
        if (needName) {
          n.put("name", "name of " + m.userid());
        }
      }
      g.putArray("admin_list");
      g.put("member_version", Integer.toHexString(members.hashCode()));
      answer(ex, o);
    }
  }

  /** Answers with the fault, if any; true when it did. */
  private boolean applyFault(HttpExchange ex, Fault f) throws IOException {
    if (f == null) {
      return false;
    }
    switch (f) {
      case HTTP_500 -> {
        byte[] b = "<html>502 Bad Gateway</html>".getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(500, b.length);
        ex.getResponseBody().write(b);
        return true;
      }
      case BUSY -> {
        answer(ex, error(-1, "system busy"));
        return true;
      }
      case SLOW -> {
        try {
          Thread.sleep(slowDelay.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        try {
          answer(ex, error(-1, "system busy"));
        } catch (IOException ignored) {
          // The client gave up waiting and closed the connection, as intended.
        }
        return true;
      }
      default -> {
        return false;
      }
    }
  }

  private static ObjectNode error(int code, String msg) {
    ObjectNode o = JSON.createObjectNode();
    o.put("errcode", code);
    o.put("errmsg", msg);
    return o;
  }

  private static void answer(HttpExchange ex, JsonNode body) throws IOException {
    byte[] b = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
    ex.sendResponseHeaders(200, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  private static Map<String, String> query(HttpExchange ex) {
    Map<String, String> out = new HashMap<>();
    String q = ex.getRequestURI().getRawQuery();
    if (q == null) {
      return out;
    }
    for (String kv : q.split("&")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        out.put(
            URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
