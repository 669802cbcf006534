package io.upbot.console;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A figure's rows: column names and values (strings, longs, doubles or null). {@code missing} names
 * the tables that do not exist in this database yet; then there are no rows.
 */
public record Result(List<String> columns, List<List<Object>> rows, List<String> missing) {

  public Result {
    columns = List.copyOf(columns);
    rows =
        rows.stream()
            .map(r -> (List<Object>) java.util.Collections.unmodifiableList(new ArrayList<>(r)))
            .toList();
    missing = List.copyOf(missing);
  }

  /** A figure whose tables are not (yet) in the database. */
  public static Result notAvailable(List<String> columns, List<String> missing) {
    return new Result(columns, List.of(), missing);
  }

  public boolean available() {
    return missing.isEmpty();
  }

  /** The index of a column. */
  public int column(String name) {
    int i = columns.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException("no column " + name + " in " + columns);
    }
    return i;
  }

  /** The rows as maps from column name to value, for the JSON API. */
  public List<Map<String, Object>> records() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (List<Object> r : rows) {
      Map<String, Object> m = new java.util.LinkedHashMap<>();
      for (int i = 0; i < columns.size(); i++) {
        m.put(columns.get(i), r.get(i));
      }
      out.add(m);
    }
    return out;
  }
}
