package io.upbot.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The JSON answer bodies: {@code {"ret":…,"msg":"…"}} plus {@code detail} for parameter errors. */
final class Responses {
  private static final JsonFactory FACTORY = new JsonFactory();

  private Responses() {}

  static byte[] body(Ret ret, String detail) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("ret", ret.code());
      g.writeStringField("msg", ret.msg());
      if (detail != null) {
        g.writeStringField("detail", detail);
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
