package io.upbot.schema;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonParser.NumberType;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.util.stream.Stream;

/**
 * Decodes the common record in one pass of a Jackson parser, its fields read straight into locals:
 * an object of docs/stream.md's fields only, each at most once, each of its type or {@code null}.
 * Anything else (an unknown or repeated field, a wrong type, a number out of range, a syntax error,
 * trailing content, anything but an object) is left to the tree decoder, {@link
 * MediaEventCodec#decodeTree}, which then decides: so both accept the same records and reject the
 * others with the same message. Building the tree (its hash maps, and the parser's duplicate
 * detection with a hash set per object) was most of the job's decoding CPU.
 */
final class StreamingDecoder {

  /**
   * The record's limits, no duplicate detection (a bit per known field does it, and an unknown
   * field goes to the tree decoder anyway) and no charset detection: {@link #decode} only takes
   * bytes that the detection would read as UTF-8 without a byte order mark.
   */
  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .disable(JsonFactory.Feature.CHARSET_DETECTION)
          .streamReadConstraints(MediaEventCodec.READ_LIMITS)
          .build();

  /**
   * docs/stream.md's fields in the writer's order, which {@link MediaEvent} declares for Jackson; a
   * field's bit is 1 << its index here.
   */
  private static final SerializedString[] NAMES =
      Stream.of(MediaEvent.class.getAnnotation(JsonPropertyOrder.class).value())
          .map(SerializedString::new)
          .toArray(SerializedString[]::new);

  // The fields' bits, by their index in NAMES.
  private static final int V = 1;
  private static final int APPID = 1 << 1;
  private static final int OPENID = 1 << 2;
  private static final int ACCOUNT_TYPE = 1 << 3;
  private static final int DEVICE_TYPE = 1 << 4;
  private static final int UUID = 1 << 5;
  private static final int EVENT_ID = 1 << 6;
  private static final int EVENT_TIME = 1 << 7;
  private static final int RECEIVED_AT = 1 << 8;
  private static final int MEDIA_TYPE = 1 << 9;
  private static final int CODE = 1 << 10;
  private static final int TRACE_ID = 1 << 11;
  private static final int DURATION = 1 << 12;
  private static final int UNIONID = 1 << 13;
  private static final int SOURCE = 1 << 14;

  /** Thrown, without a stack trace, on anything the tree decoder must judge. */
  private static final class Unusual extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unusual() {
      super(null, null, false, false);
    }
  }

  private static final Unusual UNUSUAL = new Unusual();

  private StreamingDecoder() {}

  /**
   * The record, or null when the tree decoder must decide.
   *
   * @throws MalformedEventException when the record is of the usual shape but breaks a value rule
   *     (a required field absent or null, a version other than 1, a time not positive, an empty
   *     source), with the tree decoder's message
   */
  static MediaEvent decode(byte[] bytes) throws MalformedEventException {
    // Jackson's charset detection reads bytes starting "{x", x not NUL, as UTF-8 without a byte
    // order mark; so only for such bytes may this decoder skip it and still read what the tree
    // decoder reads.
    if (bytes == null || bytes.length < 2 || bytes[0] != '{' || bytes[1] == 0) {
      return null;
    }
    int present = 0;
    int v = 0;
    String appid = null;
    String openid = null;
    int accountType = 0;
    Integer deviceType = null;
    String uuid = null;
    String eventId = null;
    long eventTime = 0;
    long receivedAt = 0;
    Integer mediaType = null;
    String code = null;
    String traceId = null;
    Integer duration = null;
    String unionid = null;
    String source = null;
    try (JsonParser p = FACTORY.createParser(bytes, 0, bytes.length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      int seen = 0;
      int next = 0;
      while (true) {
        int field;
        // The writer's order first: a name that matches its bytes is not looked up.
        if (next < NAMES.length && p.nextFieldName(NAMES[next])) {
          field = 1 << next;
        } else {
          if (next == NAMES.length) {
            p.nextToken();
          }
          if (p.currentToken() != JsonToken.FIELD_NAME) {
            break;
          }
          field = field(p.currentName());
          if (field == 0) {
            return null;
          }
        }
        if ((seen & field) != 0) {
          return null;
        }
        seen |= field;
        next = Integer.numberOfTrailingZeros(field) + 1;
        JsonToken t = p.nextToken();
        if (t == JsonToken.VALUE_NULL) {
          continue;
        }
        present |= field;
        switch (field) {
          case V -> v = int32(p, t);
          case APPID -> appid = text(p, t);
          case OPENID -> openid = text(p, t);
          case ACCOUNT_TYPE -> accountType = int32(p, t);
          case DEVICE_TYPE -> deviceType = int32(p, t);
          case UUID -> uuid = text(p, t);
          case EVENT_ID -> eventId = text(p, t);
          case EVENT_TIME -> eventTime = int64(p, t);
          case RECEIVED_AT -> receivedAt = int64(p, t);
          case MEDIA_TYPE -> mediaType = int32(p, t);
          case CODE -> code = text(p, t);
          case TRACE_ID -> traceId = text(p, t);
          case DURATION -> duration = int32(p, t);
          case UNIONID -> unionid = text(p, t);
          default -> source = text(p, t);
        }
      }
      // The loop ends at anything but a field name. Values are never objects or arrays here, so an
      // object's end is the record's, and only white space may follow it.
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        return null;
      }
    } catch (IOException | RuntimeException e) {
      // Unusual, a syntax error or a broken limit: the tree decoder reads it again and says why.
      return null;
    }
    // The tree decoder's checks, in its order, on what is left to check: the types were.
    if ((present & V) == 0) {
      throw MediaEventCodec.missing("v");
    }
    MediaEventCodec.version(v);
    appid = MediaEventCodec.required(appid, "appid");
    openid = MediaEventCodec.required(openid, "openid");
    if ((present & ACCOUNT_TYPE) == 0) {
      throw MediaEventCodec.missing("account_type");
    }
    eventId = MediaEventCodec.required(eventId, "event_id");
    if ((present & EVENT_TIME) == 0) {
      throw MediaEventCodec.missing("event_time");
    }
    MediaEventCodec.positive(eventTime, "event_time");
    if ((present & RECEIVED_AT) == 0) {
      throw MediaEventCodec.missing("received_at");
    }
    MediaEventCodec.positive(receivedAt, "received_at");
    return new MediaEvent(
        v,
        appid,
        openid,
        accountType,
        deviceType,
        uuid,
        eventId,
        eventTime,
        receivedAt,
        mediaType,
        code,
        traceId,
        duration,
        unionid,
        MediaEventCodec.source(source));
  }

  /** The field's bit, 0 for a name docs/stream.md does not have (records out of order only). */
  private static int field(String name) {
    for (int i = 0; i < NAMES.length; i++) {
      if (NAMES[i].getValue().equals(name)) {
        return 1 << i;
      }
    }
    return 0;
  }

  private static String text(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_STRING) {
      throw UNUSUAL;
    }
    return p.getText();
  }

  /** An integer the tree holds as an {@code IntNode}: what its 32-bit fields accept. */
  private static int int32(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != NumberType.INT) {
      throw UNUSUAL;
    }
    return p.getIntValue();
  }

  /** An integer the tree holds as an {@code IntNode} or a {@code LongNode}. */
  private static long int64(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == NumberType.BIG_INTEGER) {
      throw UNUSUAL;
    }
    return p.getLongValue();
  }
}
