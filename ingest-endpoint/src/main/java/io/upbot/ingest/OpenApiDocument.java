package io.upbot.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The endpoint's OpenAPI document, {@code src/main/resources/openapi.json}, served as is at {@link
 * #PATH}.
 *
 * <p>Read once from the classpath when the server is built, so a jar without it fails at start
 * rather than answering 503 later.
 */
final class OpenApiDocument {
  static final String PATH = "/upbot/api/openapi.json";
  static final String RESOURCE = "/openapi.json";

  private OpenApiDocument() {}

  static byte[] load() {
    try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("Classpath resource " + RESOURCE + " is missing");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read " + RESOURCE, e);
    }
  }
}
