package io.upbot.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.upbot.schema.MediaEvent;
import io.upbot.schema.Text;
import java.io.CharConversionException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Parses a request body and applies every field rule of docs/api.md, turning an accepted body into
 * the stream records of its batch.
 *
 * <p>Order: JSON syntax (including duplicate keys, depth and number/string length limits), then the
 * item count (over the limit is 1003, a size error), then the field rules in docs/api.md's table
 * order, items by index; the first failure answers. Strict types: the only coercion is an integer
 * {@code event_id} to its decimal string. Thread-safe and stateless.
 */
public final class BatchValidator {

  /** The seconds/milliseconds threshold of {@code event_time}. */
  public static final long MILLIS_THRESHOLD = 100_000_000_000L;

  static final int MAX_DEPTH = 32;
  static final int MAX_NUMBER_LENGTH = 64;
  private static final int MAX_DUPLICATE_NAME_IN_DETAIL = 64;
  private static final int MAX_PATH_PARTS = 6;

  private final ObjectMapper mapper;
  private final PlainBatchReader plain;
  private final int maxItems;
  private final int maxBodyBytes;

  public BatchValidator(int maxItems, int maxBodyBytes) {
    this.maxItems = maxItems;
    this.maxBodyBytes = maxBodyBytes;
    StreamReadConstraints limits =
        StreamReadConstraints.builder()
            .maxNestingDepth(MAX_DEPTH)
            .maxNumberLength(MAX_NUMBER_LENGTH)
            .maxStringLength(Math.max(1024, maxBodyBytes))
            .maxDocumentLength(Math.max(1024, maxBodyBytes))
            .build();
    this.mapper =
        new ObjectMapper(
            JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(limits)
                .build());
    this.plain =
        new PlainBatchReader(JsonFactory.builder().streamReadConstraints(limits).build(), maxItems);
  }

  /** The outcome: either the batch's records or the first rule it breaks. */
  public sealed interface Result permits Accepted, Rejected {}

  /** A valid batch: its appid and one record per item, in item order. */
  public record Accepted(String appid, List<MediaEvent> events) implements Result {
    public Accepted {
      events = List.copyOf(events);
    }
  }

  /** A refused batch. */
  public record Rejected(Answer answer) implements Result {}

  /** A rule broken at a path; internal control flow only. */
  private static final class Violation extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Answer answer;

    Violation(Answer answer) {
      super(null, null, false, false);
      this.answer = answer;
    }
  }

  /**
   * Reads a body as it came off the wire: decompressed first when it was sent with {@code
   * Content-Encoding: gzip} (refused over the body limit, or when it is not whole gzip members),
   * then validated. Every input gets a result; nothing is thrown.
   */
  public Result validateBody(byte[] raw, boolean gzip, long receivedAt) {
    byte[] body = raw;
    if (gzip) {
      try {
        body = Bodies.gunzip(raw, maxBodyBytes);
      } catch (Bodies.BodyException e) {
        return new Rejected(e.answer());
      }
    }
    return validate(body, receivedAt);
  }

  /**
   * Validates one (already decompressed) body.
   *
   * @param receivedAt the server's receipt time in epoch millis, the same for every record of the
   *     batch
   */
  public Result validate(byte[] body, long receivedAt) {
    // Most bodies are plain valid batches: read in one streaming pass. Everything else, and every
    // refusal, goes through the reference below.
    Accepted accepted = readPlain(body, receivedAt);
    if (accepted != null) {
      return accepted;
    }
    return validateWithTree(body, receivedAt);
  }

  /** The streaming reading alone: the batch it accepts, or null where the reference decides. */
  Accepted readPlain(byte[] body, long receivedAt) {
    // Jackson decodes some byte sequences that are not UTF-8 (an overlong "/"): the reference's
    // byte check comes first.
    if (body == null
        || body.length == 0
        || !looksLikeUtf8(body)
        || Utf8.firstInvalidByte(body) >= 0) {
      return null;
    }
    return plain.read(body, receivedAt);
  }

  /** The reference: the whole body as a tree, every rule in order, the first failure answers. */
  Result validateWithTree(byte[] body, long receivedAt) {
    try {
      JsonNode root = parse(body);
      return new Accepted(appidOf(root), records(root, receivedAt));
    } catch (Violation v) {
      return new Rejected(v.answer);
    }
  }

  private JsonNode parse(byte[] body) throws Violation {
    if (body == null || body.length == 0) {
      throw param("body", "required");
    }
    if (!looksLikeUtf8(body)) {
      throw param("body", "must be UTF-8");
    }
    int badByte = Utf8.firstInvalidByte(body);
    if (badByte >= 0) {
      Violation earlier = invalidUtf8(body, badByte);
      if (earlier != null) {
        throw earlier;
      }
    }
    JsonParser p = null;
    try {
      p = mapper.getFactory().createParser(body);
      JsonNode root = mapper.readTree(p);
      if (root == null || root.isMissingNode()) {
        throw param("body", "required");
      }
      if (p.nextToken() != null) {
        throw param("body", "trailing content after the JSON value");
      }
      if (badByte >= 0) {
        // Unreachable in practice: the run up to the bad byte found an earlier problem the full
        // parse did not.
        throw param("body", "invalid UTF-8");
      }
      if (!root.isObject()) {
        throw param("body", "must be a JSON object");
      }
      return root;
    } catch (StreamConstraintsException e) {
      throw param(pathOf(p), constraintReason(e));
    } catch (JsonEOFException e) {
      throw param(pathOf(p), "truncated JSON");
    } catch (JsonParseException e) {
      String m = String.valueOf(e.getOriginalMessage());
      if (m.startsWith("Duplicate field")) {
        throw param(pathOf(p), "duplicate key");
      }
      if (m.contains("UTF-8") || m.contains("UTF8")) {
        throw param(pathOf(p), "invalid UTF-8");
      }
      throw param(pathOf(p), "not valid JSON");
    } catch (CharConversionException e) {
      throw param("body", "invalid UTF-8");
    } catch (JsonProcessingException e) {
      throw param(pathOf(p), "not valid JSON");
    } catch (IOException e) {
      // Parsing from memory: only malformed content gets here.
      throw param("body", "not valid JSON");
    } finally {
      if (p != null) {
        try {
          p.close();
        } catch (IOException ignored) {
          // Nothing to release for an in-memory parser.
        }
      }
    }
  }

  /**
   * The answer for a body whose byte {@code offset} is not UTF-8: the field that holds it (the
   * parser, run up to that byte, stops inside it), or "body"; null when an earlier problem comes
   * first, which the full parse then reports (the first offending thing answers).
   */
  private Violation invalidUtf8(byte[] body, int offset) {
    JsonParser p = null;
    try {
      p = mapper.getFactory().createParser(body, 0, offset);
      while (p.nextToken() != null) {
        // Only where the parser stops matters.
      }
      return param("body", "invalid UTF-8");
    } catch (JsonEOFException e) {
      return param(pathOf(p), "invalid UTF-8");
    } catch (IOException e) {
      return null;
    } finally {
      if (p != null) {
        try {
          p.close();
        } catch (IOException ignored) {
          // Nothing to release for an in-memory parser.
        }
      }
    }
  }

  /**
   * Jackson would auto-detect UTF-16/32 from a BOM or zero bytes; the API's body is UTF-8, and a
   * UTF-8 JSON text can have neither a zero byte nor those BOMs in its first four bytes.
   */
  private static boolean looksLikeUtf8(byte[] b) {
    if (b.length >= 2
        && ((b[0] == (byte) 0xFE && b[1] == (byte) 0xFF)
            || (b[0] == (byte) 0xFF && b[1] == (byte) 0xFE))) {
      return false;
    }
    for (int i = 0; i < Math.min(4, b.length); i++) {
      if (b[i] == 0) {
        return false;
      }
    }
    return true;
  }

  private static String constraintReason(StreamConstraintsException e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("nesting depth")) {
      return "nested deeper than " + MAX_DEPTH;
    }
    if (m.contains("Number value length") || m.contains("number value length")) {
      return "number longer than " + MAX_NUMBER_LENGTH + " digits";
    }
    if (m.contains("String value length") || m.contains("string value length")) {
      return "string too long";
    }
    return "body too large";
  }

  /** The parser's current location as a field path, e.g. {@code items[3].event_time}. */
  private static String pathOf(JsonParser p) {
    if (p == null) {
      return "body";
    }
    Deque<String> parts = new ArrayDeque<>();
    for (JsonStreamContext c = p.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray()) {
        parts.push("[" + Math.max(0, c.getCurrentIndex()) + "]");
      } else if (c.inObject() && c.getCurrentName() != null) {
        String name = c.getCurrentName();
        if (name.length() > MAX_DUPLICATE_NAME_IN_DETAIL) {
          name = name.substring(0, MAX_DUPLICATE_NAME_IN_DETAIL) + "…";
        }
        parts.push("." + name);
      }
    }
    if (parts.isEmpty()) {
      return "body";
    }
    StringBuilder sb = new StringBuilder();
    int n = 0;
    for (String part : parts) {
      if (++n > MAX_PATH_PARTS) {
        // Deeply nested junk: the first levels say where it is.
        sb.append("…");
        break;
      }
      sb.append(part);
    }
    return sb.charAt(0) == '.' ? sb.substring(1) : "body" + sb;
  }

  private String appidOf(JsonNode root) throws Violation {
    // Item count first: more than the limit is a size error (1003), checked before field rules.
    for (String name : new String[] {"items", "item"}) {
      JsonNode a = root.get(name);
      if (a != null && a.isArray() && a.size() > maxItems) {
        throw new Violation(
            new Answer(Ret.TOO_LARGE, name + ": more than " + maxItems + " elements"));
      }
    }
    JsonNode head = requiredObject(root, "head", "head");
    JsonNode account = requiredObject(head, "account_info", "head.account_info");
    int accountType = requiredInt(account, "account_type", "head.account_info.account_type");
    if (accountType < 1 || accountType > 3) {
      throw param("head.account_info.account_type", "must be 1, 2 or 3");
    }
    return requiredString(account, "appid", "head.account_info.appid", 64);
  }

  private List<MediaEvent> records(JsonNode root, long receivedAt) throws Violation {
    JsonNode head = root.get("head");
    JsonNode account = head.get("account_info");
    int accountType = account.get("account_type").intValue();
    String appid = account.get("appid").textValue();
    String openid = requiredString(account, "openid", "head.account_info.openid", 128);
    // Optional, but when given it has openid's rule: an empty unionid names nobody.
    String unionid =
        optionalString(account, "unionid", "head.account_info.unionid", Integer.MAX_VALUE);
    if (unionid != null && (unionid.isEmpty() || Text.characters(unionid) > 128)) {
      throw param("head.account_info.unionid", "must be 1 to 128 characters");
    }

    Integer deviceType = null;
    String uuid = null;
    JsonNode device = optional(head, "device_info");
    if (device != null) {
      if (!device.isObject()) {
        throw param("head.device_info", "must be an object");
      }
      deviceType = optionalInt(device, "device_type", "head.device_info.device_type");
      if (deviceType != null && deviceType != 1 && deviceType != 2) {
        throw param("head.device_info.device_type", "must be 1 or 2");
      }
      uuid = optionalString(device, "uuid", "head.device_info.uuid", 128);
    }

    boolean hasItems = root.has("items");
    boolean hasItem = root.has("item");
    if (hasItems && hasItem) {
      throw param("items", "item and items both given");
    }
    String listName = hasItem ? "item" : "items";
    JsonNode list = optional(root, listName);
    if (list == null) {
      throw param("items", "required");
    }
    if (!list.isArray()) {
      throw param(listName, "must be an array");
    }
    if (list.isEmpty()) {
      throw param(listName, "must have 1 to " + maxItems + " elements");
    }
    List<MediaEvent> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      JsonNode item = list.get(i);
      if (!item.isObject()) {
        throw param(listName + "[" + i + "]", "must be an object");
      }
      // A field's path is spelled out only when it is reported: most items break no rule.
      String eventId = eventId(item, new ItemField(listName, i, "event_id"));
      long eventTime = eventTime(item, new ItemField(listName, i, "event_time"));
      ItemField mediaTypeAt = new ItemField(listName, i, "media_type");
      Integer mediaType = optionalInt(item, "media_type", mediaTypeAt);
      if (mediaType != null && mediaType < 0) {
        throw param(mediaTypeAt, "must be >= 0");
      }
      String code = trimmed(item, "code", new ItemField(listName, i, "code"), 64);
      String traceId = trimmed(item, "trace_id", new ItemField(listName, i, "trace_id"), 128);
      ItemField durationAt = new ItemField(listName, i, "duration");
      Integer duration = optionalInt(item, "duration", durationAt);
      if (duration != null && (duration < 0 || duration > 86_400)) {
        throw param(durationAt, "must be 0 to 86400");
      }
      out.add(
          new MediaEvent(
              MediaEvent.VERSION,
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
              MediaEvent.SOURCE_CLIENT));
    }
    return out;
  }

  private static String eventId(JsonNode item, Object path) throws Violation {
    JsonNode n = optional(item, "event_id");
    if (n == null) {
      throw param(path, "required");
    }
    String s;
    if (n.isTextual()) {
      s = n.textValue();
    } else if (n.isIntegralNumber()) {
      s = n.bigIntegerValue().toString();
    } else {
      throw param(path, "must be a string or an integer");
    }
    if (n.isTextual()) {
      checkText(s, path);
    }
    int len = Text.characters(s);
    if (len < 1 || len > 32) {
      throw param(path, "must be 1 to 32 characters");
    }
    return s;
  }

  private static long eventTime(JsonNode item, Object path) throws Violation {
    JsonNode n = optional(item, "event_time");
    if (n == null) {
      throw param(path, "required");
    }
    if (!n.isIntegralNumber()) {
      throw param(path, "must be an integer");
    }
    if (!n.canConvertToLong()) {
      throw param(path, "out of range");
    }
    long t = n.longValue();
    if (t <= 0) {
      throw param(path, "must be > 0");
    }
    return t < MILLIS_THRESHOLD ? t * 1000 : t;
  }

  private static JsonNode optional(JsonNode parent, String field) {
    JsonNode n = parent.get(field);
    return n == null || n.isNull() ? null : n;
  }

  private static JsonNode requiredObject(JsonNode parent, String field, Object path)
      throws Violation {
    JsonNode n = optional(parent, field);
    if (n == null) {
      throw param(path, "required");
    }
    if (!n.isObject()) {
      throw param(path, "must be an object");
    }
    return n;
  }

  private static int requiredInt(JsonNode parent, String field, Object path) throws Violation {
    Integer i = optionalInt(parent, field, path);
    if (i == null) {
      throw param(path, "required");
    }
    return i;
  }

  private static Integer optionalInt(JsonNode parent, String field, Object path) throws Violation {
    JsonNode n = optional(parent, field);
    if (n == null) {
      return null;
    }
    if (n.getNodeType() != JsonNodeType.NUMBER || !n.isIntegralNumber()) {
      throw param(path, "must be an integer");
    }
    if (!n.canConvertToInt()) {
      throw param(path, "out of range");
    }
    return n.intValue();
  }

  private static String requiredString(JsonNode parent, String field, Object path, int max)
      throws Violation {
    String s = optionalString(parent, field, path, Integer.MAX_VALUE);
    if (s == null) {
      throw param(path, "required");
    }
    if (s.isEmpty() || Text.characters(s) > max) {
      throw param(path, "must be 1 to " + max + " characters");
    }
    return s;
  }

  private static String optionalString(JsonNode parent, String field, Object path, int max)
      throws Violation {
    JsonNode n = optional(parent, field);
    if (n == null) {
      return null;
    }
    if (!n.isTextual()) {
      throw param(path, "must be a string");
    }
    String s = n.textValue();
    checkText(s, path);
    if (Text.characters(s) > max) {
      throw param(path, "must be at most " + max + " characters");
    }
    return s;
  }

  /** An optional string that is trimmed; empty after trimming means absent. */
  private static String trimmed(JsonNode parent, String field, Object path, int max)
      throws Violation {
    String raw = optionalString(parent, field, path, Integer.MAX_VALUE);
    if (raw == null) {
      return null;
    }
    // Unicode White_Space, the same set the job trims with (Java's strip() differs).
    String s = Text.trimWhiteSpace(raw);
    if (s.isEmpty()) {
      return null;
    }
    if (Text.characters(s) > max) {
      throw param(path, "must be at most " + max + " characters after trimming");
    }
    return s;
  }

  /**
   * Rules for every string kept: no unpaired surrogate (an escaped {@code "\\ud800"}: UTF-8 cannot
   * carry it, the record key would hold '?' instead), no U+0000 (PostgreSQL text cannot hold it, so
   * the job would dead-letter the event; refusing it is this endpoint's choice, docs/api.md).
   */
  private static void checkText(String s, Object path) throws Violation {
    if (!Text.isWellFormed(s)) {
      throw param(path, "invalid Unicode");
    }
    if (s.indexOf(0) >= 0) {
      throw param(path, "must not contain U+0000");
    }
  }

  /** An item's field, as its path reads in an answer: {@code items[3].code}. */
  private record ItemField(String list, int index, String field) {
    @Override
    public String toString() {
      return list + "[" + index + "]." + field;
    }
  }

  private static Violation param(Object path, String rule) {
    return new Violation(Answer.parameter(path + ": " + rule));
  }
}
