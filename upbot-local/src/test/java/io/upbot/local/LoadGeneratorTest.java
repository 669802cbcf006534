package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoadGeneratorTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private FakeEndpoint server;
  private final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
  private final List<String> tokens = new CopyOnWriteArrayList<>();
  private final AtomicInteger seen = new AtomicInteger();

  @BeforeEach
  void startServer() throws Exception {
    server =
        FakeEndpoint.start(
            (exchange, body) -> {
              bodies.add(JSON.readTree(body));
              tokens.add(exchange.getRequestHeaders().getFirst("Authorization"));
              // Every third request is rate limited, so the summary must tell answers apart.
              return seen.incrementAndGet() % 3 == 0
                  ? "{\"ret\":1004,\"msg\":\"x\"}"
                  : FakeEndpoint.ACCEPTED;
            });
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void shouldCountAnswersByRetAndAcceptedItems() throws Exception {
    URI url = server.url();
    LoadGenerator.Options o =
        new LoadGenerator.Options(url, "tok-1", 100, Duration.ofSeconds(2), 5, "wx-load", 16);

    LoadGenerator.Summary s =
        LoadGenerator.run(
            o, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

    assertThat(s.requests()).isEqualTo(bodies.size()).isBetween(20L, 60L);
    assertThat(s.items()).isEqualTo(5 * s.requests());
    long ok = s.answersByRet().getOrDefault("0", 0L);
    long limited = s.answersByRet().getOrDefault("1004", 0L);
    assertThat(ok + limited).isEqualTo(s.requests());
    assertThat(limited).isEqualTo(s.requests() / 3);
    assertThat(s.acceptedItems()).isEqualTo(5 * ok);
    assertThat(s.latencyMicros().getTotalCount()).isEqualTo(s.requests());
    assertThat(tokens).containsOnly("tok-1");
    assertThat(bodies)
        .allSatisfy(
            b -> {
              assertThat(b.at("/head/account_info/appid").asText()).isEqualTo("wx-load");
              assertThat(b.get("items")).hasSize(5);
            });
    assertThat(s.render()).contains("p99.9").contains("accepted events/s");
  }
}
