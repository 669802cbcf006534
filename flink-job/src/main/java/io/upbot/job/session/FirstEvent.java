package io.upbot.job.session;

import io.upbot.job.model.JourneyEvent;

/**
 * The earliest event of a session, as much of it as decides which event that is and what the
 * session takes from it (docs/semantics.md#the-sessions-user-and-dimensions): the user and the
 * dimensions of the event with the smallest {@code t}; among equal times the smallest {@code
 * event_id}, then the smallest {@code event_time} as sent (two distinct events cannot tie on all
 * three). Its {@code t} is the session's start, so it is not kept twice. Small ints and one openid
 * string: it is kept per live session in the journey's index, read and written on every event.
 *
 * @param eventId its event_id, to break ties of time
 * @param eventTime its event_time as sent, to break ties of time and event_id
 * @param openid its user
 * @param accountType its account type
 * @param deviceType its device type, {@link JourneyEvent#ABSENT} when not sent
 * @param mediaType its media type, {@link JourneyEvent#ABSENT} when not sent
 */
public record FirstEvent(
    String eventId, long eventTime, String openid, int accountType, int deviceType, int mediaType) {

  static FirstEvent of(JourneyEvent e) {
    return new FirstEvent(
        e.eventId(), e.eventTime(), e.openid(), e.accountType(), e.deviceType(), e.mediaType());
  }

  /**
   * Whether this event, at {@code t}, comes before {@code other}, at {@code otherT}: the earlier
   * time, then the smaller event_id, then the smaller event_time as sent.
   */
  boolean before(long t, FirstEvent other, long otherT) {
    if (t != otherT) {
      return t < otherT;
    }
    int byId = eventId.compareTo(other.eventId);
    return byId != 0 ? byId < 0 : eventTime < other.eventTime;
  }
}
