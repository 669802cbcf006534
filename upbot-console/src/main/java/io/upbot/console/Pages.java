package io.upbot.console;

import static io.upbot.console.Html.href;
import static io.upbot.console.Html.text;

import io.upbot.console.Figures.Figure;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The console's pages, rendered on the server: every value goes through {@link Html}. Each figure
 * is a table of its rows (the numbers), a chart that reads the same rows from the JSON API, and a
 * link to its SQL.
 */
public final class Pages {

  /** Columns the codes table can be sorted by. */
  static final Set<String> CODE_SORTS =
      Set.of(
          "code",
          "sessions",
          "exposed",
          "long_pressed",
          "joined",
          "conversion",
          "users",
          "joined_users");

  /** Text columns that read like numbers: aligned right with them. */
  private static final Set<String> NUMERIC_TEXT = Set.of("day", "hour_start", "recorded_local");

  private final Database db;
  private final Figures figures;

  public Pages(Database db, Figures figures) {
    this.db = db;
    this.figures = figures;
  }

  /** Runs a figure for a scope. */
  Result run(Connection c, String figureId, Scope s) throws SQLException {
    Figure f = figures.get(figureId);
    return db.run(c, f.query().apply(s), f.columns());
  }

  // ---------------------------------------------------------------- pages

  /** The start page: the apps with sessions in the range. */
  public String apps(Scope s) throws SQLException {
    StringBuilder b = new StringBuilder();
    head(b, "Apps", s, Map.of());
    try (Connection c = db.connect()) {
      Result r = run(c, "apps", s);
      section(
          b,
          "apps",
          s,
          r,
          "breakdown",
          () ->
              table(
                  b,
                  r,
                  "appid",
                  (col, v) ->
                      col.equals("appid")
                          ? "<a href=\""
                              + href("/app", params(s.withAppid(String.valueOf(v))))
                              + "\">"
                              + text(v)
                              + "</a>"
                          : text(Cells.format(col, v))));
    }
    foot(b);
    return b.toString();
  }

  /** An appid's codes: sessions, users and conversion, sortable, a sparkline per code. */
  public String app(Scope s, String sort, boolean ascending) throws SQLException {
    if (!CODE_SORTS.contains(sort)) {
      throw new BadRequest("sort: one of " + new java.util.TreeSet<>(CODE_SORTS) + ", got " + sort);
    }
    StringBuilder b = new StringBuilder();
    head(b, "App " + s.appid(), s, Map.of("appid", s.appid()));
    try (Connection c = db.connect()) {
      Result codes = run(c, "codes", s);
      Result users = run(c, "code_users", s);
      b.append("<section class=\"figure\" id=\"fig-codes\" data-figure=\"codes\">\n<h2>Codes of ")
          .append(text(s.appid()))
          .append(' ');
      sqlLink(b, "codes", s, "SQL: sessions");
      b.append(' ');
      sqlLink(b, "code_users", s, "SQL: users");
      b.append(' ');
      sqlLink(b, "codes_daily", s, "SQL: sparklines");
      b.append("</h2>\n");
      if (!codes.available()) {
        notAvailable(b, codes);
      } else {
        if (!users.available()) {
          notAvailable(b, users);
        }
        codesTable(b, s, codes, users, sort, ascending);
      }
      b.append("</section>\n");
    }
    foot(b);
    return b.toString();
  }

  private void codesTable(
      StringBuilder b, Scope s, Result codes, Result users, String sort, boolean ascending) {
    Map<String, List<Object>> byCode = new HashMap<>();
    for (List<Object> u : users.rows()) {
      byCode.put((String) u.get(0), u);
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Map<String, Object> r : codes.records()) {
      Map<String, Object> row = new LinkedHashMap<>(r);
      List<Object> u = byCode.get((String) r.get("code"));
      row.put("users", u == null ? (users.available() ? 0L : null) : u.get(1));
      row.put("joined_users", u == null ? (users.available() ? 0L : null) : u.get(4));
      rows.add(row);
    }
    Comparator<Map<String, Object>> cmp =
        Comparator.comparing(
            (Map<String, Object> m) -> m.get(sort),
            Comparator.nullsFirst(
                (Object x, Object y) ->
                    x instanceof Number nx && y instanceof Number ny
                        ? Double.compare(nx.doubleValue(), ny.doubleValue())
                        : x.toString().compareTo(y.toString())));
    cmp = ascending ? cmp : cmp.reversed();
    rows.sort(cmp.thenComparing(m -> (String) m.get("code")));
    List<String> cols =
        List.of(
            "code",
            "sessions",
            "exposed",
            "long_pressed",
            "joined",
            "conversion",
            "users",
            "joined_users");
    b.append("<table class=\"data sortable\" data-figure=\"codes\"><thead><tr>");
    for (String col : cols) {
      boolean current = col.equals(sort);
      boolean nextAsc = current ? !ascending : col.equals("code");
      Map<String, Object> p = params(s);
      p.put("sort", col);
      p.put("dir", nextAsc ? "asc" : "desc");
      b.append("<th data-col=\"")
          .append(text(col))
          .append("\"")
          .append(current ? " aria-sort=\"" + (ascending ? "ascending" : "descending") + "\"" : "")
          .append("><a href=\"")
          .append(href("/app", p))
          .append("\">")
          .append(text(label(col)))
          .append(current ? (ascending ? " ▲" : " ▼") : "")
          .append("</a></th>");
    }
    b.append("<th>sessions per day</th></tr></thead>\n<tbody>\n");
    for (Map<String, Object> row : rows) {
      String code = (String) row.get("code");
      b.append("<tr data-key=\"").append(text(code)).append("\">");
      for (String col : cols) {
        Object v = row.get(col);
        b.append("<td data-col=\"").append(col).append("\">");
        if (col.equals("code")) {
          b.append("<a href=\"")
              .append(href("/code", params(s.withCode(code))))
              .append("\">")
              .append(code.isEmpty() ? "<em>(no code)</em>" : text(code))
              .append("</a>");
        } else if (v == null && !users.available()) {
          b.append("<span class=\"na\">n/a</span>");
        } else {
          b.append(text(Cells.format(col, v)));
        }
        b.append("</td>");
      }
      b.append("<td><div class=\"spark\" data-spark=\"")
          .append(text(code))
          .append("\"></div></td></tr>\n");
    }
    b.append("</tbody></table>\n");
    b.append("<div hidden id=\"spark-source\" data-src=\"")
        .append(href("/api/figure/codes_daily", params(s)))
        .append("\" data-from=\"")
        .append(text(s.from()))
        .append("\" data-to=\"")
        .append(text(s.to()))
        .append("\"></div>\n");
    if (rows.isEmpty()) {
      b.append("<p class=\"empty\">No sessions in this range.</p>\n");
    }
  }

  /** One code: funnel, trends, hour of day, dwell, time to convert, breakdowns. */
  public String code(Scope s) throws SQLException {
    StringBuilder b = new StringBuilder();
    String name = s.code().isEmpty() ? "(no code)" : s.code();
    Map<String, Object> up = new LinkedHashMap<>();
    up.put("appid", s.appid());
    up.put("code", s.code());
    head(b, "Code " + name + " of " + s.appid(), s, up);
    b.append("<p class=\"crumbs\"><a href=\"")
        .append(href("/app", params(s.withCode(null))))
        .append("\">← all codes of ")
        .append(text(s.appid()))
        .append("</a></p>\n");
    try (Connection c = db.connect()) {
      Result funnel = run(c, "funnel", s);
      section(b, "funnel", s, funnel, "funnel", () -> funnelTable(b, funnel));
      // Next to the funnel: the joins WeCom confirmed, and how many found their journey.
      Result joins = run(c, "wecom_joins", s);
      boolean anyJoin = joins.available() && (Long) joins.rows().get(0).get(0) > 0;
      section(
          b,
          "wecom_joins",
          s,
          joins,
          anyJoin ? "joins" : null,
          () -> {
            if (anyJoin) {
              joinsTable(b, joins);
            } else {
              b.append(
                  "<p class=\"empty\">No WeCom joins in this range: no one joined through this"
                      + " code's join way, or no WeCom receiver writes joins"
                      + " (docs/wecom.md).</p>\n");
            }
          });
      if (anyJoin) {
        Result joinsDaily = run(c, "wecom_joins_daily", s);
        section(
            b,
            "wecom_joins_daily",
            s,
            joinsDaily,
            "joins_daily",
            () -> plainTable(b, joinsDaily, "day"));
      }
      Result daily = run(c, "daily", s);
      section(b, "daily", s, daily, "daily", () -> plainTable(b, daily, "day"));
      Result users = run(c, "users_daily", s);
      section(b, "users_daily", s, users, "users", () -> plainTable(b, users, "day"));
      Result hours = run(c, "hour_of_day", s);
      section(b, "hour_of_day", s, hours, "hours", () -> plainTable(b, hours, "hour"));
      Result dwellDaily = run(c, "dwell_daily", s);
      section(b, "dwell_daily", s, dwellDaily, null, () -> plainTable(b, dwellDaily, "day"));
      Result dwell = run(c, "dwell_hourly", s);
      section(b, "dwell_hourly", s, dwell, "dwell", () -> plainTable(b, dwell, "hour_start"));
      // Exact daily percentiles (the job keeps each day's times; hours' percentiles do not
      // combine).
      Result convertDaily = run(c, "convert_time_daily", s);
      section(
          b, "convert_time_daily", s, convertDaily, null, () -> plainTable(b, convertDaily, "day"));
      Result convert = run(c, "convert_time", s);
      section(b, "convert_time", s, convert, "convert", () -> plainTable(b, convert, "hour_start"));
      for (String dim : Figures.DIMENSIONS) {
        Result r = run(c, "by_" + dim, s);
        section(b, "by_" + dim, s, r, "breakdown", () -> plainTable(b, r, dim));
      }
      Result events = run(c, "events", s);
      section(b, "events", s, events, null, () -> plainTable(b, events, "event_id"));
    }
    foot(b);
    return b.toString();
  }

  private static void funnelTable(StringBuilder b, Result funnel) {
    List<Object> row = funnel.rows().get(0);
    b.append(
        "<table class=\"data\" data-figure=\"funnel\"><thead><tr><th>stage</th><th>count</th>"
            + "<th>% of sessions</th><th>% of previous</th></tr></thead>\n<tbody>\n");
    long first = (Long) row.get(0);
    long previous = first;
    for (int i = 0; i < funnel.columns().size(); i++) {
      String stage = funnel.columns().get(i);
      long v = (Long) row.get(i);
      countRow(
          b,
          stage,
          v,
          "of_first",
          Cells.percent(v, first),
          "of_previous",
          i == 0 ? "" : Cells.percent(v, previous));
      previous = v;
    }
    b.append("</tbody></table>\n");
  }

  /** A row of a count table: its label, the count, then percents as (column, text) pairs. */
  private static void countRow(StringBuilder b, String key, long count, String... percents) {
    b.append("<tr data-key=\"")
        .append(text(key))
        .append("\"><td>")
        .append(text(label(key)))
        .append("</td><td data-col=\"count\">")
        .append(count)
        .append("</td>");
    for (int i = 0; i < percents.length; i += 2) {
      b.append("<td data-col=\"")
          .append(text(percents[i]))
          .append("\">")
          .append(text(percents[i + 1]))
          .append("</td>");
    }
    b.append("</tr>\n");
  }

  /** The range's WeCom joins by outcome, each in percent of all joins. */
  private static void joinsTable(StringBuilder b, Result joins) {
    List<Object> row = joins.rows().get(0);
    long all = (Long) row.get(0);
    b.append(
        "<table class=\"data\" data-figure=\"wecom_joins\"><thead><tr><th>joins</th><th>count</th>"
            + "<th>% of WeCom joins</th></tr></thead>\n<tbody>\n");
    for (int i = 0; i < 4; i++) {
      String column = joins.columns().get(i);
      long v = (Long) row.get(i);
      countRow(b, column, v, "of_joins", Cells.percent(v, all));
    }
    b.append("</tbody></table>\n")
        .append("<p class=\"note\">Attributed joins count in the funnel's <em>joined</em> when")
        .append(" their session reached a long-press; unattributed ones (no long-press with the")
        .append(" member's unionid on this code before the join) count nowhere else; waiting ones")
        .append(" are at most a day old and still may find their long-press. A low attributed")
        .append(" share: clients do not send the unionid, or WeCom gives none.</p>\n");
  }

  /** The dead letters: counts by reason per day, and the newest payloads. */
  public String deadLetters(Scope s) throws SQLException {
    StringBuilder b = new StringBuilder();
    Map<String, Object> keep = new LinkedHashMap<>();
    keep.put("reason", s.reason());
    head(b, "Dead letters", s, keep);
    try (Connection c = db.connect()) {
      Result daily = run(c, "dead_letters_daily", s);
      section(
          b,
          "dead_letters_daily",
          s,
          daily,
          "deadletters",
          () ->
              table(
                  b,
                  daily,
                  null,
                  (col, v) ->
                      col.equals("reason")
                          ? "<a href=\""
                              + href("/dead-letters", params(s.withReason(String.valueOf(v))))
                              + "\">"
                              + text(v)
                              + "</a>"
                          : text(Cells.format(col, v))));
      Result newest = run(c, "dead_letters_newest", s);
      if (s.reason() != null) {
        b.append("<p class=\"filter\">Newest of reason <strong>")
            .append(text(s.reason()))
            .append("</strong> · <a href=\"")
            .append(href("/dead-letters", params(s.withReason(null))))
            .append("\">all reasons</a></p>\n");
      }
      section(
          b,
          "dead_letters_newest",
          s,
          newest,
          null,
          () ->
              table(
                  b,
                  newest,
                  "id",
                  (col, v) -> {
                    if (col.equals("payload")) {
                      return "<pre class=\"payload\">" + text(v) + "</pre>";
                    }
                    return text(Cells.format(col, v));
                  }));
      b.append("<p class=\"note\">Payloads are cut to the first ")
          .append(Figures.PAYLOAD_CHARS)
          .append(" characters; <code>payload_chars</code> is the full length. The ")
          .append(Figures.NEWEST_DEAD_LETTERS)
          .append(" newest in the range are listed.</p>\n");
    }
    foot(b);
    return b.toString();
  }

  /** The SQL of one figure: as run (placeholders and parameters) and ready to paste. */
  public String sql(String figureId, Scope s) {
    Figure f = figures.get(figureId);
    Query q = f.query().apply(s);
    StringBuilder b = new StringBuilder();
    head(b, "SQL: " + f.title(), s, Map.of());
    b.append("<section class=\"sql\" data-figure=\"")
        .append(text(f.id()))
        .append("\">\n<p>Database: <strong>")
        .append(text(figures.dialect() == Dialect.POSTGRES ? "PostgreSQL" : "SQLite"))
        .append("</strong> · days and hours in <strong>")
        .append(text(figures.zone().getId()))
        .append("</strong>")
        .append(
            figures.dialect() == Dialect.SQLITE
                ? " (SQLite: its standard offset, "
                    + text(Dialect.sqliteOffset(figures.zone()).getId())
                    + ", as the daily views)"
                : "")
        .append(" · reads ")
        .append(text(String.join(", ", q.tables())))
        .append("</p>\n<h2>Ready to run</h2>\n<pre id=\"sql-runnable\">")
        .append(text(q.runnable(figures.dialect())))
        .append("</pre>\n<h2>As the console runs it</h2>\n<pre id=\"sql-statement\">")
        .append(text(q.sql()))
        .append("</pre>\n<table class=\"data\" id=\"sql-params\"><thead><tr><th>#</th>")
        .append("<th>value</th><th>meaning</th></tr></thead><tbody>\n");
    for (int i = 0; i < q.params().size(); i++) {
      Object p = q.params().get(i);
      b.append("<tr><td>")
          .append(i + 1)
          .append("</td><td><code>")
          .append(text(figures.dialect().literal(p)))
          .append("</code></td><td>")
          .append(text(meaning(p)))
          .append("</td></tr>\n");
    }
    b.append("</tbody></table>\n</section>\n");
    foot(b);
    return b.toString();
  }

  private static String meaning(Object p) {
    if (p instanceof java.time.Instant) {
      return "a UTC instant (the start or the end of the local day range)";
    }
    if (p instanceof java.time.LocalDate) {
      return "a local day";
    }
    return "text";
  }

  // ---------------------------------------------------------------- pieces

  private void section(StringBuilder b, String id, Scope s, Result r, String chart, Runnable body) {
    Figure f = figures.get(id);
    b.append("<section class=\"figure\" id=\"fig-")
        .append(text(id))
        .append("\" data-figure=\"")
        .append(text(id))
        .append("\">\n<h2>")
        .append(text(f.title()))
        .append(' ');
    sqlLink(b, id, s, "SQL");
    b.append("</h2>\n");
    if (!r.available()) {
      notAvailable(b, r);
    } else if (r.rows().isEmpty()) {
      b.append("<p class=\"empty\">No rows in this range.</p>\n");
    } else {
      if (chart != null) {
        b.append("<div class=\"chart\" data-chart=\"")
            .append(text(chart))
            .append("\" data-src=\"")
            .append(href("/api/figure/" + id, params(s)))
            .append("\"></div>\n");
      }
      body.run();
    }
    b.append("</section>\n");
  }

  private static void notAvailable(StringBuilder b, Result r) {
    b.append("<p class=\"na\">Not available yet: this database has no ")
        .append(text(String.join(", ", r.missing())))
        .append(
            " table (an older database; the job creates it when it runs a newer version).</p>\n");
  }

  private void sqlLink(StringBuilder b, String id, Scope s, String label) {
    Map<String, Object> p = params(s);
    p.put("figure", id);
    b.append("<a class=\"sql-link\" data-sql=\"")
        .append(text(id))
        .append("\" href=\"")
        .append(href("/sql", p))
        .append("\">")
        .append(text(label))
        .append("</a>");
  }

  /** Cell renderer: column and value to HTML. */
  private interface CellHtml {
    String render(String column, Object value);
  }

  private static void plainTable(StringBuilder b, Result r, String key) {
    table(b, r, key, (col, v) -> text(Cells.format(col, v)));
  }

  private static void table(StringBuilder b, Result r, String key, CellHtml cell) {
    b.append("<table class=\"data\"><thead><tr>");
    for (String col : r.columns()) {
      b.append("<th data-col=\"").append(text(col)).append("\">").append(text(label(col)));
      b.append("</th>");
    }
    b.append("</tr></thead>\n<tbody>\n");
    for (List<Object> row : r.rows()) {
      b.append("<tr");
      if (key != null) {
        b.append(" data-key=\"").append(text(row.get(r.column(key)))).append('"');
      }
      b.append('>');
      for (int i = 0; i < r.columns().size(); i++) {
        b.append("<td data-col=\"").append(text(r.columns().get(i))).append('"');
        // Text reads from the left, numbers (and days, which line up anyway) from the right.
        b.append(
            row.get(i) instanceof String && !NUMERIC_TEXT.contains(r.columns().get(i))
                ? " class=\"txt\">"
                : ">");
        b.append(cell.render(r.columns().get(i), row.get(i))).append("</td>");
      }
      b.append("</tr>\n");
    }
    b.append("</tbody></table>\n");
  }

  static String label(String column) {
    return switch (column) {
      case "long_pressed" -> "long-pressed";
      case "conversion" -> "conversion (joined / exposed)";
      case "joined_users" -> "joined users";
      case "wecom_joins" -> "WeCom joins";
      case "attributed_joins" -> "attributed";
      case "unattributed_joins" -> "unattributed";
      case "waiting_joins" -> "waiting";
      case "attributed_share" -> "attributed share";
      default -> column.replace('_', ' ');
    };
  }

  /** The scope as query parameters (in a stable order). */
  static Map<String, Object> params(Scope s) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("appid", s.appid());
    p.put("code", s.code());
    p.put("from", s.from());
    p.put("to", s.to());
    p.put("reason", s.reason());
    return p;
  }

  private void head(StringBuilder b, String title, Scope s, Map<String, ?> keep) {
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>")
        .append(text(title))
        .append(" · upbot console</title>")
        .append("<link rel=\"icon\" href=\"data:,\">")
        .append("<link rel=\"stylesheet\" href=\"/static/console.css\">")
        .append("<script src=\"/static/echarts.min.js\" defer></script>")
        .append("<script src=\"/static/console.js\" defer></script>")
        .append("</head><body>\n<header><nav><a class=\"brand\" href=\"")
        .append(href("/", Map.of("from", s.from(), "to", s.to())))
        .append("\">upbot console</a> <a href=\"")
        .append(href("/", Map.of("from", s.from(), "to", s.to())))
        .append("\">Apps</a> <a href=\"")
        .append(href("/dead-letters", Map.of("from", s.from(), "to", s.to())))
        .append("\">Dead letters</a></nav>\n<form class=\"range\" method=\"get\">");
    keep.forEach(
        (k, v) -> {
          if (v != null) {
            b.append("<input type=\"hidden\" name=\"")
                .append(text(k))
                .append("\" value=\"")
                .append(text(v))
                .append("\">");
          }
        });
    b.append("<label>from <input type=\"date\" name=\"from\" value=\"")
        .append(text(s.from()))
        .append("\"></label> <label>to <input type=\"date\" name=\"to\" value=\"")
        .append(text(s.to()))
        .append("\"></label> <button type=\"submit\">Show</button> <span class=\"tz\">days in ")
        .append(text(figures.zone().getId()))
        .append("</span></form></header>\n<main>\n<h1>")
        .append(text(title))
        .append("</h1>\n");
  }

  private static void foot(StringBuilder b) {
    b.append(
        "</main>\n<footer>Read-only. Every figure links to the SQL that produces it.</footer>\n"
            + "</body></html>\n");
  }
}
