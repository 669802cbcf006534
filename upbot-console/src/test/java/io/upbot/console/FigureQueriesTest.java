package io.upbot.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's figures against SQLite with fixture rows: the numbers, the days, the gaps. */
class FigureQueriesTest {

  static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

  @TempDir Path dir;

  Database db;
  Figures figures;
  Scope code;
  Scope app;

  @BeforeEach
  void load() throws SQLException {
    String url = "jdbc:sqlite:" + dir.resolve("upbot.db");
    Fixture.load(url, null, Dialect.SQLITE, true, Fixture.standard());
    db = new Database(url, null, null);
    figures = new Figures(Dialect.SQLITE, SHANGHAI);
    code = new Scope("wx-a", "C1", Fixture.FROM, Fixture.TO, null);
    app = new Scope("wx-a", null, Fixture.FROM, Fixture.TO, null);
  }

  static FigureChecks checks(Database db, Figures figures) {
    return new FigureChecks(db, figures);
  }

  @Test
  void shouldCountEachHourInTheLocalDayItStartsIn() throws SQLException {
    checks(db, figures).dailyFunnelFollowsLocalDays(code);
  }

  @Test
  void shouldSumTheRangeOnlyForTheFunnelCodesAndBreakdowns() throws SQLException {
    checks(db, figures).totalsCoverTheRangeOnly(code, app);
  }

  @Test
  void shouldGroupByLocalHourOfDay() throws SQLException {
    checks(db, figures).hourOfDayIsLocal(code);
  }

  @Test
  void shouldReadDwellConvertTimeUsersAndEvents() throws SQLException {
    checks(db, figures).dwellConvertUsersEvents(code);
  }

  @Test
  void shouldCountWeComJoinsByOutcomeInLocalDaysOfTheRange() throws SQLException {
    checks(db, figures).wecomJoins(code);
  }

  @Test
  void shouldCountDeadLettersByLocalDayAndCutPayloads() throws SQLException {
    checks(db, figures).deadLetters(new Scope(null, null, Fixture.FROM, Fixture.TO, null));
  }

  @Test
  void shouldSayNotAvailableWhenANewerTableIsMissing() throws SQLException {
    String url = "jdbc:sqlite:" + dir.resolve("old.db");
    Fixture.load(url, null, Dialect.SQLITE, false, Fixture.standard());
    Database old = new Database(url, null, null);
    Result users = run(old, "users_daily", code);
    assertThat(users.available()).isFalse();
    assertThat(users.missing()).containsExactly("code_users_daily");
    assertThat(run(old, "by_device_type", code).missing())
        .containsExactly("code_funnel_breakdown_hourly");
    assertThat(run(old, "convert_time", code).missing())
        .containsExactly("code_convert_time_hourly");
    assertThat(run(old, "convert_time_daily", code).missing())
        .containsExactly("code_convert_time_daily");
    assertThat(run(old, "wecom_joins", code).missing()).containsExactly("code_join_hourly");
    assertThat(run(old, "wecom_joins_daily", code).missing()).containsExactly("code_join_hourly");
    // The older tables still answer.
    assertThat(run(old, "funnel", code).available()).isTrue();
  }

  @Test
  void shouldOpenTheDatabaseReadOnly() throws SQLException {
    try (var c = db.connect();
        var s = c.createStatement()) {
      assertThatThrownBy(() -> s.execute("DELETE FROM code_funnel_hourly"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("readonly");
    }
  }

  @Test
  void shouldReadAWalDatabaseWhileTheJobWritesAndAfterItStopped() throws SQLException {
    String url = "jdbc:sqlite:" + dir.resolve("upbot.db");
    try (var writer = java.sql.DriverManager.getConnection(url);
        var s = writer.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.executeUpdate(
          "INSERT INTO code_funnel_hourly VALUES"
              + " ('2026-12-01 07:00:00', 'wx-a', 'C1', 1, 1, 1, 1, '2026-12-03 00:00:00')");
      // The writer still open, as the job's: its committed row is read.
      assertThat(run(db, "funnel", code).rows()).containsExactly(List.of(41L, 33L, 18L, 11L));
    }
    // The job stopped (its -wal and -shm files gone): still readable, read-only.
    assertThat(dir.resolve("upbot.db-wal")).doesNotExist();
    assertThat(run(db, "funnel", code).rows()).containsExactly(List.of(41L, 33L, 18L, 11L));
  }

  @Test
  void shouldNotCreateAMissingSqliteFile() {
    Database none = new Database("jdbc:sqlite:" + dir.resolve("none.db"), null, null);
    assertThatThrownBy(none::connect)
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("no database at")
        .hasMessageContaining("start ./upbot local first");
    assertThat(dir.resolve("none.db")).doesNotExist();
  }

  @Test
  void shouldGiveARunnableCopyOfEveryQueryThatReturnsTheSameRows() throws SQLException {
    for (Figures.Figure f : figures.all()) {
      Scope s =
          f.needs() == Figures.Needs.NOTHING
              ? new Scope(null, null, code.from(), code.to(), null)
              : f.needs() == Figures.Needs.APPID ? app : code;
      Query q = f.query().apply(s);
      Result viaParams = db.run(q, f.columns());
      Result viaLiterals =
          db.run(new Query(q.runnable(Dialect.SQLITE), List.of(), q.tables()), f.columns());
      assertThat(viaLiterals.rows()).as(f.id()).isEqualTo(viaParams.rows());
    }
  }

  private Result run(Database d, String id, Scope s) throws SQLException {
    Figures.Figure f = figures.get(id);
    return d.run(f.query().apply(s), f.columns());
  }
}
