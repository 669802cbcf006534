package io.upbot.job.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upbot.job.sink.SqlDialect;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SqlScriptTest {

  @Test
  void shouldSplitOnSemicolonsOutsideLiteralsAndComments() {
    String script =
        "-- a comment; not a statement\n"
            + "CREATE TABLE t (a text); -- trailing; comment\n"
            + "/* block; comment */ INSERT INTO t VALUES ('x;y', 'it''s; fine');\n"
            + "  \n"
            + "SELECT 1";

    assertThat(SqlScript.statements(script))
        .containsExactly(
            "CREATE TABLE t (a text)", "INSERT INTO t VALUES ('x;y', 'it''s; fine')", "SELECT 1");
  }

  @Test
  void shouldIgnoreQuotesInsideComments() {
    assertThat(SqlScript.statements("SELECT 1; -- it's '' fine\nSELECT 2;"))
        .containsExactly("SELECT 1", "SELECT 2");
  }

  @Test
  void shouldFailOnUnterminatedLiteralOrComment() {
    assertThatThrownBy(() -> SqlScript.statements("SELECT 'x;"))
        .hasMessage("unterminated string literal in SQL script");
    assertThatThrownBy(() -> SqlScript.statements("SELECT 1 /* x"))
        .hasMessage("unterminated comment in SQL script");
  }

  @Test
  void shouldFillEveryPlaceholderAndRejectUnknownOnes() {
    assertThat(
            SqlScript.render(
                "a {{TZ_NAME}} b {{TZ_NAME}} {{X}}", Map.of("TZ_NAME", "'$1\\'", "X", "x")))
        .isEqualTo("a '$1\\' b '$1\\' x");
    assertThatThrownBy(() -> SqlScript.render("{{TZ_EXPR}}", Map.of()))
        .hasMessage("no value for placeholder {{TZ_EXPR}}");
  }

  @Test
  void shouldReadEveryShippedTemplateWithAllPlaceholdersFilled() {
    for (SqlDialect d : SqlDialect.values()) {
      String views =
          SqlScript.render(
              SchemaInstaller.ddl(d, "views.sql"), d.viewPlaceholders(ZoneId.of("Asia/Shanghai")));
      assertThat(views).doesNotContain("{{");
      assertThat(SqlScript.statements(views))
          .filteredOn(s -> s.startsWith("CREATE VIEW"))
          .hasSize(5);
      assertThat(SqlScript.statements(SchemaInstaller.ddl(d, "tables.sql")))
          .filteredOn(s -> s.startsWith("CREATE TABLE IF NOT EXISTS"))
          .hasSize(9);
    }
  }
}
