package io.upbot.job.session;

import io.upbot.job.model.FunnelStages;
import io.upbot.job.model.JourneyEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The distinct events of one journey still able to change a session, compact and sorted by
 * {@code (t, eventId)}: parallel arrays, so Flink serialises it as a POJO without Kryo. Immutable.
 *
 * @param times each event's {@code t}, epoch ms, non-decreasing
 * @param eventIds each event's event_id
 * @param durations each event's duration in seconds, or {@link #NO_DURATION}
 */
public record JourneyState(long[] times, String[] eventIds, int[] durations) {

  /** {@code durations[i]} of an event that carries no duration. */
  public static final int NO_DURATION = -1;

  public static final JourneyState EMPTY = new JourneyState(new long[0], new String[0], new int[0]);

  public int size() {
    return times.length;
  }

  /** Whether the event {@code (eventId, t)} is already known (docs/semantics.md#duplicates). */
  public boolean contains(String eventId, long t) {
    int i = lowerBound(t);
    for (; i < times.length && times[i] == t; i++) {
      if (eventIds[i].equals(eventId)) {
        return true;
      }
    }
    return false;
  }

  /** A state with {@code e} inserted in order; the caller has checked it is not known. */
  public JourneyState insert(JourneyEvent e) {
    int i = lowerBound(e.t());
    while (i < times.length && times[i] == e.t() && eventIds[i].compareTo(e.eventId()) < 0) {
      i++;
    }
    int n = times.length;
    long[] t = new long[n + 1];
    String[] ids = new String[n + 1];
    int[] d = new int[n + 1];
    System.arraycopy(times, 0, t, 0, i);
    System.arraycopy(eventIds, 0, ids, 0, i);
    System.arraycopy(durations, 0, d, 0, i);
    t[i] = e.t();
    ids[i] = e.eventId();
    d[i] = e.duration() == null ? NO_DURATION : e.duration();
    System.arraycopy(times, i, t, i + 1, n - i);
    System.arraycopy(eventIds, i, ids, i + 1, n - i);
    System.arraycopy(durations, i, d, i + 1, n - i);
    return new JourneyState(t, ids, d);
  }

  /** The state without the events before index {@code from} (they belong to finished sessions). */
  public JourneyState dropBefore(int from) {
    return new JourneyState(
        Arrays.copyOfRange(times, from, times.length),
        Arrays.copyOfRange(eventIds, from, eventIds.length),
        Arrays.copyOfRange(durations, from, durations.length));
  }

  /**
   * The sessions of these events (docs/semantics.md#sessions): consecutive events belong to one session while the gap
   * to the next is below {@code gapMs}; equal times always share one.
   */
  public List<Session> sessions(long gapMs, FunnelStages stages) {
    List<Session> out = new ArrayList<>();
    int from = 0;
    for (int i = 1; i <= times.length; i++) {
      if (i == times.length || times[i] - times[i - 1] >= gapMs) {
        out.add(new Session(times[from], times[i - 1], depth(from, i, stages), from, i));
        from = i;
      }
    }
    return out;
  }

  /**
   * Funnel depth (docs/semantics.md#funnel-depth) of events {@code [from, to)}: the largest k with events of stages 1..k at
   * non-decreasing times. Matching each stage to its earliest possible event is optimal (an earlier match
   * never leaves fewer candidates for the next stage); events of equal time may match in any order, so
   * each group of equal times is scanned until it yields no further stage.
   */
  int depth(int from, int to, FunnelStages stages) {
    int k = 0;
    int i = from;
    while (i < to && k < 3) {
      int j = i;
      while (j < to && times[j] == times[i]) {
        j++;
      }
      boolean advanced = true;
      while (advanced && k < 3) {
        advanced = false;
        for (int x = i; x < j; x++) {
          if (stages.stageOf(eventIds[x]) == k + 1) {
            k++;
            advanced = true;
            break;
          }
        }
      }
      i = j;
    }
    return k;
  }

  private int lowerBound(long t) {
    int lo = 0;
    int hi = times.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (times[mid] < t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JourneyState s
        && Arrays.equals(times, s.times)
        && Arrays.equals(eventIds, s.eventIds)
        && Arrays.equals(durations, s.durations);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(times) + Arrays.hashCode(eventIds)) + Arrays.hashCode(durations);
  }

  @Override
  public String toString() {
    return "JourneyState" + Arrays.toString(times) + Arrays.toString(eventIds);
  }

  /**
   * One session: its first and last time, its depth, and its events' index range {@code [from, to)}.
   */
  public record Session(long start, long last, int depth, int from, int to) {}
}
