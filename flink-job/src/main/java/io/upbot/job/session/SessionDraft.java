package io.upbot.job.session;

import static io.upbot.job.session.LiveSession.UNMATCHED;

import io.upbot.job.model.JourneyEvent;

/**
 * A live session while one event changes it: the greedy stage matching of
 * docs/semantics.md#funnel-depth, kept up to date one stage time at a time, without the session's
 * events.
 *
 * <p>The matches are {@code m1} = the earliest stage-1 time, {@code m2} = the earliest stage-2 time
 * {@code ≥ m1}, {@code m3} = the earliest stage-3 time {@code ≥ m2} (equal times count as in
 * order). Matching each stage to its earliest possible time is optimal: an earlier match never
 * leaves fewer candidates for the next stage. Adding a time can only move matches earlier, so the
 * only times worth keeping besides the matches are the <em>pending</em> ones: stage-2 times below
 * {@code m1} (they become candidates when {@code m1} moves down to them) and stage-3 times below
 * {@code m2}. Every other stage time is at or after its stage's match for good, so it can never be
 * a match: it is forgotten at once.
 *
 * <p>Pending times live in max-heaps ({@link PendingHeaps}). When {@code m1} moves down to {@code
 * x}, every pending stage-2 time {@code ≥ x} leaves the heap; the smallest of them may become
 * {@code m2}, and the others are forgotten (they are after that new {@code m2}). Likewise for stage
 * 3 when {@code m2} moves. Each time enters and leaves a heap at most once, so a stage time costs
 * O(log n) amortised.
 *
 * <p>What is kept is a function of the session's set of stage times, whatever the order they came
 * in: the matches are, and so are the heaps ("all stage-2 times below {@code m1}", "all stage-3
 * times below {@code m2}"). Hence merging two sessions is adding one side's matches and pending
 * times to the other: every time the smaller side forgot is after a match the merged session keeps
 * or improves.
 */
final class SessionDraft {

  private final PendingHeaps heaps;
  private final long id;
  private long start;
  private long last;
  private int events;
  private long copiesUntil;
  private long m1;
  private long m2;
  private long m3;
  private int pending2;
  private int pending3;
  private FirstEvent first;

  /** A draft of an existing session. */
  SessionDraft(LiveSession s, PendingHeaps heaps) {
    this.heaps = heaps;
    this.id = s.id();
    this.start = s.start();
    this.last = s.last();
    this.events = s.events();
    this.copiesUntil = s.copiesUntil();
    this.m1 = s.m1();
    this.m2 = s.m2();
    this.m3 = s.m3();
    this.pending2 = s.pending2();
    this.pending3 = s.pending3();
    this.first = s.first();
  }

  /** A draft of a new, empty session at {@code t}. */
  static SessionDraft open(long id, long t, PendingHeaps heaps) {
    return new SessionDraft(
        new LiveSession(id, t, t, 0, Long.MIN_VALUE, UNMATCHED, UNMATCHED, UNMATCHED, 0, 0, null),
        heaps);
  }

  /**
   * Adds one new distinct event {@code e}, at {@code t}, of funnel stage {@code stage} (0: none),
   * whose copies may arrive on time until the watermark reaches {@code copiesUntil}.
   */
  void add(JourneyEvent e, long t, int stage, long copiesUntil) throws Exception {
    FirstEvent candidate = FirstEvent.of(e);
    if (first == null || candidate.before(t, first, start)) {
      first = candidate;
    }
    start = Math.min(start, t);
    last = Math.max(last, t);
    events++;
    this.copiesUntil = Math.max(this.copiesUntil, copiesUntil);
    match(stage, t);
  }

  /**
   * Merges {@code other} into this session (an event bridged them): its span, its events, its
   * matches and its pending times; its heaps are emptied on the way.
   */
  void absorb(LiveSession other) throws Exception {
    if (first == null
        || (other.first() != null && other.first().before(other.start(), first, start))) {
      first = other.first();
    }
    start = Math.min(start, other.start());
    last = Math.max(last, other.last());
    events += other.events();
    copiesUntil = Math.max(copiesUntil, other.copiesUntil());
    match(1, other.m1());
    match(2, other.m2());
    match(3, other.m3());
    for (int slot = 0; slot < other.pending2(); slot++) {
      match(2, heaps.take(other.id(), 2, slot));
    }
    for (int slot = 0; slot < other.pending3(); slot++) {
      match(3, heaps.take(other.id(), 3, slot));
    }
  }

  LiveSession build() {
    return new LiveSession(
        id, start, last, events, copiesUntil, m1, m2, m3, pending2, pending3, first);
  }

  private void match(int stage, long t) throws Exception {
    if (t == UNMATCHED) {
      return; // an absent match of the absorbed side
    }
    switch (stage) {
      case 1 -> {
        if (t < m1) {
          m1 = t;
          release2(t);
        }
      }
      case 2 -> {
        if (t < m1) {
          heaps.push(id, 2, pending2++, t);
        } else if (t < m2) {
          m2 = t;
          release3(t);
        }
      }
      case 3 -> {
        if (t < m2) {
          heaps.push(id, 3, pending3++, t);
        } else if (t < m3) {
          m3 = t;
        }
      }
      default -> {} // not a funnel stage
    }
  }

  /** {@code m1} moved down to {@code x}: pending stage-2 times {@code ≥ x} are candidates now. */
  private void release2(long x) throws Exception {
    long earliest = popAtOrAfter(2, x);
    if (earliest < m2) {
      m2 = earliest;
      release3(earliest);
    }
  }

  /** {@code m2} moved down to {@code x}: pending stage-3 times {@code ≥ x} are candidates now. */
  private void release3(long x) throws Exception {
    long earliest = popAtOrAfter(3, x);
    if (earliest < m3) {
      m3 = earliest;
    }
  }

  /** Pops every time {@code ≥ x} off a heap; returns the smallest of them, or UNMATCHED if none. */
  private long popAtOrAfter(int stage, long x) throws Exception {
    long smallest = UNMATCHED;
    while (size(stage) > 0) {
      long top = heaps.top(id, stage);
      if (top < x) {
        break;
      }
      heaps.removeTop(id, stage, size(stage));
      if (stage == 2) {
        pending2--;
      } else {
        pending3--;
      }
      smallest = top; // a max-heap yields them in decreasing order
    }
    return smallest;
  }

  private int size(int stage) {
    return stage == 2 ? pending2 : pending3;
  }
}
