package io.upbot.wecom;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Remembers the keys of callbacks stored in the last {@code window}, so that WeCom's resends are
 * answered "success" without being stored again. A resend that arrives while the first copy is
 * still being stored waits for that store's outcome: if it failed, the resend stores instead, so a
 * failure is never hidden by a duplicate's "success". Bounded by {@code maxKeys} (oldest out).
 */
final class Deduplicator {

  /** What to do with a callback. */
  enum Outcome {
    STORED,
    DUPLICATE
  }

  /** The work the first copy does. */
  @FunctionalInterface
  interface Store {
    void run() throws CallbackStore.StoreException;
  }

  private record Entry(long at, CompletableFuture<Boolean> stored) {}

  private final Duration window;
  private final int maxKeys;
  private final LongSupplier clock;
  private final Map<String, Entry> entries = new LinkedHashMap<>();

  Deduplicator(Duration window, int maxKeys, LongSupplier clock) {
    this.window = window;
    this.maxKeys = maxKeys;
    this.clock = clock;
  }

  /** Marks keys as stored (those read back from the outbox at start). */
  synchronized void remember(Iterable<String> keys) {
    long now = clock.getAsLong();
    for (String k : keys) {
      entries.put(k, new Entry(now, CompletableFuture.completedFuture(true)));
    }
    evict(now);
  }

  /**
   * Runs {@code store} unless {@code key} was stored within the window.
   *
   * @throws CallbackStore.StoreException when this copy had to store and could not
   */
  Outcome storeOnce(String key, Store store, Duration wait) throws CallbackStore.StoreException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      CompletableFuture<Boolean> mine = new CompletableFuture<>();
      Entry seen;
      synchronized (this) {
        long now = clock.getAsLong();
        evict(now);
        seen = entries.get(key);
        if (seen == null) {
          entries.put(key, new Entry(now, mine));
        }
      }
      if (seen == null) {
        try {
          store.run();
          mine.complete(true);
          return Outcome.STORED;
        } catch (CallbackStore.StoreException | RuntimeException e) {
          synchronized (this) {
            entries.remove(key);
          }
          mine.complete(false);
          throw e;
        }
      }
      boolean stored;
      try {
        long left = deadline - System.nanoTime();
        stored = seen.stored().get(Math.max(0, left), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        throw new CallbackStore.StoreException("the first copy is still being stored", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CallbackStore.StoreException("interrupted", e);
      } catch (ExecutionException e) {
        stored = false;
      }
      if (stored) {
        return Outcome.DUPLICATE;
      }
      // The first copy failed and was forgotten: try to store this one.
    }
  }

  synchronized int size() {
    return entries.size();
  }

  private void evict(long now) {
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Entry> e = it.next();
      boolean old = now - e.getValue().at() > window.toMillis();
      if ((old || entries.size() > maxKeys) && e.getValue().stored().isDone()) {
        it.remove();
      } else {
        break; // insertion order: the rest are newer
      }
    }
  }
}
