package io.upbot.job.database;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upbot.job.sink.JdbcSettings;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaInstallerTest {

  @TempDir Path dir;

  @Test
  void shouldFailWithAClearMessageWhenTheDatabaseCannotBeOpened() {
    JdbcSettings settings =
        JdbcSettings.defaults("jdbc:sqlite:" + dir.resolve("no/such/dir/upbot.db"));

    assertThatThrownBy(() -> SchemaInstaller.install(settings))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("cannot install the upbot schema into the SQLITE database: ");
  }

  @Test
  void shouldRefuseUnsupportedUrlsBeforeConnecting() {
    assertThatThrownBy(() -> SchemaInstaller.install(JdbcSettings.defaults("jdbc:mysql://db/x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unsupported JDBC URL 'jdbc:mysql:…'");
  }
}
