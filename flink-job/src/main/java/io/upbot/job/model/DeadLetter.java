package io.upbot.job.model;

/**
 * A record the job did not count, for the {@code dead_letter_events} table.
 *
 * @param reason {@code late}, {@code malformed}, …
 * @param payload the record as received (UTF-8 text; invalid bytes replaced)
 * @param source {@code topic/partition/offset}, the natural key that makes replays idempotent
 * @param recordedAt when the job recorded it, epoch ms
 */
public record DeadLetter(String reason, String payload, String source, long recordedAt) {

  public static final String LATE = "late";
  public static final String MALFORMED = "malformed";
}
