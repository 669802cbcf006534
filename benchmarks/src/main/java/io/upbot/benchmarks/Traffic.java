package io.upbot.benchmarks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

/**
 * Realistic report bodies (docs/api.md) for the benchmarks: one client's batch of page visits, each
 * a trace of an exposure with its dwell time, a page jump, and for some a long-press and a join;
 * times in seconds as the API's example sends them, some codes with the trailing space of a
 * spreadsheet copy. Deterministic for a seed.
 */
final class Traffic {

  /** 2026-11-30T10:00:00Z in epoch seconds, the batches' first event time. */
  static final long FIRST_EVENT_SECONDS = 1_796_032_800L;

  /**
   * The endpoint's receipt time of every batch: 15 minutes after its first event, after the last
   * event of even a 500-item batch (1 to 2 s apart).
   */
  static final long RECEIVED_AT_MS = (FIRST_EVENT_SECONDS + 900) * 1000;

  static final String EXPOSED = "1110201";
  static final String LONG_PRESSED = "1110204";
  static final String JOINED = "1110205";
  static final String PAGE_JUMP = "1100102";

  private static final JsonFactory JSON = new JsonFactory();
  private static final String ALPHANUMERIC =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  private Traffic() {}

  /** A request body of {@code items} items from one client. */
  static byte[] body(int items, long seed) {
    Random r = new Random(seed);
    ByteArrayOutputStream out = new ByteArrayOutputStream(256 + 200 * items);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeObjectFieldStart("head");
      g.writeObjectFieldStart("account_info");
      g.writeNumberField("account_type", 2);
      g.writeStringField("appid", "wx" + random(r, 16).toLowerCase(Locale.ROOT));
      g.writeStringField("openid", "o" + random(r, 27));
      g.writeEndObject();
      g.writeObjectFieldStart("device_info");
      g.writeNumberField("device_type", 1 + r.nextInt(2));
      g.writeStringField("uuid", new UUID(r.nextLong(), r.nextLong()).toString());
      g.writeEndObject();
      g.writeEndObject();
      g.writeArrayFieldStart("items");
      long t = FIRST_EVENT_SECONDS;
      String code = null;
      String trace = null;
      for (int i = 0; i < items; i++) {
        // A visit is 2 to 4 events: exposure, page jump, then maybe a long-press and a join.
        int step = i % 4;
        if (step == 0) {
          code = "c" + random(r, 15) + (r.nextInt(5) == 0 ? " " : "");
          trace = random(r, 32);
        }
        g.writeStartObject();
        switch (step) {
          case 0 -> {
            g.writeStringField("event_id", EXPOSED);
            g.writeNumberField("duration", 3 + r.nextInt(120));
          }
          case 1 -> g.writeStringField("event_id", PAGE_JUMP);
          case 2 -> g.writeStringField("event_id", LONG_PRESSED);
          default -> g.writeStringField("event_id", JOINED);
        }
        g.writeNumberField("event_time", t);
        g.writeNumberField("media_type", 2);
        g.writeStringField("code", code);
        g.writeStringField("trace_id", trace);
        g.writeEndObject();
        t += 1 + r.nextInt(2);
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The body as a client sends it with {@code Content-Encoding: gzip}. */
  static byte[] gzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static String random(Random r, int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(ALPHANUMERIC.charAt(r.nextInt(ALPHANUMERIC.length())));
    }
    return sb.toString();
  }
}
