package io.upbot.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogType;

/**
 * The console in a real browser (headless Chromium): every page opened, the numbers shown checked
 * against the tables read with plain JDBC and summed here, the charts drawn, no error in the
 * browser's console, a screenshot of each page under {@code target/console-screenshots/}.
 */
class ConsoleBrowserITCase {

  static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
  static final Path SHOTS = Path.of("target", "console-screenshots");
  static final DateTimeFormatter SQLITE_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT);

  static Path dir;
  static String jdbcUrl;
  static ConsoleServer server;
  static ConsoleToken token;
  static ConsoleBrowser browser;
  static ChromeDriver driver;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    ConsoleBrowser.assumeAvailable("ConsoleBrowserITCase");
    dir = Files.createTempDirectory("console-browser-");
    jdbcUrl = loadRows(dir);
    token = ConsoleToken.ensure(dir);
    server =
        ConsoleServer.start(
            new ConsoleSettings(jdbcUrl, null, null, "127.0.0.1", 0, dir, ZONE), token);
    base = "http://127.0.0.1:" + server.port();
    browser = ConsoleBrowser.start(base, SHOTS, dir);
    driver = browser.driver();
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (server != null) {
      server.close();
    }
    if (dir != null) {
      try (var walk = Files.walk(dir)) {
        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /**
   * The data source, the one place that decides where the rows come from: for now the fixture rows
   * written to SQLite as the job writes them. Returns the JDBC URL of the database to serve.
   */
  static String loadRows(Path dataDir) throws SQLException {
    String url = ConsoleSettings.localSqliteUrl(dataDir);
    Fixture.load(url, null, Dialect.SQLITE, true, Fixture.standard());
    return url;
  }

  // ---------------------------------------------------------------- the test

  @Test
  void shouldShowTheTablesNumbersOnEveryPageWithoutBrowserErrors() throws Exception {
    LocalDate from = Fixture.FROM;
    LocalDate to = Fixture.TO;
    String range = "from=" + from + "&to=" + to;
    Tables t = Tables.read(jdbcUrl, from, to);

    // Log in once: the token leaves the address, the cookie carries on.
    driver.get(base + "/?token=" + token.value() + "&" + range);
    assertThat(driver.getCurrentUrl()).doesNotContain("token=");
    // The log check below can fail: an error logged in the page is seen.
    ((JavascriptExecutor) driver).executeScript("console.error('upbot-probe')");
    assertThat(driver.manage().logs().get(LogType.BROWSER).getAll())
        .anyMatch(e -> e.getMessage().contains("upbot-probe") && e.getLevel() == Level.SEVERE);
    open("apps", "/?" + range);
    for (var e : t.funnelByAppid.entrySet()) {
      assertRow("apps", e.getKey(), Map.of("sessions", e.getValue()[0], "joined", e.getValue()[3]));
    }
    assertThat(rows("fig-apps")).hasSize(t.funnelByAppid.size());

    open("app-codes", "/app?appid=wx-a&" + range);
    Map<String, long[]> codes = t.funnelByCode.get("wx-a");
    assertThat(driver.findElements(By.cssSelector("#fig-codes tbody tr"))).hasSize(codes.size());
    for (var e : codes.entrySet()) {
      long[] f = e.getValue();
      long[] u = t.usersByCode.getOrDefault(e.getKey(), new long[4]);
      assertCodesRow(
          e.getKey(),
          Map.of(
              "sessions",
              f[0],
              "exposed",
              f[1],
              "long_pressed",
              f[2],
              "joined",
              f[3],
              "users",
              u[0],
              "joined_users",
              u[3]));
      assertThat(cell("fig-codes", e.getKey(), "conversion").getText())
          .isEqualTo(Cells.percent(f[3], f[1]));
    }
    assertThat(driver.findElements(By.cssSelector(".spark[data-rendered='true']")))
        .hasSize(codes.size());
    // Sorting by joined, ascending then descending, reorders the rows.
    driver.findElement(By.cssSelector("#fig-codes th[data-col='joined'] a")).click();
    awaitCharts();
    List<Long> joined = columnValues("fig-codes", "joined");
    assertThat(joined).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    driver.findElement(By.cssSelector("#fig-codes th[data-col='joined'] a")).click();
    awaitCharts();
    assertThat(columnValues("fig-codes", "joined")).isSorted();

    open("code", "/code?appid=wx-a&code=C1&" + range);
    long[] total = codes.get("C1");
    String[] stages = {"sessions", "exposed", "long_pressed", "joined"};
    for (int i = 0; i < 4; i++) {
      assertThat(cell("fig-funnel", stages[i], "count").getText()).isEqualTo(total[i] + "");
      assertThat(cell("fig-funnel", stages[i], "of_first").getText())
          .isEqualTo(Cells.percent(total[i], total[0]));
      if (i > 0) {
        assertThat(cell("fig-funnel", stages[i], "of_previous").getText())
            .isEqualTo(Cells.percent(total[i], total[i - 1]));
      }
    }
    // WeCom's joins next to the funnel: by outcome, each in percent of all joins, and per day.
    long[] joins = t.joinsOf("wx-a", "C1");
    assertThat(joins[0]).as("the fixture has WeCom joins on C1").isPositive();
    String[] outcomes = {"wecom_joins", "attributed_joins", "unattributed_joins", "waiting_joins"};
    for (int i = 0; i < 4; i++) {
      assertThat(cell("fig-wecom_joins", outcomes[i], "count").getText())
          .as(outcomes[i])
          .isEqualTo(joins[i] + "");
      assertThat(cell("fig-wecom_joins", outcomes[i], "of_joins").getText())
          .isEqualTo(Cells.percent(joins[i], joins[0]));
    }
    assertThat(driver.findElements(By.cssSelector("#fig-wecom_joins .chart[data-rendered='true']")))
        .hasSize(1);
    Map<String, long[]> joinsDaily = t.joinsDailyOf("wx-a", "C1");
    assertThat(rows("fig-wecom_joins_daily")).hasSize(joinsDaily.size());
    joinsDaily.forEach(
        (day, j) -> {
          assertRow(
              "fig-wecom_joins_daily",
              day,
              Map.of(
                  "wecom_joins",
                  j[0],
                  "attributed_joins",
                  j[1],
                  "unattributed_joins",
                  j[2],
                  "waiting_joins",
                  j[3]));
          assertThat(cell("fig-wecom_joins_daily", day, "attributed_share").getText())
              .isEqualTo(Cells.percent(j[1], j[0]));
        });
    assertThat(
            driver.findElements(
                By.cssSelector("#fig-wecom_joins_daily .chart[data-rendered='true']")))
        .hasSize(1);

    Map<String, long[]> daily = t.dailyOf("wx-a", "C1");
    assertThat(rows("fig-daily")).hasSize(daily.size());
    daily.forEach((day, f) -> assertStages("fig-daily", day, f));
    t.hourOfDayOf("wx-a", "C1").forEach((h, f) -> assertStages("fig-hour_of_day", h + "", f));
    for (String dim : Figures.DIMENSIONS) {
      Map<String, long[]> by = t.breakdown(dim, "wx-a", "C1");
      assertThat(rows("fig-by_" + dim)).hasSize(by.size());
      by.forEach((k, f) -> assertStages("fig-by_" + dim, k, f));
    }
    t.usersDaily("wx-a", "C1")
        .forEach(
            (day, u) ->
                assertRow(
                    "fig-users_daily",
                    day,
                    Map.of(
                        "users",
                        u[0],
                        "exposed_users",
                        u[1],
                        "long_pressed_users",
                        u[2],
                        "joined_users",
                        u[3])));
    List<Map<String, Object>> dwell = t.hourly("code_dwell_hourly", "wx-a", "C1", "events");
    assertThat(rows("fig-dwell_hourly")).hasSize(dwell.size());
    for (Map<String, Object> d : dwell) {
      for (String c : List.of("events", "p50_s", "p90_s", "p99_s", "max_s")) {
        assertThat(cell("fig-dwell_hourly", (String) d.get("hour"), c).getText())
            .isEqualTo(d.get(c).toString());
      }
    }
    List<Map<String, Object>> convert =
        t.hourly("code_convert_time_hourly", "wx-a", "C1", "pressed_sessions");
    assertThat(rows("fig-convert_time")).hasSize(convert.size());
    for (Map<String, Object> c : convert) {
      for (String col : List.of("pressed_sessions", "press_p50_s", "join_p90_s")) {
        assertThat(cell("fig-convert_time", (String) c.get("hour"), col).getText())
            .isEqualTo(Cells.format(col, c.get(col)));
      }
    }
    List<Map<String, Object>> convertDaily = t.convertDaily("wx-a", "C1");
    assertThat(rows("fig-convert_time_daily")).hasSize(convertDaily.size());
    for (Map<String, Object> c : convertDaily) {
      for (String col :
          List.of("pressed_sessions", "press_p90_s", "joined_sessions", "join_p99_s")) {
        assertThat(cell("fig-convert_time_daily", (String) c.get("day"), col).getText())
            .isEqualTo(Cells.format(col, c.get(col)));
      }
    }
    t.eventsOf("wx-a", "C1").forEach((id, n) -> assertRow("fig-events", id, Map.of("events", n)));

    open(
        "code-escaped",
        Html.url(
            "/code", Map.of("appid", "wx-a", "code", Fixture.NASTY_CODE, "from", from, "to", to)));
    assertThat(driver.findElement(By.tagName("h1")).getText()).contains(Fixture.NASTY_CODE);
    assertThat(cell("fig-funnel", "sessions", "count").getText())
        .isEqualTo(codes.get(Fixture.NASTY_CODE)[0] + "");

    open("dead-letters", "/dead-letters?" + range);
    Map<String, Long> dead = t.deadLettersByDayAndReason();
    assertThat(rows("fig-dead_letters_daily")).hasSize(dead.size());
    for (WebElement row : rows("fig-dead_letters_daily")) {
      String day = row.findElement(By.cssSelector("td[data-col='day']")).getText();
      String reason = row.findElement(By.cssSelector("td[data-col='reason']")).getText();
      assertThat(row.findElement(By.cssSelector("td[data-col='dead_letters']")).getText())
          .isEqualTo(dead.get(day + "|" + reason) + "");
    }
    List<String> payloads = new ArrayList<>();
    rows("fig-dead_letters_newest")
        .forEach(
            r -> payloads.add(r.findElement(By.cssSelector("td[data-col='payload']")).getText()));
    assertThat(payloads).contains(Fixture.NASTY_PAYLOAD);
    assertThat(payloads)
        .allSatisfy(p -> assertThat(p.length()).isLessThanOrEqualTo(Figures.PAYLOAD_CHARS));
    assertThat(((JavascriptExecutor) driver).executeScript("return window.pwned === undefined"))
        .isEqualTo(true);

    driver.findElement(By.cssSelector("#fig-dead_letters_newest a.sql-link")).click();
    awaitCharts();
    screenshot("sql");
    assertThat(driver.findElement(By.id("sql-runnable")).getText())
        .contains("FROM dead_letter_events", "'2026-11-29 16:00:00'");
    assertNoBrowserErrors("sql");

    // The joins' figure links to its SQL like every other figure.
    browser.get("/code?appid=wx-a&code=C1&" + range);
    awaitCharts();
    driver.findElement(By.cssSelector("#fig-wecom_joins a.sql-link")).click();
    awaitCharts();
    assertThat(driver.findElement(By.id("sql-runnable")).getText())
        .contains("FROM code_join_hourly", "'wx-a'", "'C1'", "'2026-11-29 16:00:00'");
    assertNoBrowserErrors("sql of wecom_joins");
  }

  // ---------------------------------------------------------------- page helpers

  void open(String name, String path) throws Exception {
    browser.open(name, path);
  }

  void awaitCharts() {
    browser.awaitCharts();
  }

  void screenshot(String name) throws Exception {
    browser.screenshot(name);
  }

  void assertNoBrowserErrors(String page) {
    browser.assertNoBrowserErrors(page);
  }

  List<WebElement> rows(String section) {
    return browser.rows(section);
  }

  WebElement cell(String section, String key, String column) {
    return browser.cell(section, key, column);
  }

  void assertRow(String section, String key, Map<String, Long> expected) {
    browser.assertRow(section, key, expected);
  }

  void assertCodesRow(String code, Map<String, Long> expected) {
    assertRow("fig-codes", code, expected);
  }

  void assertStages(String section, String key, long[] f) {
    browser.assertStages(section, key, f);
  }

  List<Long> columnValues(String section, String column) {
    return browser.columnValues(section, column);
  }

  // ---------------------------------------------------------------- the tables, read plainly

  /**
   * The tables' rows read with plain {@code SELECT *} and summed here in Java (local days with
   * java.time), independent of the console's SQL.
   */
  static final class Tables {
    final Map<String, long[]> funnelByAppid = new TreeMap<>();
    final Map<String, Map<String, long[]>> funnelByCode = new TreeMap<>();
    final Map<String, long[]> usersByCode = new TreeMap<>();
    final List<Map<String, Object>> funnel = new ArrayList<>();
    final List<Map<String, Object>> breakdown = new ArrayList<>();
    final List<Map<String, Object>> users = new ArrayList<>();
    final List<Map<String, Object>> convertDaily = new ArrayList<>();
    final Map<String, List<Map<String, Object>>> hourlyTables = new TreeMap<>();
    final List<Map<String, Object>> events = new ArrayList<>();
    final List<Map<String, Object>> deadLetters = new ArrayList<>();
    final List<Map<String, Object>> joins = new ArrayList<>();
    LocalDate from;
    LocalDate to;

    static Tables read(String url, LocalDate from, LocalDate to) throws SQLException {
      Tables t = new Tables();
      t.from = from;
      t.to = to;
      try (Connection c = DriverManager.getConnection(url)) {
        t.funnel.addAll(t.inRange(select(c, "code_funnel_hourly"), "bucket_start"));
        t.breakdown.addAll(t.inRange(select(c, "code_funnel_breakdown_hourly"), "bucket_start"));
        t.events.addAll(t.inRange(select(c, "code_event_hourly"), "bucket_start"));
        t.joins.addAll(t.inRange(select(c, "code_join_hourly"), "bucket_start"));
        for (String h : List.of("code_dwell_hourly", "code_convert_time_hourly")) {
          t.hourlyTables.put(h, t.inRange(select(c, h), "bucket_start"));
        }
        t.deadLetters.addAll(t.inRange(select(c, "dead_letter_events"), "recorded_at"));
        for (Map<String, Object> u : select(c, "code_users_daily")) {
          LocalDate d = LocalDate.parse((String) u.get("day"));
          if (!d.isBefore(from) && !d.isAfter(to)) {
            t.users.add(u);
          }
        }
        for (Map<String, Object> u : select(c, "code_convert_time_daily")) {
          LocalDate d = LocalDate.parse((String) u.get("day"));
          boolean counted = n(u.get("pressed_sessions")) > 0 || n(u.get("joined_sessions")) > 0;
          if (!d.isBefore(from) && !d.isAfter(to) && counted) {
            Map<String, Object> m = new TreeMap<>();
            u.forEach((k, v) -> m.put(k, v instanceof Integer i ? (Object) i.longValue() : v));
            t.convertDaily.add(m);
          }
        }
      }
      for (Map<String, Object> r : t.funnel) {
        add(t.funnelByAppid, (String) r.get("appid"), stages(r));
        add(
            t.funnelByCode.computeIfAbsent((String) r.get("appid"), k -> new TreeMap<>()),
            (String) r.get("code"),
            stages(r));
      }
      for (Map<String, Object> u : t.users) {
        if (u.get("appid").equals("wx-a")) {
          add(t.usersByCode, (String) u.get("code"), userCounts(u));
        }
      }
      return t;
    }

    static List<Map<String, Object>> select(Connection c, String table) throws SQLException {
      List<Map<String, Object>> out = new ArrayList<>();
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
        while (rs.next()) {
          Map<String, Object> m = new TreeMap<>();
          for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            m.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
          }
          out.add(m);
        }
      }
      return out;
    }

    List<Map<String, Object>> inRange(List<Map<String, Object>> rows, String timeColumn) {
      List<Map<String, Object>> out = new ArrayList<>();
      for (Map<String, Object> r : rows) {
        LocalDateTime local = local((String) r.get(timeColumn));
        if (!local.toLocalDate().isBefore(from) && !local.toLocalDate().isAfter(to)) {
          r.put("local", local);
          out.add(r);
        }
      }
      return out;
    }

    static LocalDateTime local(String utc) {
      Instant i = LocalDateTime.parse(utc, SQLITE_TIME).toInstant(ZoneOffset.UTC);
      return LocalDateTime.ofInstant(i, ZONE);
    }

    static long n(Object o) {
      return ((Number) o).longValue();
    }

    static long[] stages(Map<String, Object> r) {
      return new long[] {
        n(r.get("sessions")), n(r.get("exposed")), n(r.get("long_pressed")), n(r.get("joined"))
      };
    }

    static long[] userCounts(Map<String, Object> r) {
      return new long[] {
        n(r.get("users")),
        n(r.get("exposed_users")),
        n(r.get("long_pressed_users")),
        n(r.get("joined_users"))
      };
    }

    static void add(Map<String, long[]> m, String key, long[] v) {
      long[] sum = m.computeIfAbsent(key, k -> new long[v.length]);
      for (int i = 0; i < v.length; i++) {
        sum[i] += v[i];
      }
    }

    boolean of(Map<String, Object> r, String appid, String code) {
      return r.get("appid").equals(appid) && r.get("code").equals(code);
    }

    Map<String, long[]> group(
        List<Map<String, Object>> rows,
        String appid,
        String code,
        Function<Map<String, Object>, String> key,
        Function<Map<String, Object>, long[]> values) {
      Map<String, long[]> m = new TreeMap<>();
      rows.stream()
          .filter(r -> of(r, appid, code))
          .forEach(r -> add(m, key.apply(r), values.apply(r)));
      return m;
    }

    Map<String, long[]> dailyOf(String appid, String code) {
      return group(
          funnel,
          appid,
          code,
          r -> ((LocalDateTime) r.get("local")).toLocalDate().toString(),
          Tables::stages);
    }

    Map<String, long[]> hourOfDayOf(String appid, String code) {
      return group(
          funnel,
          appid,
          code,
          r -> ((LocalDateTime) r.get("local")).getHour() + "",
          Tables::stages);
    }

    Map<String, long[]> breakdown(String dim, String appid, String code) {
      return group(breakdown, appid, code, r -> r.get(dim).toString(), Tables::stages);
    }

    Map<String, long[]> usersDaily(String appid, String code) {
      return group(users, appid, code, r -> (String) r.get("day"), Tables::userCounts);
    }

    List<Map<String, Object>> convertDaily(String appid, String code) {
      return convertDaily.stream().filter(r -> of(r, appid, code)).toList();
    }

    Map<String, Long> eventsOf(String appid, String code) {
      Map<String, Long> m = new TreeMap<>();
      group(
              events,
              appid,
              code,
              r -> (String) r.get("event_id"),
              r -> new long[] {n(r.get("events"))})
          .forEach((k, v) -> m.put(k, v[0]));
      return m;
    }

    /** Hourly rows with a non-zero {@code countColumn}, keyed by local hour text. */
    List<Map<String, Object>> hourly(String table, String appid, String code, String countColumn) {
      List<Map<String, Object>> out = new ArrayList<>();
      for (Map<String, Object> r : hourlyTables.get(table)) {
        if (of(r, appid, code)
            && (n(r.get(countColumn)) > 0
                || (r.containsKey("joined_sessions") && n(r.get("joined_sessions")) > 0))) {
          Map<String, Object> m = new TreeMap<>();
          r.forEach((k, v) -> m.put(k, v instanceof Integer i ? (Object) i.longValue() : v));
          m.put("hour", ((LocalDateTime) r.get("local")).toString().replace('T', ' '));
          out.add(m);
        }
      }
      return out;
    }

    /** WeCom joins: all, attributed, unattributed, and waiting (all less the other two). */
    static long[] joinCounts(Map<String, Object> r) {
      long all = n(r.get("wecom_joins"));
      long attributed = n(r.get("attributed_joins"));
      long unattributed = n(r.get("unattributed_joins"));
      return new long[] {all, attributed, unattributed, all - attributed - unattributed};
    }

    long[] joinsOf(String appid, String code) {
      return group(joins, appid, code, r -> "all", Tables::joinCounts)
          .getOrDefault("all", new long[4]);
    }

    Map<String, long[]> joinsDailyOf(String appid, String code) {
      return group(
          joins,
          appid,
          code,
          r -> ((LocalDateTime) r.get("local")).toLocalDate().toString(),
          Tables::joinCounts);
    }

    Map<String, Long> deadLettersByDayAndReason() {
      Map<String, Long> m = new TreeMap<>();
      for (Map<String, Object> r : deadLetters) {
        m.merge(
            ((LocalDateTime) r.get("local")).toLocalDate() + "|" + r.get("reason"), 1L, Long::sum);
      }
      return m;
    }
  }
}
