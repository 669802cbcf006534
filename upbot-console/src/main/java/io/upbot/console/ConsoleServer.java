package io.upbot.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.server.handlers.Cookie;
import io.undertow.server.handlers.CookieImpl;
import io.undertow.server.handlers.CookieSameSiteMode;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.upbot.console.Figures.Figure;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's HTTP server (Undertow): the pages, the JSON API the charts read, and the static
 * files (ECharts from its webjar, the console's CSS and JS), all from the jar. Every page and API
 * call needs the console token: {@code ?token=} once (then an HttpOnly, SameSite=Strict cookie), or
 * an {@code Authorization} header.
 */
public final class ConsoleServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);

  /** The session cookie's name. */
  public static final String COOKIE = "upbot_console";

  /** The longest date range a page covers. */
  static final int MAX_DAYS = 366;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ECHARTS = echartsPath();
  private static final Map<String, String> STATIC_TYPES =
      Map.of(
          "console.css", "text/css; charset=utf-8",
          "console.js", "text/javascript; charset=utf-8",
          "echarts.min.js", "text/javascript; charset=utf-8");

  private final ConsoleSettings settings;
  private final ConsoleToken token;
  private final Database db;
  private final Figures figures;
  private final Pages pages;
  private final Map<String, byte[]> statics = new ConcurrentHashMap<>();
  private final Undertow server;
  private final int port;

  private ConsoleServer(ConsoleSettings settings, ConsoleToken token) {
    this.settings = settings;
    this.token = token;
    this.db = new Database(settings.jdbcUrl(), settings.jdbcUser(), settings.jdbcPassword());
    this.figures = new Figures(db.dialect(), settings.zone());
    this.pages = new Pages(db, figures);
    this.server =
        Undertow.builder()
            .addHttpListener(settings.port(), settings.bind())
            .setIoThreads(1)
            .setWorkerThreads(4)
            .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, 10_000)
            .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 60_000)
            .setServerOption(UndertowOptions.MAX_PARAMETERS, 20)
            .setServerOption(UndertowOptions.MAX_HEADER_SIZE, 16 * 1024)
            .setHandler(new BlockingHandler(this::handle))
            .build();
    server.start();
    this.port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
  }

  /** Starts the console; fails with a clear message when the port is taken. */
  public static ConsoleServer start(ConsoleSettings settings, ConsoleToken token) {
    try {
      return new ConsoleServer(settings, token);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "cannot listen on "
              + settings.bind()
              + ":"
              + settings.port()
              + " (use --port to pick another): "
              + e.getMessage(),
          e);
    }
  }

  public int port() {
    return port;
  }

  /** The console's address (without the token). */
  public String url() {
    String host = settings.bind().contains(":") ? "[" + settings.bind() + "]" : settings.bind();
    if (host.equals("0.0.0.0")) {
      host = "127.0.0.1";
    }
    return "http://" + host + ":" + port + "/";
  }

  /** The address that logs in: {@link #url()} with {@code ?token=}. */
  public String loginUrl() {
    return url() + "?token=" + token.value();
  }

  @Override
  public void close() {
    server.stop();
  }

  // ---------------------------------------------------------------- requests

  private void handle(HttpServerExchange ex) throws Exception {
    String path = ex.getRelativePath();
    securityHeaders(ex);
    boolean api = path.startsWith("/api/");
    try {
      if (!ex.getRequestMethod().equals(Methods.GET)
          && !ex.getRequestMethod().equals(Methods.HEAD)) {
        ex.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
        error(ex, api, 405, "the console is read-only: only GET");
        return;
      }
      if (path.startsWith("/static/")) {
        serveStatic(ex, path.substring("/static/".length()));
        return;
      }
      if (!authorized(ex, api)) {
        return;
      }
      route(ex, path, api);
    } catch (BadRequest e) {
      error(ex, api, 400, e.getMessage());
    } catch (SQLException e) {
      LOG.warn("Console query failed: {}", e.getMessage());
      error(ex, api, 503, "the database did not answer: " + e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("Console request {} failed", path, e);
      error(ex, api, 500, "the console failed on this request: " + e);
    }
  }

  private void route(HttpServerExchange ex, String path, boolean api) throws Exception {
    if (api && path.startsWith("/api/figure/")) {
      Figure f = figure(path.substring("/api/figure/".length()));
      Scope s = scope(ex, f.needs());
      Query q = f.query().apply(s);
      Result r = db.run(q, f.columns());
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("figure", f.id());
      body.put("title", f.title());
      body.put("available", r.available());
      body.put("missing", r.missing());
      body.put("columns", r.columns());
      body.put("rows", r.records());
      body.put("time_zone", figures.zone().getId());
      body.put("sql", q.runnable(db.dialect()));
      send(ex, 200, "application/json", JSON.writeValueAsString(body));
      return;
    }
    switch (path) {
      case "/", "" -> html(ex, pages.apps(scope(ex, Figures.Needs.NOTHING)));
      case "/app" -> {
        String sort = param(ex, "sort", "sessions");
        String dir = param(ex, "dir", sort.equals("code") ? "asc" : "desc");
        if (!dir.equals("asc") && !dir.equals("desc")) {
          throw new BadRequest("dir: asc or desc, got " + dir);
        }
        html(ex, pages.app(scope(ex, Figures.Needs.APPID), sort, dir.equals("asc")));
      }
      case "/code" -> html(ex, pages.code(scope(ex, Figures.Needs.CODE)));
      case "/dead-letters" -> html(ex, pages.deadLetters(scope(ex, Figures.Needs.NOTHING)));
      case "/sql" -> {
        Figure f = figure(param(ex, "figure", null));
        html(ex, pages.sql(f.id(), scope(ex, f.needs())));
      }
      case "/healthz" -> send(ex, 200, "text/plain; charset=utf-8", "ok\n");
      default -> error(ex, api, 404, "no such page: " + path);
    }
  }

  private Figure figure(String id) {
    Figure f = id == null ? null : figures.get(id);
    if (f == null) {
      throw new BadRequest("figure: no figure named " + (id == null ? "(none given)" : id));
    }
    return f;
  }

  /** The scope of a request: appid and code when the figure needs them, the day range. */
  Scope scope(HttpServerExchange ex, Figures.Needs needs) {
    String appid = param(ex, "appid", null);
    String code = param(ex, "code", null);
    if (needs != Figures.Needs.NOTHING && (appid == null || appid.isBlank())) {
      throw new BadRequest("appid: required");
    }
    if (needs == Figures.Needs.CODE && code == null) {
      throw new BadRequest("code: required (empty for events without a code)");
    }
    for (String[] v : new String[][] {{"appid", appid}, {"code", code}}) {
      if (v[1] != null && v[1].length() > 256) {
        throw new BadRequest(v[0] + ": longer than 256 characters");
      }
    }
    LocalDate today = LocalDate.now(settings.zone());
    LocalDate to = date(ex, "to", today);
    LocalDate from = date(ex, "from", to.minusDays(6));
    if (from.isAfter(to)) {
      throw new BadRequest("from (" + from + ") is after to (" + to + ")");
    }
    if (ChronoUnit.DAYS.between(from, to) >= MAX_DAYS) {
      throw new BadRequest("the range is longer than " + MAX_DAYS + " days: " + from + " to " + to);
    }
    String reason = param(ex, "reason", null);
    if (reason != null && reason.isEmpty()) {
      reason = null;
    }
    if (reason != null && reason.length() > 64) {
      throw new BadRequest("reason: longer than 64 characters");
    }
    return new Scope(
        needs == Figures.Needs.NOTHING ? null : appid,
        needs == Figures.Needs.CODE ? code : null,
        from,
        to,
        reason);
  }

  private static LocalDate date(HttpServerExchange ex, String name, LocalDate dflt) {
    String v = param(ex, name, null);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    try {
      return LocalDate.parse(v);
    } catch (DateTimeParseException e) {
      throw new BadRequest(name + ": not a day (YYYY-MM-DD): " + v);
    }
  }

  private static String param(HttpServerExchange ex, String name, String dflt) {
    Deque<String> d = ex.getQueryParameters().get(name);
    return d == null || d.isEmpty() ? dflt : d.getFirst();
  }

  // ---------------------------------------------------------------- the token

  /**
   * Whether the request carries the console token. {@code ?token=} sets the cookie and redirects to
   * the same address without it (so the token leaves the address bar and the history).
   */
  private boolean authorized(HttpServerExchange ex, boolean api) {
    String given = param(ex, "token", null);
    if (given != null) {
      if (!token.matches(given)) {
        error(
            ex,
            api,
            401,
            "wrong console token: use the one ./upbot console printed (kept in <data-dir>/"
                + ConsoleToken.FILE
                + "), not a reporting token");
        return false;
      }
      Cookie c =
          new CookieImpl(COOKIE, token.value())
              .setHttpOnly(true)
              .setSameSiteMode(CookieSameSiteMode.STRICT.toString())
              .setPath("/");
      ex.setResponseCookie(c);
      Map<String, Object> rest = new LinkedHashMap<>();
      ex.getQueryParameters()
          .forEach(
              (k, v) -> {
                if (!k.equals("token") && !v.isEmpty()) {
                  rest.put(k, v.getFirst());
                }
              });
      ex.setStatusCode(303);
      ex.getResponseHeaders().put(Headers.LOCATION, Html.url(ex.getRelativePath(), rest));
      ex.endExchange();
      return false;
    }
    String header = ex.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
    if (header != null) {
      String t = header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7) : header;
      if (token.matches(t)) {
        return true;
      }
      error(ex, api, 401, "wrong console token in the Authorization header");
      return false;
    }
    Cookie c = ex.getRequestCookie(COOKIE);
    if (c != null && token.matches(c.getValue())) {
      return true;
    }
    error(
        ex,
        api,
        401,
        c != null
            ? "the console token changed: open the address ./upbot console printed (with ?token=)"
            : "the console needs its token: open the address ./upbot console printed (with"
                + " ?token=), or send Authorization: Bearer <token>; the token is in <data-dir>/"
                + ConsoleToken.FILE);
    return false;
  }

  // ---------------------------------------------------------------- responses

  private static void securityHeaders(HttpServerExchange ex) {
    var h = ex.getResponseHeaders();
    // Scripts only from the jar; ECharts sets inline styles on the elements it draws.
    h.put(
        new HttpString("Content-Security-Policy"),
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
            + " img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none';"
            + " form-action 'self'");
    h.put(new HttpString("X-Content-Type-Options"), "nosniff");
    h.put(new HttpString("Referrer-Policy"), "no-referrer");
    h.put(new HttpString("X-Frame-Options"), "DENY");
  }

  private static void html(HttpServerExchange ex, String body) {
    ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    send(ex, 200, "text/html; charset=utf-8", body);
  }

  private static void error(HttpServerExchange ex, boolean api, int status, String message) {
    if (ex.isResponseStarted()) {
      ex.endExchange();
      return;
    }
    if (api) {
      try {
        send(
            ex,
            status,
            "application/json",
            JSON.writeValueAsString(Map.of("status", status, "error", message)));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      return;
    }
    String title =
        switch (status) {
          case 400 -> "Bad request";
          case 401 -> "Console token needed";
          case 404 -> "Not found";
          case 405 -> "Method not allowed";
          case 503 -> "Database unavailable";
          default -> "Error";
        };
    send(
        ex,
        status,
        "text/html; charset=utf-8",
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
            + Html.text(title)
            + " · upbot console</title><link rel=\"icon\" href=\"data:,\">"
            + "<link rel=\"stylesheet\" href=\"/static/console.css\"></head><body><main>"
            + "<h1>"
            + Html.text(title)
            + "</h1><p class=\"error\" id=\"error\">"
            + Html.text(message)
            + "</p></main></body></html>\n");
  }

  private static void send(HttpServerExchange ex, int status, String type, String body) {
    ex.setStatusCode(status);
    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
    ex.getResponseSender().send(body, StandardCharsets.UTF_8);
  }

  private void serveStatic(HttpServerExchange ex, String name) throws IOException {
    String type = STATIC_TYPES.get(name);
    if (type == null) {
      error(ex, false, 404, "no such file: /static/" + name);
      return;
    }
    byte[] bytes = statics.get(name);
    if (bytes == null) {
      String resource = name.equals("echarts.min.js") ? ECHARTS : "io/upbot/console/static/" + name;
      try (InputStream in = ConsoleServer.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException(resource + " is not on the classpath");
        }
        bytes = in.readAllBytes();
      }
      statics.put(name, bytes);
    }
    ex.setStatusCode(200);
    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
    ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "max-age=3600");
    ex.getResponseSender().send(ByteBuffer.wrap(bytes));
  }

  /** Where the ECharts webjar keeps its minified build, from the webjar's own version. */
  private static String echartsPath() {
    String props = "META-INF/maven/org.webjars.npm/echarts/pom.properties";
    Properties p = new Properties();
    try (InputStream in = ConsoleServer.class.getClassLoader().getResourceAsStream(props)) {
      if (in == null) {
        throw new IllegalStateException("the ECharts webjar is not on the classpath");
      }
      p.load(in);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + props, e);
    }
    return "META-INF/resources/webjars/echarts/"
        + p.getProperty("version")
        + "/dist/echarts.min.js";
  }
}
