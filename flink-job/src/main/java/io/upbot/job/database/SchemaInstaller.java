package io.upbot.job.database;

import io.upbot.job.sink.JdbcSettings;
import io.upbot.job.sink.SqlDialect;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs the output tables and the daily views into the database a {@link JdbcSettings} URL
 * names, from the dialect's DDL on the classpath ({@code sql/postgres/} or {@code sql/sqlite/},
 * copied from the repository's {@code sql/}). Plain JDBC, no Flink: the job runs it once at start,
 * and it works on its own. Idempotent: missing tables and indexes are created, existing ones and
 * their rows are kept; the views are dropped and created again for the configured time zone. All in
 * one transaction (both databases have transactional DDL), so a failure leaves the schema as it
 * was.
 */
public final class SchemaInstaller {

  private static final Logger LOG = LoggerFactory.getLogger(SchemaInstaller.class);

  private SchemaInstaller() {}

  /**
   * Creates what is missing and (re)creates the views.
   *
   * @throws IllegalArgumentException for a time zone the database does not know
   * @throws IllegalStateException when the database cannot be reached or refuses the DDL
   */
  public static void install(JdbcSettings settings) {
    SqlDialect dialect = settings.dialect();
    List<String> tables = SqlScript.statements(ddl(dialect, "tables.sql"));
    List<String> views =
        SqlScript.statements(
            SqlScript.render(
                ddl(dialect, "views.sql"), dialect.viewPlaceholders(settings.timeZone())));
    try (Connection c = settings.connect()) {
      dialect.checkTimeZone(c, settings.timeZone());
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        for (String sql : tables) {
          s.execute(sql);
        }
        for (String sql : views) {
          s.execute(sql);
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot install the upbot schema into the " + dialect + " database: " + e.getMessage(),
          e);
    }
    LOG.info(
        "Installed the upbot schema ({} statements, {} dialect, daily views in {})",
        tables.size() + views.size(),
        dialect,
        settings.timeZone());
  }

  /** The text of one of the dialect's DDL files from the classpath. */
  static String ddl(SqlDialect dialect, String file) {
    String path = dialect.ddlFolder() + "/" + file;
    try (InputStream in = SchemaInstaller.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("DDL " + path + " is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read DDL " + path, e);
    }
  }
}
