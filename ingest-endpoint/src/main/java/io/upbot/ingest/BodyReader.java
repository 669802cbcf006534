package io.upbot.ingest;

import io.undertow.io.Receiver;
import io.undertow.server.HttpServerExchange;
import java.io.IOException;

/**
 * Reads a whole request body into one array. Undertow's {@code receiveFullBytes} copies a body one
 * byte at a time into a growing stream and then copies it once more; that was about 7 % of the
 * endpoint's CPU (docs/performance.md). A body with a {@code Content-Length} (what clients send) is
 * read here in chunks straight into an array of its declared size. A chunked body, whose size is
 * known only at its end, still goes through {@code receiveFullBytes}, which enforces the receiver's
 * maximum buffer size while it reads.
 */
final class BodyReader {
  private BodyReader() {}

  /**
   * Reads the body of {@code ex}, whose declared length (if any) the caller has already checked
   * against the receiver's maximum buffer size, then calls {@code done} on the I/O thread.
   */
  static void read(
      HttpServerExchange ex, Receiver.FullBytesCallback done, Receiver.ErrorCallback failed) {
    long declared = ex.getRequestContentLength();
    if (declared < 0) {
      ex.getRequestReceiver().receiveFullBytes(done, failed);
      return;
    }
    byte[] body = new byte[(int) declared];
    int[] filled = {0};
    ex.getRequestReceiver()
        .receivePartialBytes(
            (e, chunk, last) -> {
              // A fixed-length request channel never yields more than its declared length.
              if (filled[0] + chunk.length > body.length) {
                failed.error(e, new IOException("body longer than its Content-Length"));
                return;
              }
              System.arraycopy(chunk, 0, body, filled[0], chunk.length);
              filled[0] += chunk.length;
              if (!last) {
                return;
              }
              if (filled[0] == declared) {
                done.handle(e, body);
              } else {
                failed.error(e, new IOException("body ended after " + filled[0] + " bytes"));
              }
            },
            failed);
  }
}
