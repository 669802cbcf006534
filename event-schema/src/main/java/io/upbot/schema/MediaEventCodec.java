package io.upbot.schema;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The one codec of the stream record (docs/stream.md), used by the endpoint to write and by the job
 * to read.
 *
 * <p>Encoding writes every field, absent optional ones as {@code null}, in docs/stream.md's order.
 * Decoding is strict about what the job relies on (version, required fields, types) and ignores
 * unknown fields, so a later writer may add fields without breaking older jobs. Instances are
 * immutable and thread-safe.
 */
public final class MediaEventCodec {

  /** The limits every reader of a record applies, the streaming decoder's too. */
  static final StreamReadConstraints READ_LIMITS =
      StreamReadConstraints.builder()
          .maxNestingDepth(16)
          .maxStringLength(64 * 1024)
          .maxNumberLength(32)
          .build();

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .streamReadConstraints(READ_LIMITS)
          .build();
  private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

  private MediaEventCodec() {}

  /** Encodes one record as UTF-8 JSON. */
  public static byte[] encode(MediaEvent e) {
    byte[] plain = PlainEncoder.encode(e);
    return plain != null ? plain : encodeWithJackson(e);
  }

  /**
   * Encodes records, each exactly as {@link #encode} would (the endpoint's hot path): a record
   * whose text is plain ASCII is written directly, byte for byte what Jackson writes for it, and
   * the others go through one Jackson generator shared by the batch.
   */
  public static byte[][] encodeAll(List<MediaEvent> events) {
    byte[][] out = new byte[events.size()][];
    List<Integer> rest = null;
    for (int i = 0; i < out.length; i++) {
      out[i] = PlainEncoder.encode(events.get(i));
      if (out[i] == null) {
        if (rest == null) {
          rest = new ArrayList<>();
        }
        rest.add(i);
      }
    }
    if (rest == null) {
      return out;
    }
    ByteArrayBuilder buf = new ByteArrayBuilder(256);
    try (JsonGenerator g = FACTORY.createGenerator(buf)) {
      // No separator between root values: each record is cut out of the buffer on its own.
      g.setRootValueSeparator(null);
      for (int i : rest) {
        write(g, events.get(i));
        g.flush();
        out[i] = buf.toByteArray();
        buf.reset();
      }
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out;
  }

  /** Encodes one record with Jackson's generator: the reference the direct writer must match. */
  static byte[] encodeWithJackson(MediaEvent e) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      write(g, e);
    } catch (IOException ex) {
      // Writing to memory cannot fail for I/O reasons; anything here is a programming error.
      throw new UncheckedIOException(ex);
    }
    return out.toByteArray();
  }

  private static void write(JsonGenerator g, MediaEvent e) throws IOException {
    g.writeStartObject();
    g.writeNumberField("v", e.v());
    g.writeStringField("appid", e.appid());
    g.writeStringField("openid", e.openid());
    g.writeNumberField("account_type", e.accountType());
    writeNullableInt(g, "device_type", e.deviceType());
    g.writeStringField("uuid", e.uuid());
    g.writeStringField("event_id", e.eventId());
    g.writeNumberField("event_time", e.eventTime());
    g.writeNumberField("received_at", e.receivedAt());
    writeNullableInt(g, "media_type", e.mediaType());
    g.writeStringField("code", e.code());
    g.writeStringField("trace_id", e.traceId());
    writeNullableInt(g, "duration", e.duration());
    g.writeStringField("unionid", e.unionid());
    g.writeStringField("source", e.source());
    g.writeEndObject();
  }

  /** Encodes one record as a JSON string. */
  public static String encodeToString(MediaEvent e) {
    return new String(encode(e), StandardCharsets.UTF_8);
  }

  /**
   * Decodes one record.
   *
   * <p>A record of known fields, each once and of its type, is read in one streaming pass ({@link
   * StreamingDecoder}); anything else goes through {@link #decodeTree}, which therefore decides
   * every rejection's message: the two accept and reject the same bytes alike.
   *
   * @throws MalformedEventException naming the first field that breaks the record's rules
   */
  public static MediaEvent decode(byte[] bytes) throws MalformedEventException {
    MediaEvent fast = StreamingDecoder.decode(bytes);
    return fast != null ? fast : decodeTree(bytes);
  }

  /**
   * Decodes one record through a Jackson tree: the reference decoder, for whatever the streaming
   * decoder leaves to it (unknown fields, duplicates, wrong types, syntax errors).
   */
  static MediaEvent decodeTree(byte[] bytes) throws MalformedEventException {
    if (bytes == null || bytes.length == 0) {
      throw new MalformedEventException("empty record");
    }
    JsonNode root;
    try (JsonParser p = FACTORY.createParser(bytes)) {
      root = MAPPER.readTree(p);
      if (p.nextToken() != null) {
        throw new MalformedEventException("trailing content after the JSON object");
      }
    } catch (IOException ex) {
      throw new MalformedEventException("not valid JSON: " + firstLine(ex.getMessage()), ex);
    }
    if (root == null || !root.isObject()) {
      throw new MalformedEventException("not a JSON object");
    }
    int v = version(requiredInt(root, "v"));
    return new MediaEvent(
        v,
        requiredString(root, "appid"),
        requiredString(root, "openid"),
        requiredInt(root, "account_type"),
        optionalInt(root, "device_type"),
        optionalString(root, "uuid"),
        requiredString(root, "event_id"),
        requiredPositiveLong(root, "event_time"),
        requiredPositiveLong(root, "received_at"),
        optionalInt(root, "media_type"),
        optionalString(root, "code"),
        optionalString(root, "trace_id"),
        optionalInt(root, "duration"),
        optionalString(root, "unionid"),
        source(optionalString(root, "source")));
  }

  // The value rules below are shared by both decoders, so that their messages cannot drift apart.

  /** {@code v}, which must be the version this codec reads. */
  static int version(int v) throws MalformedEventException {
    if (v != MediaEvent.VERSION) {
      throw new MalformedEventException("v: unsupported version " + v);
    }
    return v;
  }

  /** A required field that is absent or null. */
  static MalformedEventException missing(String field) {
    return new MalformedEventException(field + ": required");
  }

  /** A required string: present and not empty. */
  static String required(String s, String field) throws MalformedEventException {
    if (s == null || s.isEmpty()) {
      throw missing(field);
    }
    return s;
  }

  /** A required epoch time, which must be positive. */
  static long positive(long l, String field) throws MalformedEventException {
    if (l <= 0) {
      throw new MalformedEventException(field + ": must be > 0");
    }
    return l;
  }

  /** {@code source}: absent or null in records older than the field, which came from clients. */
  static String source(String s) throws MalformedEventException {
    if (s == null) {
      return MediaEvent.SOURCE_CLIENT;
    }
    if (s.isEmpty()) {
      throw new MalformedEventException("source: must not be empty");
    }
    return s;
  }

  private static void writeNullableInt(JsonGenerator g, String name, Integer value)
      throws IOException {
    if (value == null) {
      g.writeNullField(name);
    } else {
      g.writeNumberField(name, value);
    }
  }

  private static JsonNode present(JsonNode root, String field) {
    JsonNode n = root.get(field);
    return n == null || n.isNull() ? null : n;
  }

  private static String requiredString(JsonNode root, String field) throws MalformedEventException {
    return required(optionalString(root, field), field);
  }

  private static String optionalString(JsonNode root, String field) throws MalformedEventException {
    JsonNode n = present(root, field);
    if (n == null) {
      return null;
    }
    if (n.getNodeType() != JsonNodeType.STRING) {
      throw new MalformedEventException(field + ": must be a string");
    }
    return n.textValue();
  }

  private static Integer optionalInt(JsonNode root, String field) throws MalformedEventException {
    JsonNode n = present(root, field);
    if (n == null) {
      return null;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      throw new MalformedEventException(field + ": must be a 32-bit integer");
    }
    return n.intValue();
  }

  private static int requiredInt(JsonNode root, String field) throws MalformedEventException {
    Integer i = optionalInt(root, field);
    if (i == null) {
      throw missing(field);
    }
    return i;
  }

  private static long requiredPositiveLong(JsonNode root, String field)
      throws MalformedEventException {
    JsonNode n = present(root, field);
    if (n == null) {
      throw missing(field);
    }
    if (!n.isIntegralNumber() || !n.canConvertToLong()) {
      throw new MalformedEventException(field + ": must be a 64-bit integer");
    }
    return positive(n.longValue(), field);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
