package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.upbot.console.Cells;
import io.upbot.console.ConsoleBrowser;
import io.upbot.job.JobSettings;
import io.upbot.job.model.FunnelStages;
import io.upbot.job.sink.JdbcSettings;
import io.upbot.job.testing.DatabaseTables;
import io.upbot.job.testing.Reference;
import io.upbot.job.testing.Tables;
import io.upbot.schema.MalformedEventException;
import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import io.upbot.testkit.KafkaBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The console end to end, as {@code ./upbot local} runs it (docs/console.md): generated journeys of
 * varied device, account and media types and returning users, over several codes and two apps, plus
 * late events, are posted to the stack; once the tables equal the reference, every console page is
 * opened in headless Chromium and the numbers shown must equal the tables read with JDBC (summed
 * here), the browser must log no warning or error, and each page is saved under {@code
 * target/console-screenshots/}.
 */
class ConsoleLocalStackBrowserITCase {

  private static final String TOPIC = "upbot.media-events";
  private static final String APP = "wx-e2e";
  private static final String OTHER_APP = "wx-e2e-other";
  private static final List<String> CODES = List.of("code-a", "code-b", "code-c");
  private static final long G = Duration.ofMinutes(30).toMillis();
  private static final long A = Duration.ofHours(24).toMillis();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SHOTS = Path.of("target", "console-screenshots");
  private static final Pattern CONSOLE_LINE = Pattern.compile("(?m)^console\\s+(http://\\S+)");
  private static final String[] STAGES = {"sessions", "exposed", "long_pressed", "joined"};

  @TempDir Path dataDir;

  @Test
  void shouldShowTheTablesNumbersOnEveryConsolePageOfTheLocalStack() throws Exception {
    ConsoleBrowser.assumeAvailable("ConsoleLocalStackBrowserITCase");
    LocalStack.Options options =
        new LocalStack.Options(
            0, 0, 0, dataDir, null, null, null, null, false, TOPIC, Duration.ofSeconds(2));
    // The zone the stack gives both the job's daily tables and the console (no --time-zone here).
    ZoneId zone = JobSettings.defaults("unused:9092").timeZone();
    JdbcSettings db = JdbcSettings.defaults(options.effectiveJdbcUrl());
    ByteArrayOutputStream printed = new ByteArrayOutputStream();

    try (LocalStack stack =
        LocalStack.start(options, new PrintStream(printed, true, StandardCharsets.UTF_8))) {
      ReportPoster poster = new ReportPoster(stack.apiUrl(), stack.token(), Duration.ofSeconds(10));
      long now = System.currentTimeMillis();
      // Journeys spread over the last three hours: several hourly buckets, and at times two days.
      VariedJourneys journeys = new VariedJourneys(new JourneyGenerator(7, APP, CODES), 23);
      for (int i = 0; i < 60; i++) {
        for (byte[] body : journeys.next(now - i * 180_000L)) {
          assertThat(poster.postAndWait(body)).isEqualTo(ReportPoster.ACCEPTED);
        }
      }
      VariedJourneys other = new VariedJourneys(new JourneyGenerator(8, OTHER_APP, CODES), 5);
      for (int i = 0; i < 8; i++) {
        for (byte[] body : other.next(now - i * 60_000L)) {
          assertThat(poster.postAndWait(body)).isEqualTo(ReportPoster.ACCEPTED);
        }
      }
      // Events two days old: accepted by the endpoint, dead-lettered as late by the job.
      VariedJourneys late = new VariedJourneys(new JourneyGenerator(9, APP, CODES), 3);
      long lateItems = 0;
      for (int i = 0; i < 3; i++) {
        byte[] body = late.next(now - Duration.ofDays(2).toMillis()).get(0);
        assertThat(poster.postAndWait(body)).isEqualTo(ReportPoster.ACCEPTED);
        lateItems += JSON.readTree(body).get("items").size();
      }
      long deadLetterCount = lateItems;
      awaitExactTables(stack, db);
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(300))
          .ignoreExceptions()
          .until(
              () -> deadLetters(stack.jdbcUrl(), zone).values().stream().mapToLong(v -> v).sum(),
              n -> n == deadLetterCount);

      Matcher m = CONSOLE_LINE.matcher(printed.toString(StandardCharsets.UTF_8));
      assertThat(m.find()).as("./upbot local prints the console's address").isTrue();
      URI login = URI.create(m.group(1));
      LocalDate today = LocalDate.now(zone);
      LocalDate from = today.minusDays(1);
      LocalDate to = today.plusDays(1);
      String range = "from=" + from + "&to=" + to;
      Figures f = Figures.of(DatabaseTables.read(db), zone, from, to);

      try (ConsoleBrowser browser =
          ConsoleBrowser.start("http://" + login.getAuthority(), SHOTS, dataDir)) {
        browser.get("/?" + login.getRawQuery() + "&" + range);
        assertThat(browser.driver().getCurrentUrl()).doesNotContain("token=");

        browser.open("apps", "/?" + range);
        assertThat(browser.rows("fig-apps")).hasSize(2);
        f.byApp().forEach((app, s) -> browser.assertStages("fig-apps", app, s));

        browser.open("app-codes", "/app?appid=" + APP + "&" + range);
        Map<String, long[]> codes = f.byCode().get(APP);
        assertThat(codes.keySet()).containsExactlyInAnyOrderElementsOf(CODES);
        assertThat(browser.rows("fig-codes")).hasSize(codes.size());
        for (var e : codes.entrySet()) {
          long[] s = e.getValue();
          long[] u = f.usersByCode().get(APP).get(e.getKey());
          browser.assertStages("fig-codes", e.getKey(), s);
          browser.assertRow("fig-codes", e.getKey(), Map.of("users", u[0], "joined_users", u[3]));
          assertThat(browser.cell("fig-codes", e.getKey(), "conversion").getText())
              .isEqualTo(Cells.percent(s[3], s[1]));
          // Users come back: fewer distinct users than sessions, so the two are not confused.
          assertThat(u[0]).isLessThanOrEqualTo(s[0]);
        }

        for (String code : List.of("code-a", "code-b")) {
          assertCodePage(browser, f, code, range);
        }

        browser.open("dead-letters", "/dead-letters?" + range);
        Map<String, Long> dead = deadLetters(stack.jdbcUrl(), zone);
        assertThat(dead.keySet()).allMatch(k -> k.endsWith("|late"));
        assertThat(browser.rows("fig-dead_letters_daily")).hasSize(dead.size());
        for (WebElement row : browser.rows("fig-dead_letters_daily")) {
          String day = row.findElement(By.cssSelector("td[data-col='day']")).getText();
          String reason = row.findElement(By.cssSelector("td[data-col='reason']")).getText();
          assertThat(row.findElement(By.cssSelector("td[data-col='dead_letters']")).getText())
              .isEqualTo(dead.get(day + "|" + reason) + "");
        }
        assertThat(browser.rows("fig-dead_letters_newest")).hasSize((int) deadLetterCount);

        // The SQL page's ready-to-run statement, run here with JDBC, gives the figure's numbers.
        browser.open("sql", "/sql?figure=by_media_type&appid=" + APP + "&code=code-a&" + range);
        String sql = browser.driver().findElement(By.id("sql-runnable")).getText();
        assertThat(sql).contains("code_funnel_breakdown_hourly");
        Map<String, long[]> byMedia = f.breakdown(APP, "code-a", 2);
        Map<String, long[]> ran = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(stack.jdbcUrl());
            Statement s = c.createStatement();
            ResultSet rs = s.executeQuery(sql)) {
          while (rs.next()) {
            ran.put(
                rs.getString(1),
                new long[] {rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)});
          }
        }
        assertThat(ran.keySet()).isEqualTo(byMedia.keySet());
        ran.forEach((k, v) -> assertThat(v).as("media_type " + k).isEqualTo(byMedia.get(k)));
      }
    }
  }

  private static void assertCodePage(ConsoleBrowser browser, Figures f, String code, String range)
      throws Exception {
    browser.open(code, "/code?appid=" + APP + "&code=" + code + "&" + range);
    long[] total = f.byCode().get(APP).get(code);
    for (int i = 0; i < 4; i++) {
      assertThat(browser.cell("fig-funnel", STAGES[i], "count").getText())
          .as(code + " funnel " + STAGES[i])
          .isEqualTo(total[i] + "");
      assertThat(browser.cell("fig-funnel", STAGES[i], "of_first").getText())
          .isEqualTo(Cells.percent(total[i], total[0]));
    }
    Map<String, long[]> daily = f.daily(APP, code);
    assertThat(browser.rows("fig-daily")).hasSize(daily.size());
    daily.forEach((day, s) -> browser.assertStages("fig-daily", day, s));
    Map<String, long[]> hours = f.hourOfDay(APP, code);
    assertThat(browser.rows("fig-hour_of_day")).hasSize(hours.size());
    hours.forEach((h, s) -> browser.assertStages("fig-hour_of_day", h, s));
    String[] dims = {"device_type", "account_type", "media_type"};
    for (int d = 0; d < 3; d++) {
      Map<String, long[]> by = f.breakdown(APP, code, d);
      assertThat(by).as(code + " has several " + dims[d] + " values").hasSizeGreaterThan(1);
      String section = "fig-by_" + dims[d];
      assertThat(browser.rows(section)).hasSize(by.size());
      by.forEach((k, s) -> browser.assertStages(section, k, s));
    }
    Map<String, long[]> users = f.usersDaily(APP, code);
    assertThat(browser.rows("fig-users_daily")).hasSize(users.size());
    users.forEach(
        (day, u) ->
            browser.assertRow(
                "fig-users_daily",
                day,
                Map.of(
                    "users", u[0],
                    "exposed_users", u[1],
                    "long_pressed_users", u[2],
                    "joined_users", u[3])));
    Map<String, long[]> convert = f.convertHourly(APP, code);
    assertThat(convert).as(code + " has long-presses").isNotEmpty();
    assertThat(browser.rows("fig-convert_time")).hasSize(convert.size());
    convert.forEach(
        (hour, c) ->
            browser.assertRow(
                "fig-convert_time",
                hour,
                Map.of("pressed_sessions", c[0], "joined_sessions", c[1])));
    Map<String, long[]> convertDaily = f.convertDaily(APP, code);
    assertThat(browser.rows("fig-convert_time_daily")).hasSize(convertDaily.size());
    convertDaily.forEach(
        (day, c) ->
            browser.assertRow(
                "fig-convert_time_daily",
                day,
                Map.of("pressed_sessions", c[0], "joined_sessions", c[1])));
    Map<String, long[]> dwell = f.dwellHourly(APP, code);
    assertThat(browser.rows("fig-dwell_hourly")).hasSize(dwell.size());
    dwell.forEach((hour, v) -> browser.assertRow("fig-dwell_hourly", hour, Map.of("events", v[0])));
    f.events(APP, code)
        .forEach((id, n) -> browser.assertRow("fig-events", id, Map.of("events", n[0])));
  }

  /** Waits until the tables equal the reference over every record the endpoint wrote. */
  private static void awaitExactTables(LocalStack stack, JdbcSettings db) {
    List<MediaEvent> accepted = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : KafkaBroker.readAll(stack.kafkaBootstrap(), TOPIC)) {
      try {
        accepted.add(MediaEventCodec.decode(r.value()));
      } catch (MalformedEventException e) {
        throw new AssertionError("the endpoint wrote an undecodable record", e);
      }
    }
    Tables expected =
        Reference.compute(accepted, G, A, FunnelStages.DEFAULT).withoutZeroFunnelRows();
    assertThat(expected.breakdown()).isNotEmpty();
    assertThat(expected.convertTime()).isNotEmpty();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .untilAsserted(
            () -> assertThat(DatabaseTables.read(db).withoutZeroFunnelRows()).isEqualTo(expected));
  }

  /** Dead letters per local day of {@code recorded_at} and reason, {@code day|reason}. */
  private static Map<String, Long> deadLetters(String jdbcUrl, ZoneId zone) throws Exception {
    Map<String, Long> out = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT reason, CAST(strftime('%s', recorded_at) AS INTEGER)"
                    + " FROM dead_letter_events")) {
      while (rs.next()) {
        LocalDate day = Instant.ofEpochSecond(rs.getLong(2)).atZone(zone).toLocalDate();
        out.merge(day + "|" + rs.getString(1), 1L, Long::sum);
      }
    }
    return out;
  }

  /**
   * What the pages must show, summed here from the rows as read with JDBC: local days and hours
   * with java.time, independent of the console's SQL.
   */
  private record Figures(
      Tables t,
      ZoneId zone,
      Map<String, long[]> byApp,
      Map<String, Map<String, long[]>> byCode,
      Map<String, Map<String, long[]>> usersByCode) {

    static Figures of(Tables t, ZoneId zone, LocalDate from, LocalDate to) {
      Map<String, long[]> byApp = new TreeMap<>();
      Map<String, Map<String, long[]>> byCode = new TreeMap<>();
      t.funnel()
          .forEach(
              (k, v) -> {
                LocalDate day = Instant.ofEpochMilli(k.bucketStart()).atZone(zone).toLocalDate();
                assertThat(day).as("every row inside the range shown").isBetween(from, to);
                add(byApp, k.appid(), v);
                add(byCode.computeIfAbsent(k.appid(), a -> new TreeMap<>()), k.code(), v);
              });
      Map<String, Map<String, long[]>> users = new TreeMap<>();
      t.usersDaily()
          .forEach(
              (k, v) -> add(users.computeIfAbsent(k.appid(), a -> new TreeMap<>()), k.code(), v));
      return new Figures(t, zone, byApp, byCode, users);
    }

    static void add(Map<String, long[]> m, String key, List<Long> v) {
      long[] sum = m.computeIfAbsent(key, k -> new long[v.size()]);
      for (int i = 0; i < v.size(); i++) {
        sum[i] += v.get(i) == null ? 0 : v.get(i);
      }
    }

    LocalDateTime local(long bucketStart) {
      return LocalDateTime.ofInstant(Instant.ofEpochMilli(bucketStart), zone);
    }

    String hour(long bucketStart) {
      return local(bucketStart).truncatedTo(ChronoUnit.HOURS).toString().replace('T', ' ');
    }

    <K> Map<String, long[]> group(
        Map<K, List<Long>> rows,
        Function<K, String> appid,
        Function<K, String> codeOf,
        String app,
        String code,
        Function<K, String> key) {
      Map<String, long[]> m = new TreeMap<>();
      rows.forEach(
          (k, v) -> {
            if (appid.apply(k).equals(app) && codeOf.apply(k).equals(code)) {
              add(m, key.apply(k), v);
            }
          });
      return m;
    }

    Map<String, long[]> daily(String app, String code) {
      return group(
          t.funnel(),
          k -> k.appid(),
          k -> k.code(),
          app,
          code,
          k -> local(k.bucketStart()).toLocalDate().toString());
    }

    Map<String, long[]> hourOfDay(String app, String code) {
      return group(
          t.funnel(),
          k -> k.appid(),
          k -> k.code(),
          app,
          code,
          k -> local(k.bucketStart()).getHour() + "");
    }

    /** By device type (0), account type (1) or media type (2). */
    Map<String, long[]> breakdown(String app, String code, int dimension) {
      return group(
          t.breakdown(),
          k -> k.appid(),
          k -> k.code(),
          app,
          code,
          k ->
              (dimension == 0 ? k.deviceType() : dimension == 1 ? k.accountType() : k.mediaType())
                  + "");
    }

    Map<String, long[]> usersDaily(String app, String code) {
      return group(
          t.usersDaily(),
          k -> k.appid(),
          k -> k.code(),
          app,
          code,
          k -> LocalDate.ofEpochDay(k.day()).toString());
    }

    /** [pressed_sessions, joined_sessions] per local hour with either above zero. */
    Map<String, long[]> convertHourly(String app, String code) {
      return counts(
          group(
              t.convertTime(),
              k -> k.appid(),
              k -> k.code(),
              app,
              code,
              k -> hour(k.bucketStart())));
    }

    Map<String, long[]> convertDaily(String app, String code) {
      return counts(
          group(
              t.convertTimeDaily(),
              k -> k.appid(),
              k -> k.code(),
              app,
              code,
              k -> LocalDate.ofEpochDay(k.day()).toString()));
    }

    static Map<String, long[]> counts(Map<String, long[]> convert) {
      Map<String, long[]> out = new TreeMap<>();
      convert.forEach(
          (k, v) -> {
            if (v[0] > 0 || v[4] > 0) {
              out.put(k, new long[] {v[0], v[4]});
            }
          });
      return out;
    }

    Map<String, long[]> dwellHourly(String app, String code) {
      Map<String, long[]> m =
          group(t.dwell(), k -> k.appid(), k -> k.code(), app, code, k -> hour(k.bucketStart()));
      m.values().removeIf(v -> v[0] == 0);
      return m;
    }

    Map<String, long[]> events(String app, String code) {
      Map<String, long[]> m = new TreeMap<>();
      t.events()
          .forEach(
              (k, n) -> {
                if (k.appid().equals(app) && k.code().equals(code)) {
                  add(m, k.eventId(), List.of(n));
                }
              });
      return m;
    }
  }
}
