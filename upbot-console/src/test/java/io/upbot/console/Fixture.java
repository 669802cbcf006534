package io.upbot.console;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fixture databases for the console's tests: the repository's DDL (sql/), the newer tables
 * (fixture/; code_join_hourly is in sql/), and rows written as the job writes them.
 */
final class Fixture {

  /** The first and last local (Asia/Shanghai) day the standard rows cover. */
  static final LocalDate FROM = LocalDate.parse("2026-11-30");

  static final LocalDate TO = LocalDate.parse("2026-12-02");

  /** A code that needs escaping everywhere it is shown. */
  static final String NASTY_CODE = "<b>x</b>'\"&amp;";

  /** A dead letter payload that would run as script if not escaped. */
  static final String NASTY_PAYLOAD = "{\"code\":\"<script>window.pwned=1</script>\"}";

  record Funnel(Instant bucket, String appid, String code, long s, long e, long lp, long j) {}

  record Breakdown(
      Instant bucket,
      String appid,
      String code,
      int device,
      int account,
      int media,
      long s,
      long e,
      long lp,
      long j) {}

  record Users(LocalDate day, String appid, String code, long u, long eu, long lpu, long ju) {}

  record Dwell(
      Instant bucket,
      String appid,
      String code,
      long events,
      long total,
      int max,
      int p50,
      int p90,
      int p99) {}

  record Event(Instant bucket, String appid, String code, String eventId, long events) {}

  record Convert(
      Instant bucket,
      String appid,
      String code,
      long pressed,
      Double pp50,
      Double pp90,
      Double pp99,
      long joined,
      Double jp50,
      Double jp90,
      Double jp99) {}

  record ConvertDaily(
      LocalDate day,
      String appid,
      String code,
      long pressed,
      Double pp50,
      Double pp90,
      Double pp99,
      long joined,
      Double jp50,
      Double jp90,
      Double jp99) {}

  record DeadLetter(String reason, String payload, String source, Instant recordedAt) {}

  record Join(
      Instant bucket, String appid, String code, long joins, long attributed, long unattributed) {}

  /** Rows of every table. */
  record Data(
      List<Funnel> funnel,
      List<Breakdown> breakdown,
      List<Users> users,
      List<Dwell> dwell,
      List<Event> events,
      List<Convert> convert,
      List<ConvertDaily> convertDaily,
      List<DeadLetter> deadLetters,
      List<Join> joins) {}

  /** The tables added after the first four. */
  static final List<String> NEWER_TABLES =
      List.of(
          "code_funnel_breakdown_hourly",
          "code_users_daily",
          "code_convert_time_hourly",
          "code_convert_time_daily",
          "code_join_hourly");

  private Fixture() {}

  static Instant t(String utc) {
    return Instant.parse(utc.replace(' ', 'T') + ":00Z");
  }

  /**
   * The standard rows. UTC hours chosen around Shanghai midnight (16:00 UTC), so a wrong day
   * boundary moves numbers between days; one row before the range that must not count.
   */
  static Data standard() {
    List<Funnel> f =
        List.of(
            new Funnel(t("2026-11-29 15:00"), "wx-a", "C1", 100, 90, 80, 70), // 11-29 local: out
            new Funnel(t("2026-11-29 16:00"), "wx-a", "C1", 10, 8, 5, 2), // 11-30 00:00
            new Funnel(t("2026-11-30 15:00"), "wx-a", "C1", 4, 3, 2, 1), // 11-30 23:00
            new Funnel(t("2026-11-30 16:00"), "wx-a", "C1", 6, 6, 3, 3), // 12-01 00:00
            new Funnel(t("2026-12-02 03:00"), "wx-a", "C1", 20, 15, 7, 4), // 12-02 11:00
            new Funnel(t("2026-12-01 02:00"), "wx-a", "", 3, 1, 0, 0),
            new Funnel(t("2026-12-01 05:00"), "wx-a", NASTY_CODE, 2, 2, 1, 1),
            new Funnel(t("2026-12-01 06:00"), "wx-a", "C2", 7, 5, 0, 0),
            new Funnel(t("2026-12-01 06:00"), "wx-b", "C9", 1, 1, 1, 1));
    List<Breakdown> b =
        List.of(
            new Breakdown(t("2026-11-29 16:00"), "wx-a", "C1", 1, 2, 2, 6, 5, 3, 1),
            new Breakdown(t("2026-11-29 16:00"), "wx-a", "C1", 2, 2, 1, 4, 3, 2, 1),
            new Breakdown(t("2026-11-30 15:00"), "wx-a", "C1", 1, 1, 2, 4, 3, 2, 1),
            new Breakdown(t("2026-11-30 16:00"), "wx-a", "C1", 2, 2, 2, 6, 6, 3, 3),
            new Breakdown(t("2026-12-02 03:00"), "wx-a", "C1", 1, 2, 1, 20, 15, 7, 4),
            new Breakdown(t("2026-11-29 15:00"), "wx-a", "C1", 3, 3, 3, 100, 90, 80, 70));
    List<Users> u =
        List.of(
            new Users(LocalDate.parse("2026-11-29"), "wx-a", "C1", 50, 50, 50, 50),
            new Users(LocalDate.parse("2026-11-30"), "wx-a", "C1", 9, 7, 5, 2),
            new Users(LocalDate.parse("2026-12-01"), "wx-a", "C1", 5, 5, 3, 3),
            new Users(LocalDate.parse("2026-12-02"), "wx-a", "C1", 18, 14, 7, 4),
            new Users(LocalDate.parse("2026-12-01"), "wx-a", "C2", 6, 4, 0, 0));
    List<Dwell> d =
        List.of(
            new Dwell(t("2026-11-29 16:00"), "wx-a", "C1", 8, 80, 30, 8, 20, 30),
            new Dwell(t("2026-11-30 15:00"), "wx-a", "C1", 3, 36, 20, 10, 20, 20),
            new Dwell(t("2026-12-02 03:00"), "wx-a", "C1", 15, 300, 90, 15, 60, 90));
    List<Event> e =
        List.of(
            new Event(t("2026-11-29 16:00"), "wx-a", "C1", "1001", 8),
            new Event(t("2026-11-29 16:00"), "wx-a", "C1", "1002", 5),
            new Event(t("2026-12-02 03:00"), "wx-a", "C1", "1001", 15),
            new Event(t("2026-12-02 03:00"), "wx-a", "C1", "1003", 4));
    List<Convert> c =
        List.of(
            new Convert(
                t("2026-11-29 16:00"), "wx-a", "C1", 5, 3.0, 9.5, 12.0, 2, 40.0, 80.0, 95.5),
            new Convert(t("2026-11-30 15:00"), "wx-a", "C1", 2, 4.0, 6.0, 6.0, 0, null, null, null),
            new Convert(
                t("2026-12-02 03:00"), "wx-a", "C1", 7, 2.5, 8.0, 11.0, 4, 30.0, 60.0, 61.0));
    List<ConvertDaily> cd =
        List.of(
            new ConvertDaily(
                LocalDate.parse("2026-11-29"), "wx-a", "C1", 9, 1.0, 1.0, 1.0, 9, 1.0, 1.0, 1.0),
            new ConvertDaily(
                LocalDate.parse("2026-11-30"),
                "wx-a",
                "C1",
                7,
                3.5,
                9.0,
                12.0,
                2,
                40.0,
                80.0,
                95.5),
            new ConvertDaily(
                LocalDate.parse("2026-12-02"),
                "wx-a",
                "C1",
                7,
                2.5,
                8.0,
                11.0,
                4,
                30.0,
                60.0,
                61.0));
    List<DeadLetter> dl = new ArrayList<>();
    dl.add(new DeadLetter("late", "{\"late\":1}", "upbot/0/1", t("2026-11-30 01:00")));
    dl.add(new DeadLetter("late", "{\"late\":2}", "upbot/0/2", t("2026-11-30 17:00")));
    dl.add(new DeadLetter("malformed", NASTY_PAYLOAD, "upbot/1/7", t("2026-12-01 02:00")));
    char[] big = new char[1000];
    Arrays.fill(big, 'x');
    dl.add(
        new DeadLetter(
            "malformed",
            "{\"big\":\"" + new String(big) + "\"}",
            "upbot/1/8",
            t("2026-12-02 09:00")));
    dl.add(new DeadLetter("late", "{\"old\":1}", "upbot/0/0", t("2026-11-29 10:00"))); // out
    List<Join> j =
        List.of(
            new Join(t("2026-11-29 15:00"), "wx-a", "C1", 50, 40, 10), // 11-29 local: out
            new Join(t("2026-11-29 16:00"), "wx-a", "C1", 4, 3, 1), // 11-30 00:00
            new Join(t("2026-11-30 15:00"), "wx-a", "C1", 2, 1, 1), // 11-30 23:00
            new Join(t("2026-11-30 16:00"), "wx-a", "C1", 3, 1, 0), // 12-01 00:00, 2 waiting
            new Join(t("2026-12-02 03:00"), "wx-a", "C1", 5, 4, 1),
            new Join(t("2026-12-01 06:00"), "wx-a", "C2", 7, 0, 7),
            new Join(t("2026-12-01 06:00"), "wx-b", "C1", 9, 9, 0));
    return new Data(f, b, u, d, e, c, cd, dl, j);
  }

  // ---------------------------------------------------------------- databases

  /** Creates the tables (the newer three only when {@code newTables}) and writes {@code data}. */
  static void load(String url, String schema, Dialect dialect, boolean newTables, Data data)
      throws SQLException {
    try (Connection c =
        dialect == Dialect.POSTGRES
            ? DriverManager.getConnection(url, "postgres", "")
            : DriverManager.getConnection(url)) {
      try (Statement s = c.createStatement()) {
        if (schema != null) {
          s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
          s.execute("CREATE SCHEMA " + schema);
          s.execute("SET search_path TO " + schema);
        }
        String folder = dialect == Dialect.POSTGRES ? "postgres" : "sqlite";
        for (String sql : statements(resource("sql/" + folder + "/tables.sql"))) {
          s.execute(sql);
        }
        if (newTables) {
          for (String sql : statements(resource("fixture/new-tables-" + folder + ".sql"))) {
            s.execute(sql);
          }
        } else {
          // An older database: without the newer tables, whether or not sql/ has them by now.
          for (String table : NEWER_TABLES) {
            s.execute("DROP TABLE IF EXISTS " + table);
          }
        }
      }
      write(c, dialect, newTables, data);
    }
  }

  private static void write(Connection c, Dialect d, boolean newTables, Data data)
      throws SQLException {
    Instant now = Instant.parse("2026-12-03T00:00:00Z");
    for (Funnel r : data.funnel()) {
      insert(
          c,
          d,
          "INSERT INTO code_funnel_hourly VALUES (?,?,?,?,?,?,?,?)",
          r.bucket(),
          r.appid(),
          r.code(),
          r.s(),
          r.e(),
          r.lp(),
          r.j(),
          now);
    }
    for (Dwell r : data.dwell()) {
      insert(
          c,
          d,
          "INSERT INTO code_dwell_hourly VALUES (?,?,?,?,?,?,?,?,?,?)",
          r.bucket(),
          r.appid(),
          r.code(),
          r.events(),
          r.total(),
          r.max(),
          r.p50(),
          r.p90(),
          r.p99(),
          now);
    }
    for (Event r : data.events()) {
      insert(
          c,
          d,
          "INSERT INTO code_event_hourly VALUES (?,?,?,?,?,?)",
          r.bucket(),
          r.appid(),
          r.code(),
          r.eventId(),
          r.events(),
          now);
    }
    for (DeadLetter r : data.deadLetters()) {
      insert(
          c,
          d,
          "INSERT INTO dead_letter_events (reason, payload, source, recorded_at) VALUES (?,?,?,?)",
          r.reason(),
          r.payload(),
          r.source(),
          r.recordedAt());
    }
    if (!newTables) {
      return;
    }
    for (Breakdown r : data.breakdown()) {
      insert(
          c,
          d,
          "INSERT INTO code_funnel_breakdown_hourly VALUES (?,?,?,?,?,?,?,?,?,?,?)",
          r.bucket(),
          r.appid(),
          r.code(),
          r.device(),
          r.account(),
          r.media(),
          r.s(),
          r.e(),
          r.lp(),
          r.j(),
          now);
    }
    for (Users r : data.users()) {
      insert(
          c,
          d,
          "INSERT INTO code_users_daily VALUES (?,?,?,?,?,?,?,?)",
          r.day(),
          r.appid(),
          r.code(),
          r.u(),
          r.eu(),
          r.lpu(),
          r.ju(),
          now);
    }
    for (Convert r : data.convert()) {
      insert(
          c,
          d,
          "INSERT INTO code_convert_time_hourly VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
          r.bucket(),
          r.appid(),
          r.code(),
          r.pressed(),
          r.pp50(),
          r.pp90(),
          r.pp99(),
          r.joined(),
          r.jp50(),
          r.jp90(),
          r.jp99(),
          now);
    }
    writeConvertDaily(c, d, data, now);
    for (Join r : data.joins()) {
      insert(
          c,
          d,
          "INSERT INTO code_join_hourly VALUES (?,?,?,?,?,?,?)",
          r.bucket(),
          r.appid(),
          r.code(),
          r.joins(),
          r.attributed(),
          r.unattributed(),
          now);
    }
  }

  private static void writeConvertDaily(Connection c, Dialect d, Data data, Instant now)
      throws SQLException {
    for (ConvertDaily r : data.convertDaily()) {
      insert(
          c,
          d,
          "INSERT INTO code_convert_time_daily VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
          r.day(),
          r.appid(),
          r.code(),
          r.pressed(),
          r.pp50(),
          r.pp90(),
          r.pp99(),
          r.joined(),
          r.jp50(),
          r.jp90(),
          r.jp99(),
          now);
    }
  }

  private static void insert(Connection c, Dialect d, String sql, Object... values)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        Object v = values[i];
        if (v == null) {
          ps.setNull(i + 1, java.sql.Types.DOUBLE);
        } else if (v instanceof Double x) {
          ps.setDouble(i + 1, x);
        } else {
          d.bind(ps, i + 1, v);
        }
      }
      ps.executeUpdate();
    }
  }

  static String resource(String path) {
    try (InputStream in = Fixture.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException(path + " is not on the test classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The statements of a DDL script: line comments dropped, split at semicolons. */
  static List<String> statements(String script) {
    StringBuilder b = new StringBuilder();
    for (String line : script.split("\n")) {
      int dash = line.indexOf("--");
      b.append(dash >= 0 ? line.substring(0, dash) : line).append('\n');
    }
    List<String> out = new ArrayList<>();
    for (String s : b.toString().split(";")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return out;
  }
}
