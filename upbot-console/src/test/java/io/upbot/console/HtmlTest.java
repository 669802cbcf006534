package io.upbot.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Escaping: nothing from the tables or the request reaches a page as markup. */
class HtmlTest {

  @Test
  void shouldEscapeMarkupAndQuotesInTextAndAttributes() {
    String s = Html.text("<script>alert('x')</script> & \"q\"");
    assertThat(s).doesNotContain("<", ">", "\"", "'");
    assertThat(s).contains("&lt;script&gt;", "&amp;", "&#34;", "&#39;");
  }

  @Test
  void shouldShowNullAsEmpty() {
    assertThat(Html.text(null)).isEmpty();
  }

  @Test
  void shouldEncodeQueryParametersAndLeaveOutNulls() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("appid", "a&b=c");
    p.put("code", "<x> y");
    p.put("reason", null);
    assertThat(Html.url("/code", p)).isEqualTo("/code?appid=a%26b%3Dc&code=%3Cx%3E%20y");
    assertThat(Html.href("/code", p)).doesNotContain("<", ">").contains("&amp;code=");
  }

  @Test
  void shouldFormatRatesAndNulls() {
    assertThat(Cells.format("conversion", 0.5)).isEqualTo("50.0%");
    assertThat(Cells.format("avg_s", 116 / 11.0)).isEqualTo("10.5");
    assertThat(Cells.format("joined", null)).isEqualTo("–");
    assertThat(Cells.percent(3, 0)).isEqualTo("–");
    assertThat(Cells.percent(1, 3)).isEqualTo("33.3%");
  }
}
