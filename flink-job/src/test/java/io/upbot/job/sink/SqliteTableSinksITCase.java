package io.upbot.job.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.database.SchemaInstaller;
import io.upbot.job.model.FunnelRow;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The sink and view scenarios against a SQLite file. */
class SqliteTableSinksITCase extends TableSinksScenarios {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir Path dir;
  private JdbcSettings settings;

  @BeforeEach
  void createFile() {
    settings = JdbcSettings.defaults("jdbc:sqlite:" + dir.resolve("upbot.db"));
  }

  @Override
  JdbcSettings settings() {
    return settings;
  }

  @Test
  void shouldLeaveTheFileInWalModeForPlainConnections() throws Exception {
    SchemaInstaller.install(settings);

    try (Connection c = DriverManager.getConnection(settings.url());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("wal");
    }
  }

  @Test
  void shouldLetTheJobWriteWhileAReaderHoldsAnOpenTransaction() throws Exception {
    SchemaInstaller.install(settings);

    try (Connection reader = DriverManager.getConnection(settings.url())) {
      reader.setAutoCommit(false);
      try (Statement s = reader.createStatement()) {
        assertThat(rows(s.executeQuery("SELECT count(*) FROM code_funnel_hourly")))
            .containsExactly("0");

        // Without WAL the writers' commits would wait for this reader and fail after the busy
        // timeout.
        runPipeline(
            List.of(
                new FunnelRow(H16, "wx1", "IsFX", 5, 4, 2, 1, FIRST_WRITE),
                new FunnelRow(H17, "wx1", "IsFX", 1, 1, 0, 0, FIRST_WRITE)),
            List.of(),
            List.of(),
            List.of());

        // The reader keeps its snapshot until it ends its transaction, then sees the job's rows.
        assertThat(rows(s.executeQuery("SELECT count(*) FROM code_funnel_hourly")))
            .containsExactly("0");
        reader.commit();
        assertThat(rows(s.executeQuery("SELECT count(*) FROM code_funnel_hourly")))
            .containsExactly("2");
      }
    }
  }
}
