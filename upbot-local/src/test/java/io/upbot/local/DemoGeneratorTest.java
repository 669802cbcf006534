package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DemoGeneratorTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private FakeEndpoint server;
  private final List<JsonNode> bodies = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startServer() throws Exception {
    server =
        FakeEndpoint.start(
            (exchange, body) -> {
              bodies.add(JSON.readTree(body));
              return FakeEndpoint.ACCEPTED;
            });
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void shouldPostJourneysWithResendsAndJoinsBeforeTheirPageAndReportProgress() {
    URI url = server.url();
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    try (DemoGenerator demo =
        new DemoGenerator(
                url,
                "tok",
                "wx-demo",
                200,
                3,
                new PrintStream(progress, true, StandardCharsets.UTF_8))
            .start()) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  demo.progress().duplicates() > 0
                      && demo.progress().outOfOrder() > 0
                      && progress.toString(StandardCharsets.UTF_8).contains("demo: "));
      DemoGenerator.Progress p = demo.progress();
      assertThat(p.answersByRet().get("0")).isPositive();
      assertThat(p.requests()).isGreaterThan(p.journeys());
    }
    // A resent batch is byte-for-byte the same batch: it must reach the server more than once.
    Set<JsonNode> distinct = new HashSet<>(bodies);
    assertThat(distinct.size()).isLessThan(bodies.size());
    // Some join reached the server before the batch of its own page.
    Map<String, Integer> firstPage = new HashMap<>();
    Map<String, Integer> firstJoin = new HashMap<>();
    for (int i = 0; i < bodies.size(); i++) {
      for (JsonNode item : bodies.get(i).get("items")) {
        String trace = item.get("trace_id").asText();
        switch (item.get("event_id").asText()) {
          case JourneyGenerator.PAGE_JUMP -> firstPage.putIfAbsent(trace, i);
          case JourneyGenerator.JOIN -> firstJoin.putIfAbsent(trace, i);
          default -> {}
        }
      }
    }
    assertThat(firstJoin.keySet())
        .anySatisfy(trace -> assertThat(firstJoin.get(trace)).isLessThan(firstPage.get(trace)));
    assertThat(progress.toString(StandardCharsets.UTF_8))
        .contains("resent")
        .contains("out of order");
  }
}
