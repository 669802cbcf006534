package io.upbot.console;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One figure's SQL: the statement with {@code ?} placeholders, its parameters in order, and the
 * tables it reads (a missing one makes the figure "not available yet" rather than an error).
 */
public record Query(String sql, List<Object> params, List<String> tables) {

  public Query {
    params = List.copyOf(params);
    tables = List.copyOf(tables);
  }

  /**
   * The statement with each parameter written as a literal of {@code dialect}: what an analyst can
   * paste into psql or sqlite3 as it is.
   */
  public String runnable(Dialect dialect) {
    // Placeholders are the only '?' in these statements (no '?' in literals or comments).
    Matcher m = Pattern.compile("\\?").matcher(sql);
    StringBuilder b = new StringBuilder();
    int i = 0;
    while (m.find()) {
      m.appendReplacement(b, Matcher.quoteReplacement(dialect.literal(params.get(i++))));
    }
    m.appendTail(b);
    return b.toString();
  }
}
