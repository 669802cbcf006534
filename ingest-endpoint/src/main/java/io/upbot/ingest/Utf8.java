package io.upbot.ingest;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 (RFC 3629): overlong forms, encoded surrogates and code points above U+10FFFF are
 * errors. Jackson's own decoder lets some of them through (C0 AF reads as '/'), so bodies are
 * checked here first.
 */
final class Utf8 {
  private static final int CHUNK = 8 * 1024;

  private Utf8() {}

  private static CharsetDecoder decoder() {
    // A decoder is stateful: one per call (cheap next to the bytes it reads).
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
  }

  /**
   * The offset of the first byte that is not part of well-formed UTF-8, or -1 when all of it is.
   */
  static int firstInvalidByte(byte[] bytes) {
    // ASCII is valid and self-synchronising: only the bytes from the first non-ASCII one need the
    // decoder, and a body that is all ASCII (the usual one) needs no decoder and no buffer at all.
    int from = 0;
    while (from < bytes.length && bytes[from] >= 0) {
      from++;
    }
    if (from == bytes.length) {
      return -1;
    }
    CharsetDecoder d = decoder();
    ByteBuffer in = ByteBuffer.wrap(bytes, from, bytes.length - from);
    // One pass into a small reused buffer: the decoded text itself is not needed.
    CharBuffer out = CharBuffer.allocate(CHUNK);
    while (true) {
      CoderResult r = d.decode(in, out, true);
      if (r.isError()) {
        return in.position();
      }
      if (r.isUnderflow()) {
        break;
      }
      out.clear();
    }
    out.clear();
    return d.flush(out).isError() ? in.position() : -1;
  }

  /** The text of {@code bytes}, or null when they are not well-formed UTF-8. */
  static String decodeOrNull(byte[] bytes, int length) {
    try {
      return decoder().decode(ByteBuffer.wrap(bytes, 0, length)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
