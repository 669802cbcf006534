package io.upbot.console;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Read-only access to the job's database: every connection is opened read-only (SQLite: the file
 * opened read-only, never created; PostgreSQL: {@code readOnlyMode=always}, so even autocommit
 * statements run in read-only transactions).
 */
public final class Database {

  private static final Pattern TABLE_NAME = Pattern.compile("[a-z_]{1,64}");

  private final String url;
  private final Dialect dialect;
  private final Properties properties;

  public Database(String url, String user, String password) {
    this.url = url;
    this.dialect = Dialect.of(url);
    this.properties = new Properties();
    if (user != null) {
      properties.setProperty("user", user);
    }
    if (password != null) {
      properties.setProperty("password", password);
    }
    switch (dialect) {
      case SQLITE -> {
        // SQLITE_OPEN_READONLY (1): reads a live file beside the job's writer (WAL), never creates
        // one.
        properties.setProperty("open_mode", "1");
        properties.setProperty("busy_timeout", "5000");
      }
      case POSTGRES -> {
        properties.setProperty("readOnly", "true");
        properties.setProperty("readOnlyMode", "always");
        properties.setProperty("connectTimeout", "10");
        properties.setProperty("ApplicationName", "upbot-console");
      }
    }
  }

  public Dialect dialect() {
    return dialect;
  }

  public String url() {
    return url;
  }

  /** A read-only connection; a clear message when the database is not there. */
  public Connection connect() throws SQLException {
    if (dialect == Dialect.SQLITE) {
      String file = url.substring("jdbc:sqlite:".length());
      int q = file.indexOf('?');
      file = q >= 0 ? file.substring(0, q) : file;
      if (!file.isEmpty() && !file.startsWith(":") && !Files.exists(Path.of(file))) {
        throw new SQLException(
            "no database at " + file + " yet (the job creates it: start ./upbot local first)");
      }
    }
    Connection c = DriverManager.getConnection(url, properties);
    c.setReadOnly(true);
    return c;
  }

  /** The names among {@code tables} that do not exist (or cannot be read) in this database. */
  public List<String> missing(Connection c, List<String> tables) throws SQLException {
    List<String> missing = new ArrayList<>();
    for (String t : new LinkedHashSet<>(tables)) {
      if (!TABLE_NAME.matcher(t).matches()) {
        throw new IllegalArgumentException("bad table name " + t);
      }
      try (Statement s = c.createStatement()) {
        // A probe that reads nothing: whether the name resolves (search_path, views too).
        s.executeQuery("SELECT 1 FROM " + t + " WHERE 1 = 0").close();
      } catch (SQLException e) {
        if (isMissingTable(e)) {
          missing.add(t);
        } else {
          throw e;
        }
      }
    }
    return missing;
  }

  private static boolean isMissingTable(SQLException e) {
    String state = e.getSQLState();
    String m = String.valueOf(e.getMessage());
    return "42P01".equals(state) || m.contains("no such table");
  }

  /** Runs {@code q}, or says which of its tables are missing. */
  public Result run(Query q, List<String> columns) throws SQLException {
    try (Connection c = connect()) {
      return run(c, q, columns);
    }
  }

  /** {@link #run(Query, List)} on an open connection. */
  public Result run(Connection c, Query q, List<String> columns) throws SQLException {
    List<String> missing = missing(c, q.tables());
    if (!missing.isEmpty()) {
      return Result.notAvailable(columns, missing);
    }
    try (PreparedStatement ps = c.prepareStatement(q.sql())) {
      for (int i = 0; i < q.params().size(); i++) {
        dialect.bind(ps, i + 1, q.params().get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        ResultSetMetaData md = rs.getMetaData();
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          names.add(md.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT));
        }
        if (!names.equals(columns)) {
          throw new IllegalStateException("query columns " + names + " are not " + columns);
        }
        List<List<Object>> rows = new ArrayList<>();
        while (rs.next()) {
          List<Object> row = new ArrayList<>(names.size());
          for (int i = 1; i <= names.size(); i++) {
            row.add(normalize(rs.getObject(i)));
          }
          rows.add(row);
        }
        return new Result(names, rows, List.of());
      }
    }
  }

  /** Values as the pages and the JSON show them: text, whole numbers, decimals or null. */
  static Object normalize(Object v) {
    if (v == null || v instanceof String || v instanceof Long || v instanceof Double) {
      return v;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float f) {
      return f.doubleValue();
    }
    if (v instanceof BigDecimal d) {
      return d.scale() <= 0 || d.stripTrailingZeros().scale() <= 0
          ? (Object) d.longValueExact()
          : (Object) d.doubleValue();
    }
    if (v instanceof java.sql.Date d) {
      return d.toLocalDate().toString();
    }
    if (v instanceof java.sql.Timestamp t) {
      return t.toInstant().atOffset(ZoneOffset.UTC).toLocalDateTime().toString().replace('T', ' ');
    }
    if (v instanceof OffsetDateTime t) {
      return t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime().toString().replace('T', ' ');
    }
    return v.toString();
  }
}
