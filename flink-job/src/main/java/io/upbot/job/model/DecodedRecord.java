package io.upbot.job.model;

/**
 * One stream record after decoding: either an on-time {@link JourneyEvent} or a {@link DeadLetter}
 * (malformed or late). Exactly one of {@code event} and {@code deadLetter} is set.
 *
 * @param receivedAt the server's receive time of a decodable record (late ones included, so they
 *     still advance the server-clock watermark), or {@link #NO_RECEIVED_AT} for a malformed one
 */
public record DecodedRecord(long receivedAt, JourneyEvent event, DeadLetter deadLetter) {

  /** {@code receivedAt} of a record that could not be decoded. */
  public static final long NO_RECEIVED_AT = Long.MIN_VALUE;

  public DecodedRecord {
    if ((event == null) == (deadLetter == null)) {
      throw new IllegalArgumentException("exactly one of event and deadLetter must be set");
    }
  }

  public static DecodedRecord ofEvent(JourneyEvent e) {
    return new DecodedRecord(e.receivedAt(), e, null);
  }

  public static DecodedRecord ofDeadLetter(long receivedAt, DeadLetter d) {
    return new DecodedRecord(receivedAt, null, d);
  }
}
