package io.upbot.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.List;

/**
 * The expected figures of {@link Fixture#standard()} over {@link Fixture#FROM}..{@link Fixture#TO}
 * in Asia/Shanghai, worked out by hand from the rows; shared by the SQLite and PostgreSQL tests, so
 * both databases must give the same numbers.
 */
final class FigureChecks {

  private final Database db;
  private final Figures figures;

  FigureChecks(Database db, Figures figures) {
    this.db = db;
    this.figures = figures;
  }

  Result run(String id, Scope s) throws SQLException {
    Figures.Figure f = figures.get(id);
    Result r = db.run(f.query().apply(s), f.columns());
    assertThat(r.available()).as(id + " available").isTrue();
    return r;
  }

  void dailyFunnelFollowsLocalDays(Scope code) throws SQLException {
    Result daily = run("daily", code);
    // 16:00 UTC on 11-29 is 00:00 on 11-30 in Shanghai; 15:00 UTC on 11-30 is still 11-30.
    assertThat(daily.rows())
        .containsExactly(
            List.of("2026-11-30", 14L, 11L, 7L, 3L, 3 / 11.0),
            List.of("2026-12-01", 6L, 6L, 3L, 3L, 0.5),
            List.of("2026-12-02", 20L, 15L, 7L, 4L, 4 / 15.0));
  }

  void totalsCoverTheRangeOnly(Scope code, Scope app) throws SQLException {
    assertThat(run("funnel", code).rows()).containsExactly(List.of(40L, 32L, 17L, 10L));
    Result codes = run("codes", app);
    assertThat(codes.rows())
        .containsExactly(
            List.of("C1", 40L, 32L, 17L, 10L, 10 / 32.0),
            List.of("C2", 7L, 5L, 0L, 0L, 0.0),
            List.of("", 3L, 1L, 0L, 0L, 0.0),
            List.of(Fixture.NASTY_CODE, 2L, 2L, 1L, 1L, 0.5));
    assertThat(run("code_users", app).rows())
        .containsExactly(List.of("C1", 32L, 26L, 15L, 9L), List.of("C2", 6L, 4L, 0L, 0L));
    assertThat(run("apps", new Scope(null, null, code.from(), code.to(), null)).rows())
        .containsExactly(List.of("wx-a", 52L, 40L, 18L, 11L), List.of("wx-b", 1L, 1L, 1L, 1L));
    assertThat(run("by_device_type", code).rows())
        .containsExactly(
            List.of(1L, 30L, 23L, 12L, 6L, 6 / 23.0), List.of(2L, 10L, 9L, 5L, 4L, 4 / 9.0));
    assertThat(run("by_account_type", code).rows())
        .containsExactly(
            List.of(2L, 36L, 29L, 15L, 9L, 9 / 29.0), List.of(1L, 4L, 3L, 2L, 1L, 1 / 3.0));
    assertThat(run("by_media_type", code).rows())
        .containsExactly(
            List.of(1L, 24L, 18L, 9L, 5L, 5 / 18.0), List.of(2L, 16L, 14L, 8L, 5L, 5 / 14.0));
    assertThat(run("codes_daily", app).rows())
        .contains(List.of("C1", "2026-11-30", 14L), List.of("C2", "2026-12-01", 7L))
        .hasSize(6);
  }

  void hourOfDayIsLocal(Scope code) throws SQLException {
    assertThat(run("hour_of_day", code).rows())
        .containsExactly(
            List.of(0L, 16L, 14L, 8L, 5L),
            List.of(11L, 20L, 15L, 7L, 4L),
            List.of(23L, 4L, 3L, 2L, 1L));
  }

  void dwellConvertUsersEvents(Scope code) throws SQLException {
    assertThat(run("dwell_hourly", code).rows())
        .containsExactly(
            List.of("2026-11-30 00:00", 8L, 8L, 20L, 30L, 30L),
            List.of("2026-11-30 23:00", 3L, 10L, 20L, 20L, 20L),
            List.of("2026-12-02 11:00", 15L, 15L, 60L, 90L, 90L));
    assertThat(run("dwell_daily", code).rows())
        .containsExactly(
            List.of("2026-11-30", 11L, 116L, 116 / 11.0, 30L),
            List.of("2026-12-02", 15L, 300L, 20.0, 90L));
    Result convert = run("convert_time", code);
    assertThat(convert.rows()).hasSize(3);
    assertThat(convert.rows().get(1))
        .containsExactly("2026-11-30 23:00", 2L, 4.0, 6.0, 6.0, 0L, null, null, null);
    assertThat(convert.rows().get(2))
        .containsExactly("2026-12-02 11:00", 7L, 2.5, 8.0, 11.0, 4L, 30.0, 60.0, 61.0);
    assertThat(run("convert_time_daily", code).rows())
        .containsExactly(
            List.of("2026-11-30", 7L, 3.5, 9.0, 12.0, 2L, 40.0, 80.0, 95.5),
            List.of("2026-12-02", 7L, 2.5, 8.0, 11.0, 4L, 30.0, 60.0, 61.0));
    assertThat(run("users_daily", code).rows())
        .containsExactly(
            List.of("2026-11-30", 9L, 7L, 5L, 2L),
            List.of("2026-12-01", 5L, 5L, 3L, 3L),
            List.of("2026-12-02", 18L, 14L, 7L, 4L));
    assertThat(run("events", code).rows())
        .containsExactly(List.of("1001", 23L), List.of("1002", 5L), List.of("1003", 4L));
  }

  void wecomJoins(Scope code) throws SQLException {
    // 11-29 16:00 UTC is 11-30 in Shanghai; the row of 11-29 15:00 UTC is before the range.
    assertThat(run("wecom_joins", code).rows()).containsExactly(List.of(14L, 9L, 3L, 2L, 9 / 14.0));
    assertThat(run("wecom_joins_daily", code).rows())
        .containsExactly(
            List.of("2026-11-30", 6L, 4L, 2L, 0L, 4 / 6.0),
            List.of("2026-12-01", 3L, 1L, 0L, 2L, 1 / 3.0),
            List.of("2026-12-02", 5L, 4L, 1L, 0L, 0.8));
    // A code without joins: zeros, and no share.
    List<Object> none = new java.util.ArrayList<>();
    none.addAll(List.of(0L, 0L, 0L, 0L));
    none.add(null);
    assertThat(run("wecom_joins", code.withCode("C9")).rows()).containsExactly(none);
    assertThat(run("wecom_joins_daily", code.withCode("C9")).rows()).isEmpty();
  }

  void deadLetters(Scope all) throws SQLException {
    assertThat(run("dead_letters_daily", all).rows())
        .containsExactly(
            List.of("2026-11-30", "late", 1L),
            List.of("2026-12-01", "late", 1L),
            List.of("2026-12-01", "malformed", 1L),
            List.of("2026-12-02", "malformed", 1L));
    Result newest = run("dead_letters_newest", all);
    assertThat(newest.rows()).hasSize(4);
    List<Object> first = newest.rows().get(0);
    assertThat(first.get(1)).isEqualTo("2026-12-02 17:00");
    assertThat((String) first.get(4)).hasSize(Figures.PAYLOAD_CHARS);
    assertThat(first.get(5)).isEqualTo(1010L);
    Result late = run("dead_letters_newest", new Scope(null, null, all.from(), all.to(), "late"));
    assertThat(late.rows()).extracting(r -> r.get(2)).containsOnly("late").hasSize(2);
  }
}
