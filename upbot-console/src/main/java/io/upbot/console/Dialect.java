package io.upbot.console;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The SQL that differs between PostgreSQL and SQLite: local days and hours of a UTC time column,
 * and how times and days are bound. The zone is written into the SQL as a literal (checked), so a
 * query shown to an analyst runs as it is.
 */
public enum Dialect {
  POSTGRES,
  SQLITE;

  private static final DateTimeFormatter SQLITE_TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

  /** What a zone id may look like before it is written into SQL (every id ZoneId knows fits). */
  private static final Pattern SAFE_ZONE_ID = Pattern.compile("[A-Za-z0-9/_+\\-.:]{1,64}");

  /** The dialect of a JDBC URL. */
  public static Dialect of(String jdbcUrl) {
    if (jdbcUrl.startsWith("jdbc:postgresql:")) {
      return POSTGRES;
    }
    if (jdbcUrl.startsWith("jdbc:sqlite:")) {
      return SQLITE;
    }
    throw new IllegalArgumentException(
        "--jdbc-url: only jdbc:postgresql: and jdbc:sqlite: URLs are supported, got "
            + jdbcUrl.replaceAll("password=[^&;]*", "password=…"));
  }

  /**
   * The offset SQLite's days use: the zone's standard offset, as the daily views (sql/sqlite/
   * views.sql), so the console's days are the views' days.
   */
  public static ZoneOffset sqliteOffset(ZoneId zone) {
    return zone.getRules().getStandardOffset(Instant.now());
  }

  /** The local day of a time column, as a SQL expression (PostgreSQL: date; SQLite: text). */
  public String localDay(String column, ZoneId zone) {
    return switch (this) {
      case POSTGRES -> "(" + column + " AT TIME ZONE " + zoneLiteral(zone) + ")::date";
      case SQLITE -> "date(" + column + ", " + modifier(zone) + ")";
    };
  }

  /** The local hour of day (0-23) of a time column, as an integer SQL expression. */
  public String localHourOfDay(String column, ZoneId zone) {
    return switch (this) {
      case POSTGRES ->
          "CAST(extract(hour FROM "
              + column
              + " AT TIME ZONE "
              + zoneLiteral(zone)
              + ") AS integer)";
      case SQLITE -> "CAST(strftime('%H', " + column + ", " + modifier(zone) + ") AS INTEGER)";
    };
  }

  /** The local time of a time column as text {@code YYYY-MM-DD HH:MM}. */
  public String localMinute(String column, ZoneId zone) {
    return switch (this) {
      case POSTGRES ->
          "to_char(" + column + " AT TIME ZONE " + zoneLiteral(zone) + ", 'YYYY-MM-DD HH24:MI')";
      case SQLITE -> "strftime('%Y-%m-%d %H:%M', " + column + ", " + modifier(zone) + ")";
    };
  }

  /** The instant local midnight of {@code day} begins, as this dialect reckons the zone. */
  public Instant startOfDay(LocalDate day, ZoneId zone) {
    return switch (this) {
      case POSTGRES -> day.atStartOfDay(zone).toInstant();
      case SQLITE -> day.atStartOfDay().toInstant(sqliteOffset(zone));
    };
  }

  /** Binds a parameter: instants and days the way the tables store them, the rest as they are. */
  void bind(PreparedStatement ps, int index, Object value) throws SQLException {
    if (value instanceof Instant t) {
      switch (this) {
        case POSTGRES -> ps.setObject(index, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
        case SQLITE -> ps.setString(index, SQLITE_TIMESTAMP.format(t));
      }
    } else if (value instanceof LocalDate d) {
      switch (this) {
        case POSTGRES -> ps.setObject(index, d);
        case SQLITE -> ps.setString(index, d.toString());
      }
    } else if (value instanceof String s) {
      ps.setString(index, s);
    } else if (value instanceof Integer i) {
      ps.setInt(index, i);
    } else if (value instanceof Long l) {
      ps.setLong(index, l);
    } else {
      throw new IllegalArgumentException("cannot bind " + value);
    }
  }

  /** A parameter as a SQL literal of this dialect, for the runnable copy of a query. */
  String literal(Object value) {
    if (value instanceof Instant t) {
      return switch (this) {
        case POSTGRES ->
            "TIMESTAMPTZ '"
                + LocalDateTime.ofInstant(t, ZoneOffset.UTC).toString().replace('T', ' ')
                + "+00'";
        case SQLITE -> "'" + SQLITE_TIMESTAMP.format(t) + "'";
      };
    }
    if (value instanceof LocalDate d) {
      return this == POSTGRES ? "DATE '" + d + "'" : "'" + d + "'";
    }
    if (value instanceof Number n) {
      return n.toString();
    }
    return "'" + String.valueOf(value).replace("'", "''") + "'";
  }

  private static String zoneLiteral(ZoneId zone) {
    if (zone instanceof ZoneOffset o) {
      // A text '+05:30' would be read POSIX-style, its sign inverted; an interval is not.
      return "INTERVAL '" + (o.getTotalSeconds() == 0 ? "+00:00" : o.getId()) + "'";
    }
    String id = zone.getId();
    if (!SAFE_ZONE_ID.matcher(id).matches()) {
      throw new IllegalArgumentException("unexpected zone id " + id);
    }
    return "'" + id + "'";
  }

  private static String modifier(ZoneId zone) {
    return "'"
        + (sqliteOffset(zone).getTotalSeconds() / 60 >= 0 ? "+" : "")
        + sqliteOffset(zone).getTotalSeconds() / 60
        + " minutes'";
  }
}
