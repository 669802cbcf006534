package io.upbot.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A scratch PostgreSQL database for one test class on the machine's server (127.0.0.1:5432, trust
 * auth), created fresh and dropped on close. Host, port and user come from {@code UPBOT_PG_HOST},
 * {@code UPBOT_PG_PORT} and {@code UPBOT_PG_USER} when set.
 */
public final class PostgresDatabase implements AutoCloseable {

  private static final String HOST = env("UPBOT_PG_HOST", "127.0.0.1");
  private static final String PORT = env("UPBOT_PG_PORT", "5432");
  private static final String USER = env("UPBOT_PG_USER", "postgres");

  private final String name;

  private PostgresDatabase(String name) {
    this.name = name;
  }

  /** Creates a new, empty database. */
  public static PostgresDatabase create() {
    String name = "upbot_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(url("postgres"), USER, "");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot create a PostgreSQL database at " + HOST + ":" + PORT + " as " + USER, e);
    }
    return new PostgresDatabase(name);
  }

  public String jdbcUrl() {
    return url(name);
  }

  public String user() {
    return USER;
  }

  public String name() {
    return name;
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), USER, "");
  }

  @Override
  public void close() {
    try (Connection c = DriverManager.getConnection(url("postgres"), USER, "");
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop database " + name, e);
    }
  }

  private static String url(String db) {
    return "jdbc:postgresql://" + HOST + ":" + PORT + "/" + db;
  }

  private static String env(String key, String dflt) {
    String v = System.getenv(key);
    return v == null || v.isBlank() ? dflt : v;
  }
}
