package io.upbot.wecom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeduplicatorTest {

  final AtomicLong now = new AtomicLong(1_000_000);
  final Deduplicator dedup = new Deduplicator(Duration.ofMinutes(10), 3, now::get);
  final AtomicInteger stores = new AtomicInteger();

  Deduplicator.Outcome once(String key) throws CallbackStore.StoreException {
    return dedup.storeOnce(key, stores::incrementAndGet, Duration.ofSeconds(5));
  }

  @Test
  void shouldStoreAKeyOnceWithinTheWindowAndAgainAfterIt() throws Exception {
    assertThat(once("a")).isEqualTo(Deduplicator.Outcome.STORED);
    assertThat(once("a")).isEqualTo(Deduplicator.Outcome.DUPLICATE);
    now.addAndGet(Duration.ofMinutes(11).toMillis());
    assertThat(once("a")).isEqualTo(Deduplicator.Outcome.STORED);
    assertThat(stores).hasValue(2);
  }

  @Test
  void shouldForgetAFailedStoreSoThatTheResendStores() throws Exception {
    assertThatThrownBy(
            () ->
                dedup.storeOnce(
                    "a",
                    () -> {
                      throw new CallbackStore.StoreException("down", null);
                    },
                    Duration.ofSeconds(1)))
        .isInstanceOf(CallbackStore.StoreException.class);
    assertThat(once("a")).isEqualTo(Deduplicator.Outcome.STORED);
  }

  @Test
  void shouldLetAConcurrentResendStoreWhenTheFirstCopyFails() throws Exception {
    CountDownLatch firstStarted = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    CompletableFuture<Throwable> first =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                dedup.storeOnce(
                    "a",
                    () -> {
                      firstStarted.countDown();
                      try {
                        releaseFirst.await(10, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      throw new CallbackStore.StoreException("down", null);
                    },
                    Duration.ofSeconds(10));
                return null;
              } catch (CallbackStore.StoreException e) {
                return e;
              }
            });
    assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Deduplicator.Outcome> second =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return once("a");
              } catch (CallbackStore.StoreException e) {
                throw new IllegalStateException(e);
              }
            });
    releaseFirst.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS)).isInstanceOf(CallbackStore.StoreException.class);
    assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(Deduplicator.Outcome.STORED);
    assertThat(stores).hasValue(1);
  }

  @Test
  void shouldKeepAtMostMaxKeysDroppingTheOldest() throws Exception {
    for (String k : List.of("a", "b", "c", "d", "e")) {
      once(k);
    }
    assertThat(dedup.size()).isLessThanOrEqualTo(4);
    assertThat(once("e")).isEqualTo(Deduplicator.Outcome.DUPLICATE);
  }

  @Test
  void shouldRememberKeysReadBackFromTheOutbox() throws Exception {
    dedup.remember(List.of("x"));
    assertThat(once("x")).isEqualTo(Deduplicator.Outcome.DUPLICATE);
    assertThat(stores).hasValue(0);
  }
}
