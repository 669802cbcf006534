package io.upbot.ingest;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.nio.ByteBuffer;

/** Serves the {@link OpenApiDocument} as is, with the CORS headers of an answer. */
final class OpenApiHandler implements HttpHandler {
  private final byte[] document = OpenApiDocument.load();
  private final Cors cors;

  OpenApiHandler(Cors cors) {
    this.cors = cors;
  }

  @Override
  public void handleRequest(HttpServerExchange ex) {
    // Browsers (an API explorer on an H5 origin) read it cross-origin, like the API's answers.
    cors.onAnswer(ex);
    ex.setStatusCode(200);
    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, Answers.JSON);
    ex.getResponseSender().send(ByteBuffer.wrap(document));
  }
}
