package io.upbot.job.session;

/**
 * One session of a journey that can still change, as the journey's index keeps it: its time span,
 * its size and the stage times that fix its depth, but not its events.
 *
 * <p>{@code m1}, {@code m2}, {@code m3} are the greedily matched stage times
 * (docs/semantics.md#funnel-depth): the earliest stage-1 time; the earliest stage-2 time at or
 * after it; the earliest stage-3 time at or after that; {@link #UNMATCHED} while there is none. As
 * a session only gains events, each of them only ever becomes defined or moves earlier. The stage
 * times that may still become a match later are the session's pending heaps ({@link PendingHeaps}):
 * stage-2 times before {@code m1}, stage-3 times before {@code m2}.
 *
 * @param id the session's number within its journey; names its pending heaps
 * @param start its earliest {@code t}, epoch ms
 * @param last its latest {@code t}, epoch ms
 * @param events how many distinct events it holds
 * @param copiesUntil the watermark from which no copy of its events can arrive on time any more
 *     (see {@link JourneySessionizer}); below {@code last + G + A} unless a device clock ran ahead
 * @param m1 the matched stage-1 time, or {@link #UNMATCHED}
 * @param m2 the matched stage-2 time ({@code ≥ m1}), or {@link #UNMATCHED}
 * @param m3 the matched stage-3 time ({@code ≥ m2}), or {@link #UNMATCHED}
 * @param pending2 how many stage-2 times wait below {@code m1}
 * @param pending3 how many stage-3 times wait below {@code m2}
 * @param first the session's earliest event (at {@code start}): whose user and dimensions it has;
 *     {@code null} only in a session restored from state written before it was kept, until its next
 *     event
 */
public record LiveSession(
    long id,
    long start,
    long last,
    int events,
    long copiesUntil,
    long m1,
    long m2,
    long m3,
    int pending2,
    int pending3,
    FirstEvent first) {

  /**
   * A stage without a match. It is above every time, so "t is earlier than the match" holds for an
   * unmatched stage without a special case.
   */
  public static final long UNMATCHED = Long.MAX_VALUE;

  /** The funnel depth: how many stages are matched, each at or after the one before. */
  public int depth() {
    if (m1 == UNMATCHED) {
      return 0;
    }
    if (m2 == UNMATCHED) {
      return 1;
    }
    return m3 == UNMATCHED ? 2 : 3;
  }

  /** The time from the matched exposure to the matched long-press, ms; −1 below depth 2. */
  public long pressMs() {
    return depth() >= 2 ? m2 - m1 : -1;
  }

  /** The time from the matched long-press to the matched join, ms; −1 below depth 3. */
  public long joinMs() {
    return depth() == 3 ? m3 - m2 : -1;
  }

  /**
   * The pending stage times it holds; merging moves these, so the smaller side is the cheaper one.
   */
  int pending() {
    return pending2 + pending3;
  }
}
