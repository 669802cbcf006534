package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The load tools' poster: answers read by their ret, on a bounded set of its own threads. */
class ReportPosterTest {

  private static final int POSTS = 64;

  private FakeEndpoint server;
  private final CountDownLatch allArrived = new CountDownLatch(POSTS);

  @BeforeEach
  void startServer() throws Exception {
    server =
        FakeEndpoint.start(
            POSTS,
            (exchange, body) -> {
              // Every answer at once, as after a pause of the server: a burst for the client.
              allArrived.countDown();
              try {
                allArrived.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return FakeEndpoint.ACCEPTED;
            });
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void shouldReadEveryAnswerOfABurstOnAtMostItsOwnFewThreads() {
    ReportPoster poster = new ReportPoster(server.url(), "t", Duration.ofSeconds(20));
    List<CompletableFuture<String>> answers = new ArrayList<>();
    for (int i = 0; i < POSTS; i++) {
      answers.add(poster.post("{}".getBytes(StandardCharsets.UTF_8)));
    }

    assertThat(answers).allSatisfy(a -> assertThat(a.join()).isEqualTo(ReportPoster.ACCEPTED));
    List<String> posterThreads =
        Thread.getAllStackTraces().keySet().stream()
            .map(Thread::getName)
            .filter(n -> n.startsWith(poster.threadPrefix()))
            .toList();
    assertThat(posterThreads).isNotEmpty().hasSizeLessThanOrEqualTo(ReportPoster.THREADS);
  }
}
