package io.upbot.job.session;

import java.util.Arrays;

/**
 * The live sessions of one journey, in time order, without their events: what the sessionizer reads
 * and writes on every event. Small by construction: live sessions lie within about {@code A + 5
 * min} of each other and at least {@code G} apart, so a journey holds about {@code (A + 5 min) / G}
 * of them (≈ 50 with the defaults) however many events it has. Immutable; a POJO of an array of
 * records, never Kryo.
 *
 * @param sessions the live sessions, ordered by start; they never overlap
 * @param nextSessionId the id the next new session gets
 * @param capReported whether the journey's passing the event cap has been logged
 */
public record JourneyIndex(LiveSession[] sessions, long nextSessionId, boolean capReported) {

  public static final JourneyIndex EMPTY = new JourneyIndex(new LiveSession[0], 0, false);

  public int size() {
    return sessions.length;
  }

  public LiveSession session(int i) {
    return sessions[i];
  }

  /** The distinct events of all live sessions. */
  public int events() {
    int n = 0;
    for (LiveSession s : sessions) {
      n += s.events();
    }
    return n;
  }

  /** The index of the last session that starts at or before {@code t}, or −1. */
  public int lastStartingAtOrBefore(long t) {
    int lo = 0;
    int hi = sessions.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sessions[mid].start() <= t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo - 1;
  }

  /**
   * This index with sessions {@code [from, to)} (maybe none) replaced by {@code s}, in its place.
   */
  public JourneyIndex replace(int from, int to, LiveSession s, long nextSessionId) {
    LiveSession[] out = new LiveSession[sessions.length - (to - from) + 1];
    System.arraycopy(sessions, 0, out, 0, from);
    out[from] = s;
    System.arraycopy(sessions, to, out, from + 1, sessions.length - to);
    return new JourneyIndex(out, nextSessionId, capReported);
  }

  /** This index without its first {@code n} sessions (finished ones). */
  public JourneyIndex dropFirst(int n) {
    return new JourneyIndex(
        Arrays.copyOfRange(sessions, n, sessions.length), nextSessionId, capReported);
  }

  public JourneyIndex withCapReported() {
    return new JourneyIndex(sessions, nextSessionId, true);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JourneyIndex i
        && Arrays.equals(sessions, i.sessions)
        && nextSessionId == i.nextSessionId
        && capReported == i.capReported;
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(sessions) + Long.hashCode(nextSessionId))
        + Boolean.hashCode(capReported);
  }

  @Override
  public String toString() {
    return "JourneyIndex" + Arrays.toString(sessions) + " next=" + nextSessionId;
  }
}
