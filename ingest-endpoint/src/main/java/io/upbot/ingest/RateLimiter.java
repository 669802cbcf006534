package io.upbot.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One token bucket per API token, counted in items. A batch is admitted when the bucket holds at
 * least its size, or is full (so a batch larger than the burst is not refused forever); admitting
 * it may leave the bucket in debt, which later batches wait out.
 */
public final class RateLimiter {
  private final LongSupplier nanoClock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimiter(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  /**
   * Takes {@code items} from the token's bucket.
   *
   * @param consume false to only check (validate mode)
   * @return 0 when admitted, otherwise the whole seconds (at least 1) after which to retry
   */
  public long acquire(TokenStore.Token token, int items, boolean consume) {
    if (!token.limited()) {
      return 0;
    }
    Bucket b =
        buckets.computeIfAbsent(token.id(), k -> new Bucket(token.burst(), nanoClock.getAsLong()));
    return b.acquire(items, token.ratePerSecond(), token.burst(), nanoClock.getAsLong(), consume);
  }

  private static final class Bucket {
    private double level;
    private long lastNanos;

    Bucket(double burst, long now) {
      this.level = burst;
      this.lastNanos = now;
    }

    synchronized long acquire(int items, double rate, double burst, long now, boolean consume) {
      level = Math.min(burst, level + (now - lastNanos) / 1e9 * rate);
      lastNanos = now;
      double need = Math.min(items, burst);
      if (level >= need) {
        if (consume) {
          level -= items;
        }
        return 0;
      }
      return Math.max(1, (long) Math.ceil((need - level) / rate));
    }
  }
}
