package io.upbot.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private static final long SECOND = 1_000_000_000L;
  private final AtomicLong now = new AtomicLong();
  private final RateLimiter limiter = new RateLimiter(now::get);

  private static TokenStore.Token token(double rate, double burst) {
    return new TokenStore.Token(
        "t", TokenStore.sha256(new byte[] {(byte) rate}), null, rate, burst);
  }

  @Test
  void shouldRefillAtTheRateUpToTheBurst() {
    TokenStore.Token t = token(4, 8);
    assertThat(limiter.acquire(t, 8, true)).isZero();
    assertThat(limiter.acquire(t, 1, true)).isEqualTo(1);
    now.addAndGet(SECOND / 2);
    assertThat(limiter.acquire(t, 2, true)).isZero();
    assertThat(limiter.acquire(t, 4, true)).isEqualTo(1);
    now.addAndGet(100 * SECOND);
    assertThat(limiter.acquire(t, 8, true)).isZero();
  }

  @Test
  void shouldOnlyCheckWhenNotConsuming() {
    TokenStore.Token t = token(1, 1);
    assertThat(limiter.acquire(t, 1, false)).isZero();
    assertThat(limiter.acquire(t, 1, false)).isZero();
    assertThat(limiter.acquire(t, 1, true)).isZero();
    assertThat(limiter.acquire(t, 1, false)).isEqualTo(1);
  }

  @Test
  void shouldAdmitABatchLargerThanTheBurstOnAFullBucketAndAskToWaitOutTheDebt() {
    TokenStore.Token t = token(10, 10);
    assertThat(limiter.acquire(t, 50, true)).isZero();
    assertThat(limiter.acquire(t, 1, true)).isEqualTo(5);
  }

  @Test
  void shouldNotLimitATokenWithoutARate() {
    TokenStore.Token t = token(0, 1);
    for (int i = 0; i < 100; i++) {
      assertThat(limiter.acquire(t, 500, true)).isZero();
    }
  }
}
