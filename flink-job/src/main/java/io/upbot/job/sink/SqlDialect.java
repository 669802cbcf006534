package io.upbot.job.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.regex.Pattern;

/**
 * The databases the tables can live in, told apart by the JDBC URL: how each stores a time, which
 * DDL folder it installs, which connection properties it needs and how its views express a time
 * zone.
 */
public enum SqlDialect {
  POSTGRES("jdbc:postgresql:", "org.postgresql.Driver", "sql/postgres"),
  SQLITE("jdbc:sqlite:", "org.sqlite.JDBC", "sql/sqlite");

  /**
   * How long a SQLite connection waits for another writer's lock before SQLITE_BUSY: the job's
   * sinks write through one connection each, and SQLite has one writer at a time.
   */
  public static final int SQLITE_BUSY_TIMEOUT_MS = 30_000;

  /**
   * SQLite stores instants as UTC text in this form, which its date functions and text order read.
   */
  public static final DateTimeFormatter SQLITE_TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

  /**
   * Every id {@link ZoneId} produces fits this; checked again so a custom zone provider cannot
   * inject.
   */
  private static final Pattern SAFE_ZONE_ID = Pattern.compile("[A-Za-z0-9/_+\\-.:]{1,64}");

  private final String urlPrefix;
  private final String driverClass;
  private final String ddlFolder;

  SqlDialect(String urlPrefix, String driverClass, String ddlFolder) {
    this.urlPrefix = urlPrefix;
    this.driverClass = driverClass;
    this.ddlFolder = ddlFolder;
  }

  /**
   * The dialect of a JDBC URL.
   *
   * @throws IllegalArgumentException naming the URL's scheme (not the whole URL, which may carry a
   *     password) and the supported ones
   */
  public static SqlDialect fromUrl(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException(
          "a JDBC URL is required (jdbc:postgresql:… or jdbc:sqlite:…)");
    }
    String trimmed = url.strip();
    for (SqlDialect d : values()) {
      if (trimmed.regionMatches(true, 0, d.urlPrefix, 0, d.urlPrefix.length())) {
        return d;
      }
    }
    throw new IllegalArgumentException(
        "unsupported JDBC URL '"
            + scheme(trimmed)
            + "…': supported are jdbc:postgresql: (PostgreSQL) and jdbc:sqlite: (SQLite)");
  }

  private static String scheme(String url) {
    int first = url.indexOf(':');
    int second = first < 0 ? -1 : url.indexOf(':', first + 1);
    String s = second < 0 ? url : url.substring(0, second + 1);
    return s.length() > 40 ? s.substring(0, 40) : s;
  }

  /** The JDBC driver class, named explicitly so Flink's user-code class loader finds it. */
  public String driverClass() {
    return driverClass;
  }

  /** The classpath folder of this dialect's DDL ({@code tables.sql}, {@code views.sql}). */
  public String ddlFolder() {
    return ddlFolder;
  }

  /**
   * A query with one parameter, a table name, that returns one row when the table exists where the
   * job's unqualified statements would find it (PostgreSQL: on the search path).
   */
  public String tableExistsQuery() {
    return switch (this) {
      case POSTGRES -> "SELECT 1 WHERE to_regclass(?) IS NOT NULL";
      case SQLITE -> "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?";
    };
  }

  /**
   * Binds a local date, as days since 1970-01-01, to a day column: PostgreSQL {@code date} gets a
   * {@link LocalDate}; SQLite gets {@code YYYY-MM-DD} text.
   */
  public void bindDate(PreparedStatement ps, int index, int epochDay) throws SQLException {
    LocalDate day = LocalDate.ofEpochDay(epochDay);
    switch (this) {
      case POSTGRES -> ps.setObject(index, day);
      case SQLITE -> ps.setString(index, day.toString());
    }
  }

  /**
   * Binds an instant to a time column: PostgreSQL {@code timestamptz} gets an {@link
   * OffsetDateTime} in UTC (never a local time, which the driver would read in the JVM's zone);
   * SQLite gets UTC text.
   */
  public void bindTimestamp(PreparedStatement ps, int index, long epochMs) throws SQLException {
    switch (this) {
      case POSTGRES ->
          ps.setObject(
              index, OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMs), ZoneOffset.UTC));
      case SQLITE -> ps.setString(index, sqliteTimestamp(epochMs));
    }
  }

  /** Reads a time column written by {@link #bindTimestamp}; {@code null} when it is NULL. */
  public Instant readTimestamp(ResultSet rs, String column) throws SQLException {
    switch (this) {
      case POSTGRES -> {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
      }
      case SQLITE -> {
        String s = rs.getString(column);
        if (s == null) {
          return null;
        }
        try {
          return LocalDateTime.parse(s, SQLITE_TIMESTAMP).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
          throw new SQLException(column + ": not a 'YYYY-MM-DD HH:MM:SS' time: " + s, e);
        }
      }
      default -> throw new AssertionError(this);
    }
  }

  /** UTC {@code YYYY-MM-DD HH:MM:SS}; sub-second precision is dropped. */
  public static String sqliteTimestamp(long epochMs) {
    long second = Math.floorDiv(epochMs, 1000L);
    long hour = Math.floorDiv(second, 3600L);
    // A row's times repeat their hour (its bucket, its updates): the formatter, the dearest part,
    // runs once per hour and slot; the minutes and seconds are two digits each.
    int slot = (int) (hour & (SQLITE_HOURS.length() - 1));
    SqliteHour h = SQLITE_HOURS.get(slot);
    if (h == null || h.hour() != hour) {
      String full = SQLITE_TIMESTAMP.format(Instant.ofEpochSecond(hour * 3600L));
      h = new SqliteHour(hour, full.substring(0, full.length() - "mm:ss".length()));
      SQLITE_HOURS.set(slot, h);
    }
    int inHour = (int) (second - hour * 3600L);
    int minute = inHour / 60;
    int sec = inHour % 60;
    return new StringBuilder(h.prefix().length() + 5)
        .append(h.prefix())
        .append((char) ('0' + minute / 10))
        .append((char) ('0' + minute % 10))
        .append(':')
        .append((char) ('0' + sec / 10))
        .append((char) ('0' + sec % 10))
        .toString();
  }

  /** An hour's {@code YYYY-MM-DD HH:} prefix; immutable, so the sinks' threads may share it. */
  private record SqliteHour(long hour, String prefix) {}

  private static final AtomicReferenceArray<SqliteHour> SQLITE_HOURS =
      new AtomicReferenceArray<>(64);

  /**
   * This dialect's connection properties for {@code url} (without credentials). SQLite: WAL journal
   * mode, so readers query while the job writes, and a busy timeout, so the sinks' connections wait
   * for each other's write locks instead of failing; a value given in the URL wins. PostgreSQL: an
   * application name for pg_stat_activity. Batched inserts are deliberately not rewritten into
   * multi-row statements: one batch may hold two totals of the same row, which a single multi-row
   * upsert rejects ("cannot affect row a second time") while a batch of statements applies in
   * order.
   */
  public Properties connectionProperties(String url) {
    Properties props = new Properties();
    switch (this) {
      case POSTGRES -> props.setProperty("ApplicationName", "upbot");
      case SQLITE -> {
        String lower = url.toLowerCase(Locale.ROOT);
        if (!lower.contains("journal_mode=")) {
          props.setProperty("journal_mode", "WAL");
        }
        if (!lower.contains("busy_timeout=")) {
          props.setProperty("busy_timeout", Integer.toString(SQLITE_BUSY_TIMEOUT_MS));
        }
      }
    }
    return props;
  }

  /**
   * The values of the {@code {{…}}} placeholders in this dialect's {@code views.sql} for {@code
   * zone}, each a complete SQL expression. SQLite's offset is the zone's standard offset now (see
   * views.sql for the DST caveat).
   */
  public Map<String, String> viewPlaceholders(ZoneId zone) {
    return viewPlaceholders(zone, Instant.now());
  }

  /** {@link #viewPlaceholders(ZoneId)} with SQLite's offset taken at {@code at}. */
  Map<String, String> viewPlaceholders(ZoneId zone, Instant at) {
    String id = safeZoneId(zone);
    String name = "'" + id + "'";
    return switch (this) {
      case POSTGRES -> Map.of("TZ_NAME", name, "TZ_EXPR", postgresZoneExpression(zone));
      case SQLITE -> Map.of("TZ_NAME", name, "TZ_MODIFIER", sqliteOffsetModifier(zone, at));
    };
  }

  /**
   * PostgreSQL's {@code AT TIME ZONE} operand: a region by name, a fixed offset as an interval (a
   * text offset such as {@code '+08:00'} would be read POSIX-style, west-positive).
   */
  static String postgresZoneExpression(ZoneId zone) {
    ZoneId normal = zone.normalized();
    if (normal instanceof ZoneOffset offset) {
      return "INTERVAL '" + signedHms(offset.getTotalSeconds()) + "'";
    }
    return "'" + safeZoneId(zone) + "'";
  }

  /** SQLite's {@code date()} modifier for the zone's standard offset at {@code at}. */
  static String sqliteOffsetModifier(ZoneId zone, Instant at) {
    int seconds = zone.getRules().getStandardOffset(at).getTotalSeconds();
    String sign = seconds < 0 ? "-" : "+";
    int abs = Math.abs(seconds);
    return abs % 60 == 0 ? "'" + sign + abs / 60 + " minutes'" : "'" + sign + abs + " seconds'";
  }

  private static String signedHms(int totalSeconds) {
    int abs = Math.abs(totalSeconds);
    return String.format(
        Locale.ROOT,
        "%s%02d:%02d:%02d",
        totalSeconds < 0 ? "-" : "+",
        abs / 3600,
        abs / 60 % 60,
        abs % 60);
  }

  private static String safeZoneId(ZoneId zone) {
    String id = zone.getId();
    if (!SAFE_ZONE_ID.matcher(id).matches()) {
      throw new IllegalArgumentException("time zone: unsupported zone id '" + id + "'");
    }
    return id;
  }

  /**
   * Fails clearly when the database does not know {@code zone} (PostgreSQL has its own zone
   * database; an unknown name would only fail later, when the views are queried). SQLite needs no
   * check.
   */
  public void checkTimeZone(Connection c, ZoneId zone) throws SQLException {
    if (this != POSTGRES || zone.normalized() instanceof ZoneOffset) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement("SELECT count(*) FROM pg_timezone_names WHERE name = ?")) {
      ps.setString(1, zone.getId());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getLong(1) == 0) {
          throw new IllegalArgumentException(
              "time zone: '" + zone.getId() + "' is not known to this PostgreSQL server");
        }
      }
    }
  }
}
