package io.upbot.job.session;

import org.apache.flink.api.common.state.MapState;

/**
 * The pending stage times of a journey's sessions (see {@link SessionDraft}): one max-heap per
 * session and stage (2 or 3), each slot one entry of a {@link MapState}, so a push or a pop reads
 * and writes O(log n) single entries on RocksDB as on the heap, and never the whole heap. The
 * heaps' sizes live in the session index ({@link LiveSession#pending2()}, {@link
 * LiveSession#pending3()}).
 */
final class PendingHeaps {

  private final MapState<Long, Long> slots;

  PendingHeaps(MapState<Long, Long> slots) {
    this.slots = slots;
  }

  /**
   * One slot's key: the session id in the high bits, then the stage, then the slot. Session ids
   * stay far below 2^30 (a journey's sessions are numbered from 0 and it forgets them when it
   * empties), slots below 2^32.
   */
  static long key(long session, int stage, int slot) {
    return (session << 33) | ((long) (stage - 2) << 32) | (slot & 0xFFFF_FFFFL);
  }

  /** Adds {@code t} to the heap, which holds {@code size} times. */
  void push(long session, int stage, int size, long t) throws Exception {
    int i = size;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      long p = get(session, stage, parent);
      if (p >= t) {
        break;
      }
      slots.put(key(session, stage, i), p);
      i = parent;
    }
    slots.put(key(session, stage, i), t);
  }

  /** The largest time of a heap that is not empty. */
  long top(long session, int stage) throws Exception {
    return get(session, stage, 0);
  }

  /** Removes the largest time of the heap, which holds {@code size > 0} times. */
  void removeTop(long session, int stage, int size) throws Exception {
    int n = size - 1;
    long x = get(session, stage, n);
    slots.remove(key(session, stage, n));
    if (n == 0) {
      return;
    }
    int i = 0;
    while (true) {
      int c = 2 * i + 1;
      if (c >= n) {
        break;
      }
      long cv = get(session, stage, c);
      if (c + 1 < n) {
        long rv = get(session, stage, c + 1);
        if (rv > cv) {
          c++;
          cv = rv;
        }
      }
      if (cv <= x) {
        break;
      }
      slots.put(key(session, stage, i), cv);
      i = c;
    }
    slots.put(key(session, stage, i), x);
  }

  /** The time in one slot, removed: for moving or dropping a whole heap, in any order. */
  long take(long session, int stage, int slot) throws Exception {
    long k = key(session, stage, slot);
    long t = slots.get(k);
    slots.remove(k);
    return t;
  }

  /** Drops a whole heap of {@code size} times. */
  void drop(long session, int stage, int size) throws Exception {
    for (int slot = 0; slot < size; slot++) {
      slots.remove(key(session, stage, slot));
    }
  }

  private long get(long session, int stage, int slot) throws Exception {
    Long t = slots.get(key(session, stage, slot));
    if (t == null) {
      throw new IllegalStateException(
          "pending heap "
              + session
              + "/"
              + stage
              + " has no slot "
              + slot
              + ": index and heap disagree");
    }
    return t;
  }
}
