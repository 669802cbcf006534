package io.upbot.job.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.Properties;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class SqlDialectTest {

  private static final Instant WINTER_2023 = Instant.parse("2023-11-07T00:00:00Z");
  private static final Instant SUMMER_2024 = Instant.parse("2024-07-01T00:00:00Z");

  @Test
  void shouldDetectPostgresAndSqliteFromTheirUrls() {
    assertThat(SqlDialect.fromUrl("jdbc:postgresql://127.0.0.1:5432/upbot"))
        .isEqualTo(SqlDialect.POSTGRES);
    assertThat(SqlDialect.fromUrl("jdbc:postgresql:upbot")).isEqualTo(SqlDialect.POSTGRES);
    assertThat(SqlDialect.fromUrl("  JDBC:PostgreSQL://db/x")).isEqualTo(SqlDialect.POSTGRES);
    assertThat(SqlDialect.fromUrl("jdbc:sqlite:/var/lib/upbot/upbot.db"))
        .isEqualTo(SqlDialect.SQLITE);
    assertThat(SqlDialect.fromUrl("jdbc:sqlite::memory:")).isEqualTo(SqlDialect.SQLITE);
    assertThat(SqlDialect.fromUrl("jdbc:sqlite:file:upbot.db?busy_timeout=1000"))
        .isEqualTo(SqlDialect.SQLITE);
  }

  @Test
  void shouldRejectMysqlNamingTheSchemeAndTheSupportedOnesButNotTheCredentials() {
    assertThatThrownBy(() -> SqlDialect.fromUrl("jdbc:mysql://db:3306/upbot?password=s3cret"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unsupported JDBC URL 'jdbc:mysql:…': supported are jdbc:postgresql: (PostgreSQL)"
                + " and jdbc:sqlite: (SQLite)")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void shouldRejectBlankAndNonJdbcUrls() {
    assertThatThrownBy(() -> SqlDialect.fromUrl(null))
        .hasMessageContaining("a JDBC URL is required");
    assertThatThrownBy(() -> SqlDialect.fromUrl(" "))
        .hasMessageContaining("a JDBC URL is required");
    assertThatThrownBy(() -> SqlDialect.fromUrl("postgres://db/upbot"))
        .hasMessageStartingWith("unsupported JDBC URL 'postgres:");
    assertThatThrownBy(() -> SqlDialect.fromUrl("jdbc:sqlit:/x.db"))
        .hasMessageStartingWith("unsupported JDBC URL 'jdbc:sqlit:…'");
  }

  @Test
  void shouldFormatSqliteTimesAsUtcSecondsText() {
    assertThat(SqlDialect.sqliteTimestamp(Instant.parse("2023-11-06T16:00:00Z").toEpochMilli()))
        .isEqualTo("2023-11-06 16:00:00");
    assertThat(SqlDialect.sqliteTimestamp(Instant.parse("2023-11-06T16:20:05.999Z").toEpochMilli()))
        .isEqualTo("2023-11-06 16:20:05");
    assertThat(SqlDialect.sqliteTimestamp(0)).isEqualTo("1970-01-01 00:00:00");
    assertThat(SqlDialect.sqliteTimestamp(-1)).isEqualTo("1969-12-31 23:59:59");
  }

  @Property
  void shouldFormatSqliteTimesAsTheFormatterDoesWhateverHoursCameBefore(
      @ForAll @LongRange(min = -100_000_000_000_000L, max = 300_000_000_000_000L) long epochMs,
      @ForAll @LongRange(min = -7_200_000L, max = 7_200_000L) long step) {
    // Nearby times of the same and neighbouring hours, after others that used the slots before.
    for (int i = 0; i < 5; i++) {
      long t = epochMs + i * step;
      assertThat(SqlDialect.sqliteTimestamp(t))
          .isEqualTo(
              SqlDialect.SQLITE_TIMESTAMP.format(
                  Instant.ofEpochMilli(Math.floorDiv(t, 1000L) * 1000L)));
    }
  }

  @Test
  void shouldOpenSqliteInWalModeWithBusyTimeoutUnlessTheUrlSaysOtherwise() {
    Properties props = SqlDialect.SQLITE.connectionProperties("jdbc:sqlite:/tmp/u.db");
    assertThat(props).containsEntry("journal_mode", "WAL").containsEntry("busy_timeout", "30000");

    Properties own =
        SqlDialect.SQLITE.connectionProperties(
            "jdbc:sqlite:/tmp/u.db?journal_mode=DELETE&busy_timeout=5");
    assertThat(own).doesNotContainKeys("journal_mode", "busy_timeout");

    assertThat(SqlDialect.POSTGRES.connectionProperties("jdbc:postgresql:x"))
        .doesNotContainKeys("journal_mode", "busy_timeout", "reWriteBatchedInserts");
  }

  @Test
  void shouldNameDriverAndDdlFolderPerDialect() {
    assertThat(SqlDialect.POSTGRES.driverClass()).isEqualTo("org.postgresql.Driver");
    assertThat(SqlDialect.SQLITE.driverClass()).isEqualTo("org.sqlite.JDBC");
    assertThat(SqlDialect.POSTGRES.ddlFolder()).isEqualTo("sql/postgres");
    assertThat(SqlDialect.SQLITE.ddlFolder()).isEqualTo("sql/sqlite");
  }

  @Test
  void shouldRenderPostgresZonesByNameAndFixedOffsetsAsIsoIntervals() {
    assertThat(SqlDialect.POSTGRES.viewPlaceholders(ZoneId.of("Asia/Shanghai")))
        .isEqualTo(Map.of("TZ_NAME", "'Asia/Shanghai'", "TZ_EXPR", "'Asia/Shanghai'"));
    assertThat(SqlDialect.postgresZoneExpression(ZoneId.of("+05:30")))
        .isEqualTo("INTERVAL '+05:30:00'");
    assertThat(SqlDialect.postgresZoneExpression(ZoneId.of("-03:00")))
        .isEqualTo("INTERVAL '-03:00:00'");
    assertThat(SqlDialect.postgresZoneExpression(ZoneId.of("UTC")))
        .isEqualTo("INTERVAL '+00:00:00'");
    assertThat(SqlDialect.postgresZoneExpression(ZoneId.of("GMT+8")))
        .isEqualTo("INTERVAL '+08:00:00'");
  }

  @Test
  void shouldRenderSqliteZonesAsTheirStandardOffsetWhateverTheSeason() {
    assertThat(SqlDialect.SQLITE.viewPlaceholders(ZoneId.of("Asia/Shanghai"), WINTER_2023))
        .isEqualTo(Map.of("TZ_NAME", "'Asia/Shanghai'", "TZ_MODIFIER", "'+480 minutes'"));
    ZoneId newYork = ZoneId.of("America/New_York");
    assertThat(SqlDialect.sqliteOffsetModifier(newYork, WINTER_2023)).isEqualTo("'-300 minutes'");
    assertThat(SqlDialect.sqliteOffsetModifier(newYork, SUMMER_2024)).isEqualTo("'-300 minutes'");
    assertThat(SqlDialect.sqliteOffsetModifier(ZoneId.of("Asia/Kathmandu"), WINTER_2023))
        .isEqualTo("'+345 minutes'");
    assertThat(SqlDialect.sqliteOffsetModifier(ZoneId.of("+00:00:30"), WINTER_2023))
        .isEqualTo("'+30 seconds'");
  }
}
