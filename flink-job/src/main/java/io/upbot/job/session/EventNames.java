package io.upbot.job.session;

import java.util.Arrays;

/**
 * The distinct events of a small journey, by name ({@code event_time as sent / event_id}), each
 * with its {@code t}: the sessionizer's duplicate check for journeys of up to {@link
 * JourneySessionizer#DEFAULT_INLINE_EVENTS} events, in one state value of two objects.
 *
 * <p>Why not a {@code MapState} as for large journeys: on the heap, a map of four names is a hash
 * map, its table, and a node, a string, its bytes and a boxed time per name, about twenty objects
 * and 700 bytes a journey, all of which live the journey's whole G + A and which the collector
 * copies and marks (docs/performance.md, "Fewer objects per journey"). Here: one {@code long[]} and
 * one string. A lookup is a scan of at most a few dozen longs.
 *
 * <p>Event {@code i} is {@code slots[3i]} its event_time as sent, {@code slots[3i + 1]} its {@code
 * t}, and {@code ids[end(i−1), slots[3i + 2])} its event_id; the ids are concatenated in order.
 * Immutable: every change gives a new value.
 *
 * @param slots three longs per event: event_time as sent, t, the end of its event_id in {@code ids}
 * @param ids the events' event_ids, one after the other
 */
public record EventNames(long[] slots, String ids) {

  private static final int SLOTS = 3;

  public static final EventNames EMPTY = new EventNames(new long[0], "");

  /** The number of events. */
  public int size() {
    return slots.length / SLOTS;
  }

  /** Whether an event of this name is here. */
  public boolean contains(long eventTime, String eventId) {
    String id = idOf(eventId);
    int start = 0;
    for (int i = 0; i < slots.length; i += SLOTS) {
      int end = (int) slots[i + 2];
      if (slots[i] == eventTime
          && end - start == id.length()
          && ids.regionMatches(start, id, 0, id.length())) {
        return true;
      }
      start = end;
    }
    return false;
  }

  /** These events and one more, which must not be here yet. */
  public EventNames with(long eventTime, String eventId, long t) {
    String id = idOf(eventId);
    long[] out = Arrays.copyOf(slots, slots.length + SLOTS);
    int i = slots.length;
    out[i] = eventTime;
    out[i + 1] = t;
    out[i + 2] = ids.length() + (long) id.length();
    return new EventNames(out, ids.concat(id));
  }

  /** These events without those at or before {@code t}: the events of finished sessions. */
  public EventNames withoutUpTo(long t) {
    long[] out = new long[slots.length];
    StringBuilder kept = new StringBuilder(ids.length());
    int n = 0;
    int start = 0;
    for (int i = 0; i < slots.length; i += SLOTS) {
      int end = (int) slots[i + 2];
      if (slots[i + 1] > t) {
        kept.append(ids, start, end);
        out[n] = slots[i];
        out[n + 1] = slots[i + 1];
        out[n + 2] = kept.length();
        n += SLOTS;
      }
      start = end;
    }
    return n == slots.length ? this : new EventNames(Arrays.copyOf(out, n), kept.toString());
  }

  /** Event {@code i}'s event_time as sent. */
  public long eventTime(int i) {
    return slots[SLOTS * i];
  }

  /** Event {@code i}'s t. */
  public long t(int i) {
    return slots[SLOTS * i + 1];
  }

  /** Event {@code i}'s event_id. */
  public String eventId(int i) {
    int start = i == 0 ? 0 : (int) slots[SLOTS * i - 1];
    return ids.substring(start, (int) slots[SLOTS * i + 2]);
  }

  /**
   * The event_id as the name holds it: a missing one as the string "null", as {@link
   * JourneySessionizer#eventName} has always named it.
   */
  private static String idOf(String eventId) {
    return String.valueOf(eventId);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EventNames n && Arrays.equals(slots, n.slots) && ids.equals(n.ids);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(slots) + ids.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("EventNames[");
    for (int i = 0; i < size(); i++) {
      s.append(i == 0 ? "" : ", ").append(eventTime(i)).append('/').append(eventId(i));
      s.append('@').append(t(i));
    }
    return s.append(']').toString();
  }
}
