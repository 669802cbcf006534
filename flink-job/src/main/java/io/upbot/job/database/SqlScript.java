package io.upbot.job.database;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Splits a DDL script into statements and fills its {@code {{NAME}}} placeholders. */
final class SqlScript {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([A-Z_]+)}}");

  private SqlScript() {}

  /**
   * The script's statements without their terminating {@code ;}, comments removed. Knows {@code --}
   * and block comments and single-quoted literals; dollar quoting and procedural bodies are not
   * used by upbot's DDL and not supported.
   */
  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int n = script.length();
    for (int i = 0; i < n; i++) {
      char c = script.charAt(i);
      if (c == '\'') {
        int end = i + 1;
        while (end < n) {
          if (script.charAt(end) == '\'') {
            if (end + 1 < n && script.charAt(end + 1) == '\'') {
              end += 2;
              continue;
            }
            break;
          }
          end++;
        }
        if (end >= n) {
          throw new IllegalArgumentException("unterminated string literal in SQL script");
        }
        cur.append(script, i, end + 1);
        i = end;
      } else if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
        int eol = script.indexOf('\n', i);
        i = eol < 0 ? n : eol;
        cur.append('\n');
      } else if (c == '/' && i + 1 < n && script.charAt(i + 1) == '*') {
        int end = script.indexOf("*/", i + 2);
        if (end < 0) {
          throw new IllegalArgumentException("unterminated comment in SQL script");
        }
        i = end + 1;
        cur.append(' ');
      } else if (c == ';') {
        add(out, cur);
      } else {
        cur.append(c);
      }
    }
    add(out, cur);
    return out;
  }

  private static void add(List<String> out, StringBuilder cur) {
    String s = cur.toString().strip();
    if (!s.isEmpty()) {
      out.add(s);
    }
    cur.setLength(0);
  }

  /**
   * {@code template} with every {@code {{NAME}}} replaced by its value.
   *
   * @throws IllegalArgumentException if a placeholder has no value
   */
  static String render(String template, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException("no value for placeholder {{" + m.group(1) + "}}");
      }
      m.appendReplacement(b, Matcher.quoteReplacement(value));
    }
    m.appendTail(b);
    return b.toString();
  }
}
