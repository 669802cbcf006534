package io.upbot.job.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.upbot.job.database.SchemaInstaller;
import io.upbot.testkit.PostgresDatabase;
import java.time.ZoneId;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The sink and view scenarios against a scratch database on the machine's PostgreSQL. */
class PostgresTableSinksITCase extends TableSinksScenarios {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private PostgresDatabase db;
  private JdbcSettings settings;

  @BeforeEach
  void createDatabase() {
    db = PostgresDatabase.create();
    settings = JdbcSettings.defaults(db.jdbcUrl()).withCredentials(db.user(), "");
  }

  @AfterEach
  void dropDatabase() {
    db.close();
  }

  @Override
  JdbcSettings settings() {
    return settings;
  }

  @Test
  void shouldStoreTimesAsTimestamptzAndCountsAsBigint() throws Exception {
    SchemaInstaller.install(settings);

    assertThat(
            query(
                "SELECT table_name, column_name, data_type FROM information_schema.columns"
                    + " WHERE table_schema = 'public' AND column_name IN"
                    + " ('bucket_start', 'updated_at', 'recorded_at', 'sessions', 'events')"
                    + " AND table_name NOT LIKE '%daily'"
                    + " ORDER BY table_name, column_name"))
        .containsExactly(
            "code_convert_time_hourly|bucket_start|timestamp with time zone",
            "code_convert_time_hourly|updated_at|timestamp with time zone",
            "code_dwell_hourly|bucket_start|timestamp with time zone",
            "code_dwell_hourly|events|bigint",
            "code_dwell_hourly|updated_at|timestamp with time zone",
            "code_event_hourly|bucket_start|timestamp with time zone",
            "code_event_hourly|events|bigint",
            "code_event_hourly|updated_at|timestamp with time zone",
            "code_funnel_breakdown_hourly|bucket_start|timestamp with time zone",
            "code_funnel_breakdown_hourly|sessions|bigint",
            "code_funnel_breakdown_hourly|updated_at|timestamp with time zone",
            "code_funnel_hourly|bucket_start|timestamp with time zone",
            "code_funnel_hourly|sessions|bigint",
            "code_funnel_hourly|updated_at|timestamp with time zone",
            "code_join_hourly|bucket_start|timestamp with time zone",
            "code_join_hourly|updated_at|timestamp with time zone",
            "dead_letter_events|recorded_at|timestamp with time zone");
  }

  @Test
  void shouldStoreDaysAsDateAndConvertTimesAsDoublePrecision() throws Exception {
    SchemaInstaller.install(settings);

    assertThat(
            query(
                "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c"
                    + " JOIN information_schema.tables t USING (table_schema, table_name)"
                    + " WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'"
                    + " AND c.column_name IN ('day', 'users', 'press_p50_s', 'join_p99_s',"
                    + " 'pressed_sessions', 'device_type', 'media_type')"
                    + " ORDER BY c.table_name, c.column_name"))
        .containsExactly(
            "code_convert_time_daily|day|date",
            "code_convert_time_daily|join_p99_s|double precision",
            "code_convert_time_daily|press_p50_s|double precision",
            "code_convert_time_daily|pressed_sessions|bigint",
            "code_convert_time_hourly|join_p99_s|double precision",
            "code_convert_time_hourly|press_p50_s|double precision",
            "code_convert_time_hourly|pressed_sessions|bigint",
            "code_funnel_breakdown_hourly|device_type|integer",
            "code_funnel_breakdown_hourly|media_type|integer",
            "code_users_daily|day|date",
            "code_users_daily|users|bigint");
  }

  @Test
  void shouldRefuseAZoneThisServerDoesNotKnowAndInstallNothing() throws Exception {
    // Java 17 still knows the old SystemV zones (with DST rules); PostgreSQL's zone database does
    // not.
    assumeTrue(ZoneId.getAvailableZoneIds().contains("SystemV/CST6CDT"));

    assertThatThrownBy(
            () -> SchemaInstaller.install(settings.withTimeZone(ZoneId.of("SystemV/CST6CDT"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("time zone: 'SystemV/CST6CDT' is not known to this PostgreSQL server");
    assertThat(
            query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"))
        .containsExactly("0");
  }
}
