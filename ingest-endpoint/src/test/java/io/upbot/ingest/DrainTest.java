package io.upbot.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DrainTest {
  private final Drain drain = new Drain();

  @Test
  void shouldRefuseNewBatchesOnceDrainingHasBegun() {
    assertThat(drain.enter()).isTrue();
    drain.begin();
    assertThat(drain.isDraining()).isTrue();
    assertThat(drain.enter()).as("a batch whose body arrives after the drain began").isFalse();
    drain.leave();
    assertThat(drain.await(Duration.ofSeconds(5))).as("the admitted batch has left").isZero();
  }

  @Test
  void shouldWaitForEveryInFlightBatchAndReportHowManyThereWere() throws Exception {
    drain.enter();
    drain.enter();
    CompletableFuture<Integer> waiting =
        CompletableFuture.supplyAsync(() -> drain.await(Duration.ofSeconds(30)));
    await().atMost(Duration.ofSeconds(5)).until(drain::isDraining);
    drain.leave();
    assertThat(waiting).as("one batch still in flight").isNotDone();
    drain.leave();
    assertThat(waiting.get(5, TimeUnit.SECONDS)).isEqualTo(2);
  }

  @Test
  void shouldStopWaitingAtTheTimeoutWhenABatchNeverFinishes() throws Exception {
    drain.enter();
    CompletableFuture<Integer> waiting =
        CompletableFuture.supplyAsync(() -> drain.await(Duration.ofMillis(200)));
    assertThat(waiting.get(5, TimeUnit.SECONDS)).isEqualTo(1);
  }

  @Test
  void shouldReturnAtOnceWithNothingInFlight() {
    assertThat(drain.await(Duration.ofHours(1))).isZero();
    assertThat(drain.enter()).isFalse();
  }
}
