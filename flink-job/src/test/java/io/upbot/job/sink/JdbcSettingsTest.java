package io.upbot.job.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class JdbcSettingsTest {

  @Test
  void shouldDefaultToShanghaiDaysAndModestBatching() {
    JdbcSettings s = JdbcSettings.defaults("jdbc:sqlite:/tmp/u.db");

    assertThat(s.timeZone()).isEqualTo(ZoneId.of("Asia/Shanghai"));
    assertThat(s.user()).isNull();
    assertThat(s.password()).isNull();
    assertThat(s.batchSize()).isEqualTo(1000);
    assertThat(s.batchIntervalMs()).isEqualTo(200);
    assertThat(s.maxRetries()).isEqualTo(3);
    assertThat(s.dialect()).isEqualTo(SqlDialect.SQLITE);
  }

  @Test
  void shouldListEveryInvalidFieldInOneMessage() {
    assertThatThrownBy(() -> new JdbcSettings("jdbc:mysql://db/x", null, null, null, 0, -1, -2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid JDBC settings: url: unsupported JDBC URL 'jdbc:mysql:…'")
        .hasMessageContaining("timeZone: required")
        .hasMessageContaining("batchSize: must be at least 1, was 0")
        .hasMessageContaining("batchIntervalMs: must not be negative, was -1")
        .hasMessageContaining("maxRetries: must not be negative, was -2");
    assertThatThrownBy(() -> JdbcSettings.defaults(""))
        .hasMessage("invalid JDBC settings: url: required");
  }

  @Test
  void shouldParseZoneIdsAndRejectUnknownOrInjectedOnes() {
    assertThat(JdbcSettings.parseTimeZone(" Europe/Berlin ")).isEqualTo(ZoneId.of("Europe/Berlin"));
    assertThat(JdbcSettings.parseTimeZone("+08:00")).isEqualTo(ZoneId.of("+08:00"));
    assertThatThrownBy(() -> JdbcSettings.parseTimeZone("Mars/Olympus_Mons"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("time zone: unknown zone id 'Mars/Olympus_Mons'");
    assertThatThrownBy(
            () -> JdbcSettings.parseTimeZone("Asia/Shanghai'; DROP TABLE code_funnel_hourly; --"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("time zone: unknown zone id");
    assertThatThrownBy(() -> JdbcSettings.parseTimeZone("")).hasMessage("time zone: required");
  }

  @Test
  void shouldPassCredentialsAsConnectionPropertiesButNeverPrintThePassword() {
    JdbcSettings s =
        JdbcSettings.defaults("jdbc:postgresql://db/upbot").withCredentials("upbot", "s3cret");

    assertThat(s.connectionProperties())
        .containsEntry("user", "upbot")
        .containsEntry("password", "s3cret")
        .containsEntry("ApplicationName", "upbot");
    assertThat(s.toString())
        .contains("user=upbot", "password=****")
        .doesNotContain("s3cret", "//db");
  }

  @Test
  void shouldCopyWithNewZoneAndBatching() {
    JdbcSettings s =
        JdbcSettings.defaults("jdbc:sqlite:/tmp/u.db")
            .withTimeZone(ZoneId.of("UTC"))
            .withBatching(10, 0, 0);

    assertThat(s)
        .isEqualTo(
            new JdbcSettings("jdbc:sqlite:/tmp/u.db", null, null, ZoneId.of("UTC"), 10, 0, 0));
  }
}
