package io.upbot.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CORS headers of an answer, on a bare exchange (the preflight is tested over HTTP in
 * IngestServerTest).
 */
class CorsTest {
  private static HttpServerExchange from(String... origins) {
    HttpServerExchange ex = new HttpServerExchange(null);
    for (String o : origins) {
      ex.getRequestHeaders().add(Headers.ORIGIN, o);
    }
    return ex;
  }

  @Test
  void shouldAllowAConfiguredOriginAndExposeRetryAfter() {
    HttpServerExchange ex = from("https://h5.example.com");
    new Cors(List.of("https://h5.example.com")).onAnswer(ex);
    assertThat(ex.getResponseHeaders().getFirst(Cors.ALLOW_ORIGIN))
        .isEqualTo("https://h5.example.com");
    assertThat(ex.getResponseHeaders().getFirst(Cors.EXPOSE_HEADERS)).isEqualTo("Retry-After");
    assertThat(ex.getResponseHeaders().getFirst(Headers.VARY)).isEqualTo("Origin");
  }

  @Test
  void shouldAllowAnyOriginWithAStar() {
    HttpServerExchange ex = from("https://anyone.example.org");
    new Cors(List.of("*")).onAnswer(ex);
    assertThat(ex.getResponseHeaders().getFirst(Cors.ALLOW_ORIGIN))
        .isEqualTo("https://anyone.example.org");
  }

  @Test
  void shouldVaryButNotAllowAnotherOriginOrARepeatedOne() {
    Cors cors = new Cors(List.of("https://h5.example.com"));
    for (HttpServerExchange ex :
        List.of(
            from("https://evil.example.com"),
            from(),
            from("https://h5.example.com", "https://h5.example.com"))) {
      cors.onAnswer(ex);
      assertThat(ex.getResponseHeaders().getFirst(Cors.ALLOW_ORIGIN)).isNull();
      assertThat(ex.getResponseHeaders().getFirst(Headers.VARY)).isEqualTo("Origin");
    }
  }

  @Test
  void shouldAddNothingWhenNoOriginIsConfigured() {
    HttpServerExchange ex = from("https://h5.example.com");
    new Cors(List.of()).onAnswer(ex);
    assertThat(ex.getResponseHeaders().size()).isZero();
  }
}
