package io.upbot.job.source;

import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.DecodedRecord;
import io.upbot.job.model.JourneyEvent;
import io.upbot.schema.MalformedEventException;
import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import io.upbot.schema.Text;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * Turns one raw stream record into a {@link DecodedRecord}: an on-time journey event, or a dead
 * letter ({@code malformed} when it cannot be decoded, {@code late} when it was received more than
 * the allowed lateness after its time, docs/semantics.md#late-events).
 *
 * <p>The late rule lives here, not in a later operator, because it needs nothing but the record,
 * and only here are the bytes "as received" that the dead-letter table keeps; carrying them further
 * for every event would double the size of each record in flight. Never throws: a poison record
 * must not fail the job.
 */
public final class RecordDecoder implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * docs/semantics.md#time: a device clock in the future cannot push time ahead by more than this.
   */
  public static final long MAX_FUTURE_MS = 5 * 60_000L;

  // The API's limits (docs/api.md). The endpoint enforces them; a record from elsewhere that breaks
  // them would make every later upsert of its row fail, so it is a poison record for the tables.
  private static final int MAX_APPID = 64;
  private static final int MAX_CODE = 64;
  private static final int MAX_EVENT_ID = 32;
  private static final int MAX_DURATION_S = 86_400;
  private static final int MAX_UNIONID = 128;

  private final long allowedLatenessMs;

  public RecordDecoder(long allowedLatenessMs) {
    this.allowedLatenessMs = allowedLatenessMs;
  }

  /**
   * Decodes one record.
   *
   * @param value the record's value bytes (may be null: a tombstone)
   * @param source {@code topic/partition/offset}
   * @param nowMs the processing time, for {@code recorded_at}
   */
  public DecodedRecord decode(byte[] value, String source, long nowMs) {
    MediaEvent m;
    try {
      m = MediaEventCodec.decode(value);
    } catch (MalformedEventException | RuntimeException e) {
      return DecodedRecord.ofDeadLetter(
          DecodedRecord.NO_RECEIVED_AT,
          new DeadLetter(DeadLetter.MALFORMED, payloadText(value), source, nowMs));
    }
    String problem = contractViolation(m);
    if (problem != null) {
      return DecodedRecord.ofDeadLetter(
          m.receivedAt(), new DeadLetter(DeadLetter.MALFORMED, payloadText(value), source, nowMs));
    }
    String identityProblem = identityViolation(m);
    if (identityProblem != null) {
      return DecodedRecord.ofDeadLetter(
          m.receivedAt(), new DeadLetter(identityProblem, payloadText(value), source, nowMs));
    }
    long t = Math.min(m.eventTime(), m.receivedAt() + MAX_FUTURE_MS);
    if (m.receivedAt() - t > allowedLatenessMs) {
      return DecodedRecord.ofDeadLetter(
          m.receivedAt(), new DeadLetter(DeadLetter.LATE, payloadText(value), source, nowMs));
    }
    String code = m.code() == null ? "" : Text.trimWhiteSpace(m.code());
    return DecodedRecord.ofEvent(
        new JourneyEvent(
            m.appid(),
            code,
            m.trace(),
            m.eventId(),
            m.eventTime(),
            t,
            m.receivedAt(),
            m.duration(),
            m.openid(),
            m.accountType(),
            JourneyEvent.dimension(m.deviceType()),
            JourneyEvent.dimension(m.mediaType()),
            m.unionid(),
            m.source()));
  }

  /**
   * The dead-letter reason of a record whose {@code unionid} or {@code source} the job cannot use,
   * or null: {@link DeadLetter#INVALID_UNIONID} for a unionid empty, longer than 128 characters or
   * holding U+0000 or an unpaired surrogate (it keys the join attribution's state,
   * docs/semantics.md#wecom- joins), {@link DeadLetter#UNKNOWN_SOURCE} for a source other than
   * {@code client} and {@code wecom} (a writer this job does not know: its records must not be
   * counted as either).
   */
  static String identityViolation(MediaEvent m) {
    String u = m.unionid();
    if (u != null
        && (u.isEmpty() || Text.characters(u) > MAX_UNIONID || hasNul(u) || !wellFormed(u))) {
      return DeadLetter.INVALID_UNIONID;
    }
    if (!JourneyEvent.SOURCE_CLIENT.equals(m.source())
        && !JourneyEvent.SOURCE_WECOM.equals(m.source())) {
      return DeadLetter.UNKNOWN_SOURCE;
    }
    return null;
  }

  /**
   * Why the record breaks a rule the tables rely on, or null. Lengths count characters (code
   * points), as the endpoint does (docs/api.md): counting UTF-16 units would dead-letter accepted
   * non-BMP text.
   */
  static String contractViolation(MediaEvent m) {
    if (Text.characters(m.appid()) > MAX_APPID) {
      return "appid too long";
    }
    if (m.code() != null && Text.characters(Text.trimWhiteSpace(m.code())) > MAX_CODE) {
      return "code too long";
    }
    if (Text.characters(m.eventId()) > MAX_EVENT_ID) {
      return "event_id too long";
    }
    if (m.duration() != null && (m.duration() < 0 || m.duration() > MAX_DURATION_S)) {
      return "duration out of range";
    }
    // PostgreSQL text cannot hold U+0000: such a key would fail every upsert of its row. The
    // endpoint
    // refuses U+0000; this guards against records from any other writer.
    if (hasNul(m.appid()) || hasNul(m.code()) || hasNul(m.eventId()) || hasNul(m.trace())) {
      return "NUL character in a key field";
    }
    // The sink stores an unpaired surrogate as U+FFFD, so two keys differing only there would share
    // a
    // database row while the job kept them apart. The endpoint refuses them; guard other writers.
    if (!wellFormed(m.appid())
        || !wellFormed(m.code())
        || !wellFormed(m.eventId())
        || !wellFormed(m.trace())) {
      return "unpaired surrogate in a key field";
    }
    return null;
  }

  private static boolean wellFormed(String s) {
    return s == null || Text.isWellFormed(s);
  }

  private static boolean hasNul(String s) {
    return s != null && s.indexOf('\u0000') >= 0;
  }

  /**
   * The payload as UTF-8 text, invalid bytes replaced and NUL (which PostgreSQL text rejects) too.
   */
  static String payloadText(byte[] value) {
    if (value == null) {
      return "";
    }
    return new String(value, StandardCharsets.UTF_8).replace('\u0000', '\uFFFD');
  }
}
