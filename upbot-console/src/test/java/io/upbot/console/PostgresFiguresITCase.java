package io.upbot.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same figures against PostgreSQL (127.0.0.1:5432, its own schema): the numbers must equal
 * SQLite's, with days by {@code AT TIME ZONE}.
 */
class PostgresFiguresITCase {

  static final String BASE = "jdbc:postgresql://127.0.0.1:5432/test";
  static final String SCHEMA = "console_it_" + ProcessHandle.current().pid();
  static final String URL = BASE + "?currentSchema=" + SCHEMA;

  static Database db;
  static FigureChecks checks;
  static Scope code = new Scope("wx-a", "C1", Fixture.FROM, Fixture.TO, null);
  static Scope app = new Scope("wx-a", null, Fixture.FROM, Fixture.TO, null);

  @BeforeAll
  static void load() throws SQLException {
    Fixture.load(URL, SCHEMA, Dialect.POSTGRES, true, Fixture.standard());
    db = new Database(URL, "postgres", null);
    checks = new FigureChecks(db, new Figures(Dialect.POSTGRES, ZoneId.of("Asia/Shanghai")));
  }

  @AfterAll
  static void drop() throws SQLException {
    try (Connection c = DriverManager.getConnection(BASE, "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
      s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + "_old CASCADE");
    }
  }

  @Test
  void shouldShowTheRestOfAPageWhenAnOlderDatabaseLacksNewerTables() throws SQLException {
    String old = SCHEMA + "_old";
    Fixture.load(BASE + "?currentSchema=" + old, old, Dialect.POSTGRES, false, Fixture.standard());
    Database oldDb = new Database(BASE + "?currentSchema=" + old, "postgres", null);
    // One connection for the whole page: a missing table must not spoil the figures after it.
    String page =
        new Pages(oldDb, new Figures(Dialect.POSTGRES, ZoneId.of("Asia/Shanghai"))).code(code);
    assertThat(page)
        .contains("no code_users_daily table")
        .contains("no code_funnel_breakdown_hourly table")
        .contains("no code_convert_time_hourly table")
        .contains("no code_join_hourly table")
        .contains("<tr data-key=\"2026-12-02\"><td data-col=\"day\">2026-12-02</td>")
        .contains("data-key=\"1001\"");
  }

  @Test
  void shouldGiveTheSameFiguresAsSqlite() throws SQLException {
    checks.dailyFunnelFollowsLocalDays(code);
    checks.totalsCoverTheRangeOnly(code, app);
    checks.hourOfDayIsLocal(code);
    checks.dwellConvertUsersEvents(code);
    checks.wecomJoins(code);
    checks.deadLetters(new Scope(null, null, Fixture.FROM, Fixture.TO, null));
  }

  @Test
  void shouldRunEveryRunnableCopyAsIs() throws SQLException {
    Figures figures = new Figures(Dialect.POSTGRES, ZoneId.of("Asia/Shanghai"));
    for (Figures.Figure f : figures.all()) {
      Scope s =
          f.needs() == Figures.Needs.NOTHING
              ? new Scope(null, null, code.from(), code.to(), null)
              : f.needs() == Figures.Needs.APPID ? app : code;
      Query q = f.query().apply(s);
      Result viaLiterals =
          db.run(new Query(q.runnable(Dialect.POSTGRES), List.of(), q.tables()), f.columns());
      assertThat(viaLiterals.rows()).as(f.id()).isEqualTo(db.run(q, f.columns()).rows());
    }
  }

  @Test
  void shouldRefuseWritesOnItsConnections() throws SQLException {
    try (Connection c = db.connect();
        Statement s = c.createStatement()) {
      assertThatThrownBy(() -> s.execute("DELETE FROM code_funnel_hourly"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("read-only");
    }
  }
}
