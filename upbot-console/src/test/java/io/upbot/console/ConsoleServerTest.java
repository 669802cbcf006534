package io.upbot.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's HTTP surface: the token, the cookie, errors, escaping, static files. */
class ConsoleServerTest {

  @TempDir Path dir;

  ConsoleServer server;
  ConsoleToken token;
  HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @BeforeEach
  void start() throws Exception {
    String url = ConsoleSettings.localSqliteUrl(dir);
    Fixture.load(url, null, Dialect.SQLITE, true, Fixture.standard());
    token = ConsoleToken.ensure(dir);
    server = start(url);
  }

  ConsoleServer start(String url) {
    return ConsoleServer.start(
        new ConsoleSettings(url, null, null, "127.0.0.1", 0, dir, ZoneId.of("Asia/Shanghai")),
        token);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  String cookie() {
    return ConsoleServer.COOKIE + "=" + token.value();
  }

  static final String RANGE = "from=2026-11-30&to=2026-12-02";

  @Test
  void shouldRefuseAPageWithoutTheTokenWithA401Page() throws Exception {
    HttpResponse<String> r = get("/");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> t.startsWith("text/html"));
    assertThat(r.body()).contains("Console token needed", "?token=", "console-token");
  }

  @Test
  void shouldRefuseTheApiWithoutTheTokenWithA401Json() throws Exception {
    HttpResponse<String> r = get("/api/figure/apps?" + RANGE);
    assertThat(r.statusCode()).isEqualTo(401);
    JsonNode j = new ObjectMapper().readTree(r.body());
    assertThat(j.path("status").asInt()).isEqualTo(401);
    assertThat(j.path("error").asText()).contains("Authorization: Bearer");
  }

  @Test
  void shouldRefuseAWrongOrReportingTokenWithoutACookie() throws Exception {
    HttpResponse<String> r = get("/?token=local-0123456789abcdef0123456789abcdef");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("wrong console token", "not a reporting token");
    assertThat(r.headers().firstValue("set-cookie")).isEmpty();
    assertThat(get("/api/figure/apps", "Authorization", "Bearer nope").statusCode()).isEqualTo(401);
    assertThat(get("/", "Cookie", ConsoleServer.COOKIE + "=nope").statusCode()).isEqualTo(401);
  }

  @Test
  void shouldSetAnHttpOnlyStrictCookieAndDropTheTokenFromTheAddress() throws Exception {
    HttpResponse<String> r = get("/app?appid=wx-a&token=" + token.value() + "&" + RANGE);
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("location"))
        .hasValue("/app?appid=wx-a&from=2026-11-30&to=2026-12-02");
    String setCookie = r.headers().firstValue("set-cookie").orElseThrow();
    assertThat(setCookie)
        .startsWith(ConsoleServer.COOKIE + "=" + token.value())
        .containsIgnoringCase("HttpOnly")
        .containsIgnoringCase("SameSite=Strict");
    HttpResponse<String> page = get("/app?appid=wx-a&" + RANGE, "Cookie", cookie());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("Codes of wx-a");
    assertThat(page.headers().firstValue("content-security-policy"))
        .hasValueSatisfying(csp -> assertThat(csp).contains("script-src 'self'"));
  }

  @Test
  void shouldAnswerTheJsonApiWithTheBearerToken() throws Exception {
    HttpResponse<String> r =
        get(
            "/api/figure/funnel?appid=wx-a&code=C1&" + RANGE,
            "Authorization",
            "Bearer " + token.value());
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode j = new ObjectMapper().readTree(r.body());
    assertThat(j.path("rows").path(0).path("sessions").asLong()).isEqualTo(40);
    assertThat(j.path("rows").path(0).path("joined").asLong()).isEqualTo(10);
    assertThat(j.path("sql").asText()).contains("FROM code_funnel_hourly", "'wx-a'", "'C1'");
  }

  @Test
  void shouldAnswerWeComJoinsInTheApiAndShowThemNextToTheFunnel() throws Exception {
    HttpResponse<String> r =
        get(
            "/api/figure/wecom_joins?appid=wx-a&code=C1&" + RANGE,
            "Authorization",
            "Bearer " + token.value());
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode row = new ObjectMapper().readTree(r.body()).path("rows").path(0);
    assertThat(row.path("wecom_joins").asLong()).isEqualTo(14);
    assertThat(row.path("attributed_joins").asLong()).isEqualTo(9);
    assertThat(row.path("unattributed_joins").asLong()).isEqualTo(3);
    assertThat(row.path("waiting_joins").asLong()).isEqualTo(2);
    assertThat(row.path("attributed_share").asDouble()).isEqualTo(9 / 14.0);
    JsonNode daily =
        new ObjectMapper()
            .readTree(
                get("/api/figure/wecom_joins_daily?appid=wx-a&code=C1&" + RANGE, "Cookie", cookie())
                    .body());
    assertThat(daily.path("rows")).hasSize(3);
    assertThat(daily.path("sql").asText()).contains("FROM code_join_hourly", "'wx-a'", "'C1'");

    String page = get("/code?appid=wx-a&code=C1&" + RANGE, "Cookie", cookie()).body();
    int funnel = page.indexOf("id=\"fig-funnel\"");
    int joins = page.indexOf("id=\"fig-wecom_joins\"");
    assertThat(joins).isGreaterThan(funnel).isLessThan(page.indexOf("id=\"fig-daily\""));
    assertThat(page)
        .contains("<a class=\"sql-link\" data-sql=\"wecom_joins\" href=\"/sql?")
        .contains("figure=wecom_joins\"")
        .contains("data-sql=\"wecom_joins_daily\"")
        .contains("data-chart=\"joins\"")
        .contains(
            "<tr data-key=\"waiting_joins\"><td>waiting</td><td data-col=\"count\">2</td>"
                + "<td data-col=\"of_joins\">14.3%</td></tr>");
    // A code without joins says so, with no chart and no daily table.
    String none = get("/code?appid=wx-a&code=C2x&" + RANGE, "Cookie", cookie()).body();
    assertThat(none)
        .contains("No WeCom joins in this range")
        .doesNotContain("fig-wecom_joins_daily");
    assertThat(none).doesNotContain("data-chart=\"joins\"");
  }

  @Test
  void shouldKeepOneTokenOwnerOnlyInTheDataDir() throws Exception {
    Path file = dir.resolve(ConsoleToken.FILE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(ConsoleToken.ensure(dir).value()).isEqualTo(token.value());
    assertThat(token.value()).matches("console-[0-9a-f]{32}");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    ConsoleToken.ensure(dir);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void shouldAnswerBadInputWithA400AndWhatIsWrong() throws Exception {
    assertThat(get("/app?appid=wx-a&from=2026-13-01", "Cookie", cookie()).body())
        .contains("from: not a day (YYYY-MM-DD): 2026-13-01");
    assertThat(get("/app?appid=wx-a&from=2026-12-05&to=2026-12-01", "Cookie", cookie()).body())
        .contains("is after to");
    HttpResponse<String> noAppid = get("/app", "Cookie", cookie());
    assertThat(noAppid.statusCode()).isEqualTo(400);
    assertThat(noAppid.body()).contains("appid: required");
    assertThat(get("/code?appid=wx-a", "Cookie", cookie()).body()).contains("code: required");
    assertThat(get("/app?appid=wx-a&sort=drop", "Cookie", cookie()).statusCode()).isEqualTo(400);
    HttpResponse<String> unknown = get("/api/figure/nope", "Cookie", cookie());
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).contains("no figure named nope");
    assertThat(get("/nowhere", "Cookie", cookie()).statusCode()).isEqualTo(404);
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "app"))
                .header("Cookie", cookie())
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  @Test
  void shouldEscapeCodesAndPayloadsFromTheTables() throws Exception {
    String app = get("/app?appid=wx-a&" + RANGE, "Cookie", cookie()).body();
    assertThat(app)
        .doesNotContain(Fixture.NASTY_CODE)
        .contains("&lt;b&gt;x&lt;/b&gt;&#39;&#34;&amp;amp;");
    String dead = get("/dead-letters?" + RANGE, "Cookie", cookie()).body();
    assertThat(dead)
        .doesNotContain("<script>window.pwned")
        .contains("&lt;script&gt;window.pwned=1&lt;/script&gt;");
    String reflected = get("/app?appid=%3Cscript%3Ex&" + RANGE, "Cookie", cookie()).body();
    assertThat(reflected).doesNotContain("<script>x").contains("&lt;script&gt;x");
  }

  @Test
  void shouldServeEchartsAndItsOwnFilesFromTheJarWithoutAToken() throws Exception {
    HttpResponse<String> e = get("/static/echarts.min.js");
    assertThat(e.statusCode()).isEqualTo(200);
    assertThat(e.body()).contains("echarts").hasSizeGreaterThan(500_000);
    assertThat(get("/static/console.js").statusCode()).isEqualTo(200);
    assertThat(get("/static/../pom.properties").statusCode()).isIn(400, 404);
    assertThat(get("/static/secret.txt").statusCode()).isEqualTo(404);
  }

  @Test
  void shouldShowNotAvailableYetForTablesAnOlderDatabaseLacks() throws Exception {
    server.close();
    String url = "jdbc:sqlite:" + dir.resolve("old.db");
    Fixture.load(url, null, Dialect.SQLITE, false, Fixture.standard());
    server = start(url);
    HttpResponse<String> r = get("/code?appid=wx-a&code=C1&" + RANGE, "Cookie", cookie());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("Not available yet: this database has no code_users_daily table")
        .contains("no code_funnel_breakdown_hourly table")
        .contains("no code_convert_time_hourly table")
        .contains("no code_join_hourly table")
        .contains("data-figure=\"funnel\"");
    String app = get("/app?appid=wx-a&" + RANGE, "Cookie", cookie()).body();
    assertThat(app).contains("no code_users_daily table").contains("data-key=\"C1\"");
  }

  @Test
  void shouldSayWhichPortIsTakenWhenItCannotListen() {
    ConsoleSettings same =
        new ConsoleSettings(
            ConsoleSettings.localSqliteUrl(dir),
            null,
            null,
            "127.0.0.1",
            server.port(),
            dir,
            ZoneId.of("Asia/Shanghai"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConsoleServer.start(same, token))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot listen on 127.0.0.1:" + server.port())
        .hasMessageContaining("--port");
  }

  @Test
  void shouldShowEachFiguresSqlWithItsParameters() throws Exception {
    HttpResponse<String> r =
        get("/sql?figure=daily&appid=wx-a&code=C1&" + RANGE, "Cookie", cookie());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("date(bucket_start, &#39;+480 minutes&#39;)")
        .contains("&#39;2026-11-29 16:00:00&#39;")
        .contains("&#39;2026-12-02 16:00:00&#39;")
        .contains("WHERE appid = ? AND code = ?");
  }
}
