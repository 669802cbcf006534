package io.upbot.job.sink;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Where and how the job writes its tables: the JDBC URL (PostgreSQL or SQLite), credentials, the
 * time zone of the daily views and the sinks' batching.
 *
 * @param url {@code jdbc:postgresql:…} or {@code jdbc:sqlite:…}
 * @param user database user, {@code null} for none (SQLite)
 * @param password database password, {@code null} for none
 * @param timeZone the zone whose days the daily views use
 * @param batchSize rows a sink buffers before it writes them (≥ 1)
 * @param batchIntervalMs the longest a buffered row waits before it is written, ms (0 = only when
 *     the batch is full or at a checkpoint)
 * @param maxRetries how often a failed batch is retried before the job fails (≥ 0)
 */
public record JdbcSettings(
    String url,
    String user,
    String password,
    ZoneId timeZone,
    int batchSize,
    long batchIntervalMs,
    int maxRetries)
    implements Serializable {

  /** The growth teams' zone (docs/tables.md): the daily views use its days unless configured. */
  public static final ZoneId DEFAULT_TIME_ZONE = ZoneId.of("Asia/Shanghai");

  /** Large enough to amortise round trips, small enough that a batch is one short transaction. */
  public static final int DEFAULT_BATCH_SIZE = 1_000;

  /** Rows reach the tables within this after the row aggregators emit them (freshness: seconds). */
  public static final long DEFAULT_BATCH_INTERVAL_MS = 200;

  public static final int DEFAULT_MAX_RETRIES = 3;

  /** Validates every field at once and lists every problem in one message. */
  public JdbcSettings {
    List<String> problems = new ArrayList<>();
    if (url == null || url.isBlank()) {
      problems.add("url: required");
    } else {
      try {
        SqlDialect.fromUrl(url);
      } catch (IllegalArgumentException e) {
        problems.add("url: " + e.getMessage());
      }
    }
    if (timeZone == null) {
      problems.add("timeZone: required");
    }
    if (batchSize < 1) {
      problems.add("batchSize: must be at least 1, was " + batchSize);
    }
    if (batchIntervalMs < 0) {
      problems.add("batchIntervalMs: must not be negative, was " + batchIntervalMs);
    }
    if (maxRetries < 0) {
      problems.add("maxRetries: must not be negative, was " + maxRetries);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid JDBC settings: " + String.join("; ", problems));
    }
  }

  /** The defaults for {@code url}: no credentials, Asia/Shanghai days, default batching. */
  public static JdbcSettings defaults(String url) {
    return new JdbcSettings(
        url,
        null,
        null,
        DEFAULT_TIME_ZONE,
        DEFAULT_BATCH_SIZE,
        DEFAULT_BATCH_INTERVAL_MS,
        DEFAULT_MAX_RETRIES);
  }

  /** A copy with these credentials. */
  public JdbcSettings withCredentials(String user, String password) {
    return new JdbcSettings(url, user, password, timeZone, batchSize, batchIntervalMs, maxRetries);
  }

  /** A copy whose daily views use {@code zone}. */
  public JdbcSettings withTimeZone(ZoneId zone) {
    return new JdbcSettings(url, user, password, zone, batchSize, batchIntervalMs, maxRetries);
  }

  /** A copy with this batching. */
  public JdbcSettings withBatching(int batchSize, long batchIntervalMs, int maxRetries) {
    return new JdbcSettings(url, user, password, timeZone, batchSize, batchIntervalMs, maxRetries);
  }

  /**
   * Parses a configured zone id ({@code Asia/Shanghai}, {@code UTC}, {@code +08:00}), failing with
   * a message that names the value. Only ids {@link ZoneId} accepts ever reach the view DDL, so a
   * zone cannot inject SQL.
   */
  public static ZoneId parseTimeZone(String id) {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("time zone: required");
    }
    try {
      return ZoneId.of(id.strip());
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "time zone: unknown zone id '"
              + id
              + "' (use an IANA id such as Asia/Shanghai, or +08:00)");
    }
  }

  /** The dialect the URL names. */
  public SqlDialect dialect() {
    return SqlDialect.fromUrl(url);
  }

  /** Connection properties: credentials plus the dialect's own (SQLite: WAL, busy timeout). */
  public Properties connectionProperties() {
    Properties props = dialect().connectionProperties(url);
    if (user != null && !user.isEmpty()) {
      props.setProperty("user", user);
    }
    if (password != null && !password.isEmpty()) {
      props.setProperty("password", password);
    }
    return props;
  }

  /** Opens a plain JDBC connection with {@link #connectionProperties()}. */
  public Connection connect() throws SQLException {
    String driver = dialect().driverClass();
    try {
      // Registers the driver even when DriverManager's service loading cannot see it (a job jar
      // loaded by Flink's user-code class loader).
      Class.forName(driver, true, JdbcSettings.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new SQLException("JDBC driver " + driver + " is not on the classpath", e);
    }
    return DriverManager.getConnection(url, connectionProperties());
  }

  /** Never prints the password (nor a URL that may carry one). */
  @Override
  public String toString() {
    return "JdbcSettings[dialect="
        + dialect()
        + ", user="
        + user
        + ", password="
        + (password == null || password.isEmpty() ? "(none)" : "****")
        + ", timeZone="
        + timeZone
        + ", batchSize="
        + batchSize
        + ", batchIntervalMs="
        + batchIntervalMs
        + ", maxRetries="
        + maxRetries
        + "]";
  }
}
