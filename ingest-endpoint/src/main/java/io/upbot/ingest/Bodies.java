package io.upbot.ingest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.GZIPInputStream;

/** Request body decoding with a cap on the decompressed size, so a gzip bomb costs at most the cap. */
final class Bodies {
  private Bodies() {}

  /** A body that is over the limit after decompression, or not gzip at all. */
  static final class BodyException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Rejection rejection;

    BodyException(Rejection rejection) {
      super(rejection.detail(), null, false, false);
      this.rejection = rejection;
    }

    Rejection rejection() {
      return rejection;
    }
  }

  /** Decompresses a gzip body, refusing it (1003) as soon as it exceeds {@code maxBytes}. */
  static byte[] gunzip(byte[] compressed, int maxBytes) throws BodyException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBytes, compressed.length * 4 + 64));
    byte[] buf = new byte[16 * 1024];
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed), 8192)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        if (out.size() + n > maxBytes) {
          throw new BodyException(
              new Rejection(Ret.TOO_LARGE, "body: more than " + maxBytes + " bytes after decompression"));
        }
        out.write(buf, 0, n);
      }
    } catch (IOException e) {
      throw new BodyException(Rejection.parameter("body: not valid gzip"));
    }
    return out.toByteArray();
  }
}
