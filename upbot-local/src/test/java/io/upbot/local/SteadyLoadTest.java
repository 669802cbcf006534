package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The soak's and the fault tests' load: distinct journeys, answers counted by what they promise.
 */
class SteadyLoadTest {

  private FakeEndpoint server;
  private final AtomicInteger requests = new AtomicInteger();
  private final Set<String> traces = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void startServer() throws Exception {
    server =
        FakeEndpoint.start(
            (exchange, bytes) -> {
              String body = new String(bytes, StandardCharsets.UTF_8);
              for (String part : body.split("\"trace_id\":\"")) {
                if (part.startsWith("tr-")) {
                  traces.add(part.substring(0, part.indexOf('"')));
                }
              }
              // Every third batch is refused as a broker outage would be.
              return requests.incrementAndGet() % 3 == 0
                  ? "{\"ret\":1005,\"msg\":\"busy\"}"
                  : FakeEndpoint.ACCEPTED;
            });
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void shouldCountAcceptedAndUnsureEventsSeparately() {
    ReportPoster poster = new ReportPoster(server.url(), "t", Duration.ofSeconds(5));
    AtomicInteger told = new AtomicInteger();
    SteadyLoad load =
        SteadyLoad.start(
            poster,
            new JourneyGenerator(1, "wx", List.of("c")),
            2_000,
            10,
            8,
            (batch, ret, latency) -> told.incrementAndGet());
    await().atMost(Duration.ofSeconds(30)).until(() -> requests.get() >= 30);
    load.close();

    long answered = load.answers().getOrDefault("0", 0L) + load.answers().getOrDefault("1005", 0L);
    assertThat(told.get()).isEqualTo((int) answered);
    assertThat(load.accepted()).isEqualTo(10 * load.answers().get("0"));
    assertThat(load.unsure()).isEqualTo(10 * load.answers().get("1005"));
    // Fresh journeys only: no trace repeats across batches, so every event is distinct.
    assertThat(traces.size()).isGreaterThanOrEqualTo((int) (answered * 10 / 5));
  }
}
