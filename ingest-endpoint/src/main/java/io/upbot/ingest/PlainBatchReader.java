package io.upbot.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.upbot.schema.MediaEvent;
import io.upbot.schema.Text;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the common body, a valid batch of the documented fields only, in one pass of a streaming
 * parser: no tree and no set of keys per object. It only ever accepts: on anything else (an unknown
 * field, a duplicate, a null where the rules treat it specially, a broken rule, a syntax error) it
 * returns null, and {@link BatchValidator}'s tree-based reading, the reference, gives the answer.
 * So every answer but an acceptance comes from the reference, and an acceptance here is the one the
 * reference gives ({@code RequestParserFuzzTest} checks both on mutated bodies). The tree took
 * about a fifth of the endpoint's CPU (docs/performance.md).
 */
final class PlainBatchReader {
  /** Not a plain body: the reference decides. Thrown often, so without a stack trace. */
  private static final class NotPlain extends Exception {
    private static final long serialVersionUID = 1L;

    NotPlain() {
      super(null, null, false, false);
    }
  }

  private static final NotPlain NOT_PLAIN = new NotPlain();

  /** An item's fields, checked; the records are built once the head is read. */
  private record Item(
      String eventId,
      long eventTime,
      Integer mediaType,
      String code,
      String traceId,
      Integer duration) {}

  /** The head's fields, checked. */
  private record Head(
      String appid,
      String openid,
      int accountType,
      Integer deviceType,
      String uuid,
      String unionid) {}

  /** The account's fields, checked. */
  private record Account(String appid, String openid, int accountType, String unionid) {}

  private final JsonFactory factory;
  private final int maxItems;

  /**
   * @param factory a factory with the reference's read constraints, without duplicate detection
   *     (duplicates of the known fields are found here; any other field is not plain)
   */
  PlainBatchReader(JsonFactory factory, int maxItems) {
    this.factory = factory;
    this.maxItems = maxItems;
  }

  /** The accepted batch, or null when the body is not a plain valid batch. */
  BatchValidator.Accepted read(byte[] body, long receivedAt) {
    try (JsonParser p = factory.createParser(body)) {
      return root(p, receivedAt);
    } catch (IOException | NotPlain | RuntimeException e) {
      return null;
    }
  }

  private BatchValidator.Accepted root(JsonParser p, long receivedAt) throws IOException, NotPlain {
    expect(p.nextToken(), JsonToken.START_OBJECT);
    Head head = null;
    List<Item> items = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      switch (p.currentName()) {
        case "head" -> {
          if (head != null) {
            throw NOT_PLAIN;
          }
          head = head(p);
        }
        // One list, by either name: both, or one twice, is for the reference.
        case "items", "item" -> {
          if (items != null) {
            throw NOT_PLAIN;
          }
          items = items(p);
        }
        default -> throw NOT_PLAIN;
      }
    }
    if (p.nextToken() != null || head == null || items == null) {
      throw NOT_PLAIN;
    }
    List<MediaEvent> events = new ArrayList<>(items.size());
    for (Item i : items) {
      events.add(
          new MediaEvent(
              MediaEvent.VERSION,
              head.appid(),
              head.openid(),
              head.accountType(),
              head.deviceType(),
              head.uuid(),
              i.eventId(),
              i.eventTime(),
              receivedAt,
              i.mediaType(),
              i.code(),
              i.traceId(),
              i.duration(),
              head.unionid(),
              MediaEvent.SOURCE_CLIENT));
    }
    return new BatchValidator.Accepted(head.appid(), events);
  }

  private static Head head(JsonParser p) throws IOException, NotPlain {
    expect(p.nextToken(), JsonToken.START_OBJECT);
    Account account = null;
    Integer deviceType = null;
    String uuid = null;
    int seen = 0;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      switch (p.currentName()) {
        case "account_info" -> {
          seen = once(seen, 1);
          account = account(p);
        }
        case "device_info" -> {
          seen = once(seen, 2);
          JsonToken t = p.nextToken();
          if (t == JsonToken.START_OBJECT) {
            int device = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              switch (p.currentName()) {
                case "device_type" -> {
                  device = once(device, 1);
                  deviceType = integer(p);
                  if (deviceType != null && deviceType != 1 && deviceType != 2) {
                    throw NOT_PLAIN;
                  }
                }
                case "uuid" -> {
                  device = once(device, 2);
                  uuid = string(p, 128);
                }
                default -> throw NOT_PLAIN;
              }
            }
          } else if (t != JsonToken.VALUE_NULL) {
            throw NOT_PLAIN;
          }
        }
        default -> throw NOT_PLAIN;
      }
    }
    if (account == null) {
      throw NOT_PLAIN;
    }
    return new Head(
        account.appid(),
        account.openid(),
        account.accountType(),
        deviceType,
        uuid,
        account.unionid());
  }

  private static Account account(JsonParser p) throws IOException, NotPlain {
    expect(p.nextToken(), JsonToken.START_OBJECT);
    Integer accountType = null;
    String appid = null;
    String openid = null;
    String unionid = null;
    int seen = 0;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      switch (p.currentName()) {
        case "account_type" -> {
          seen = once(seen, 1);
          accountType = integer(p);
        }
        case "appid" -> {
          seen = once(seen, 2);
          appid = string(p, 64);
        }
        case "openid" -> {
          seen = once(seen, 4);
          openid = string(p, 128);
        }
        case "unionid" -> {
          seen = once(seen, 8);
          unionid = string(p, 128);
        }
        default -> throw NOT_PLAIN;
      }
    }
    if (accountType == null || accountType < 1 || accountType > 3) {
      throw NOT_PLAIN;
    }
    if (appid == null || appid.isEmpty() || openid == null || openid.isEmpty()) {
      throw NOT_PLAIN;
    }
    if (unionid != null && unionid.isEmpty()) {
      throw NOT_PLAIN;
    }
    return new Account(appid, openid, accountType, unionid);
  }

  private List<Item> items(JsonParser p) throws IOException, NotPlain {
    expect(p.nextToken(), JsonToken.START_ARRAY);
    List<Item> items = new ArrayList<>();
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      expect(t, JsonToken.START_OBJECT);
      if (items.size() == maxItems) {
        throw NOT_PLAIN;
      }
      items.add(item(p));
    }
    if (items.isEmpty()) {
      throw NOT_PLAIN;
    }
    return items;
  }

  private static Item item(JsonParser p) throws IOException, NotPlain {
    String eventId = null;
    long eventTime = 0;
    Integer mediaType = null;
    String code = null;
    String traceId = null;
    Integer duration = null;
    int seen = 0;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      switch (p.currentName()) {
        case "event_id" -> {
          seen = once(seen, 1);
          eventId = eventId(p);
        }
        case "event_time" -> {
          seen = once(seen, 2);
          eventTime = eventTime(p);
        }
        case "media_type" -> {
          seen = once(seen, 4);
          mediaType = integer(p);
          if (mediaType != null && mediaType < 0) {
            throw NOT_PLAIN;
          }
        }
        case "code" -> {
          seen = once(seen, 8);
          code = trimmed(p, 64);
        }
        case "trace_id" -> {
          seen = once(seen, 16);
          traceId = trimmed(p, 128);
        }
        case "duration" -> {
          seen = once(seen, 32);
          duration = integer(p);
          if (duration != null && (duration < 0 || duration > 86_400)) {
            throw NOT_PLAIN;
          }
        }
        default -> throw NOT_PLAIN;
      }
    }
    if (eventId == null || eventTime == 0) {
      throw NOT_PLAIN;
    }
    return new Item(eventId, eventTime, mediaType, code, traceId, duration);
  }

  /** {@code seen} with {@code bit} set; a field seen twice is a duplicate key. */
  private static int once(int seen, int bit) throws NotPlain {
    if ((seen & bit) != 0) {
      throw NOT_PLAIN;
    }
    return seen | bit;
  }

  private static void expect(JsonToken actual, JsonToken expected) throws NotPlain {
    if (actual != expected) {
      throw NOT_PLAIN;
    }
  }

  /** A string of at most {@code max} characters, or null for a JSON null. */
  private static String string(JsonParser p, int max) throws IOException, NotPlain {
    JsonToken t = p.nextToken();
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    expect(t, JsonToken.VALUE_STRING);
    String s = p.getText();
    if (!Text.isWellFormed(s) || s.indexOf(0) >= 0 || Text.characters(s) > max) {
      throw NOT_PLAIN;
    }
    return s;
  }

  /** An optional string, trimmed: empty after trimming is absent. */
  private static String trimmed(JsonParser p, int max) throws IOException, NotPlain {
    String raw = string(p, Integer.MAX_VALUE);
    if (raw == null) {
      return null;
    }
    String s = Text.trimWhiteSpace(raw);
    if (s.isEmpty()) {
      return null;
    }
    if (Text.characters(s) > max) {
      throw NOT_PLAIN;
    }
    return s;
  }

  /** A 32-bit integer, or null for a JSON null. */
  private static Integer integer(JsonParser p) throws IOException, NotPlain {
    JsonToken t = p.nextToken();
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    expect(t, JsonToken.VALUE_NUMBER_INT);
    if (p.getNumberType() != JsonParser.NumberType.INT) {
      throw NOT_PLAIN;
    }
    return p.getIntValue();
  }

  private static String eventId(JsonParser p) throws IOException, NotPlain {
    JsonToken t = p.nextToken();
    String s;
    if (t == JsonToken.VALUE_STRING) {
      s = p.getText();
      if (!Text.isWellFormed(s) || s.indexOf(0) >= 0) {
        throw NOT_PLAIN;
      }
    } else if (t == JsonToken.VALUE_NUMBER_INT) {
      // The reference's coercion: the integer's decimal string ("-0" is "0").
      s = p.getBigIntegerValue().toString();
    } else {
      throw NOT_PLAIN;
    }
    int length = Text.characters(s);
    if (length < 1 || length > 32) {
      throw NOT_PLAIN;
    }
    return s;
  }

  private static long eventTime(JsonParser p) throws IOException, NotPlain {
    expect(p.nextToken(), JsonToken.VALUE_NUMBER_INT);
    JsonParser.NumberType type = p.getNumberType();
    if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
      throw NOT_PLAIN;
    }
    long t = p.getLongValue();
    if (t <= 0) {
      throw NOT_PLAIN;
    }
    return t < BatchValidator.MILLIS_THRESHOLD ? t * 1000 : t;
  }
}
