package io.upbot.ingest;

import java.io.ByteArrayOutputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Request body decoding with a cap on the decompressed size, so a gzip bomb costs at most the cap.
 *
 * <p>gzip (RFC 1952) is read here member by member rather than with {@code GZIPInputStream}, which
 * silently ignores bytes after the last member: a body must be one or more whole members and
 * nothing else.
 */
final class Bodies {
  private static final int FHCRC = 0x02;
  private static final int FEXTRA = 0x04;
  private static final int FNAME = 0x08;
  private static final int FCOMMENT = 0x10;
  private static final int RESERVED_FLAGS = 0xE0;

  private Bodies() {}

  /** A body that is over the limit after decompression, or not gzip at all. */
  static final class BodyException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Answer answer;

    BodyException(Answer answer) {
      super(answer.detail(), null, false, false);
      this.answer = answer;
    }

    Answer answer() {
      return answer;
    }
  }

  /**
   * The most compressed bytes a gzip body may have: its limit applies after decompression, and a
   * client compressing at level 0 (stored blocks) sends slightly more than it decompresses to. The
   * margin (0.1 % + 1 KiB) covers the 5 bytes per 64 KiB stored block and the header and trailer.
   */
  static int gzipWireLimit(int maxBytes) {
    return (int) Math.min(Integer.MAX_VALUE - 8L, (long) maxBytes + maxBytes / 1000 + 1024);
  }

  /**
   * Decompresses a gzip body of one or more members, refusing it (1003) as soon as it exceeds
   * {@code maxBytes}, and (1001) when it is not exactly a sequence of whole, intact members.
   */
  static byte[] gunzip(byte[] in, int maxBytes) throws BodyException {
    ByteArrayOutputStream out =
        new ByteArrayOutputStream((int) Math.min(maxBytes, in.length * 4L + 64));
    byte[] buf = new byte[16 * 1024];
    Inflater inflater = new Inflater(true);
    try {
      int pos = 0;
      do {
        pos = afterHeader(in, pos);
        inflater.reset();
        inflater.setInput(in, pos, in.length - pos);
        CRC32 crc = new CRC32();
        long memberSize = 0;
        while (!inflater.finished()) {
          int n = inflater.inflate(buf);
          if (n == 0 && !inflater.finished()) {
            // All input is given at once: no progress means truncated data or a preset dictionary.
            throw notGzip();
          }
          if (out.size() + n > maxBytes) {
            throw new BodyException(
                new Answer(
                    Ret.TOO_LARGE, "body: more than " + maxBytes + " bytes after decompression"));
          }
          crc.update(buf, 0, n);
          out.write(buf, 0, n);
          memberSize += n;
        }
        pos = in.length - inflater.getRemaining();
        if (in.length - pos < 8
            || le32(in, pos) != crc.getValue()
            || le32(in, pos + 4) != (memberSize & 0xFFFFFFFFL)) {
          throw notGzip();
        }
        pos += 8;
      } while (pos < in.length);
    } catch (DataFormatException e) {
      throw notGzip();
    } finally {
      inflater.end();
    }
    return out.toByteArray();
  }

  /**
   * The offset just after the member header at {@code pos}; refuses anything but a deflate member.
   */
  private static int afterHeader(byte[] in, int pos) throws BodyException {
    if (in.length - pos < 10
        || (in[pos] & 0xFF) != 0x1F
        || (in[pos + 1] & 0xFF) != 0x8B
        || in[pos + 2] != 8) {
      throw notGzip();
    }
    int flags = in[pos + 3] & 0xFF;
    if ((flags & RESERVED_FLAGS) != 0) {
      throw notGzip();
    }
    int p = pos + 10;
    if ((flags & FEXTRA) != 0) {
      if (in.length - p < 2) {
        throw notGzip();
      }
      p += 2 + ((in[p] & 0xFF) | (in[p + 1] & 0xFF) << 8);
    }
    if ((flags & FNAME) != 0) {
      p = afterZero(in, p);
    }
    if ((flags & FCOMMENT) != 0) {
      p = afterZero(in, p);
    }
    if ((flags & FHCRC) != 0) {
      if (p < 0 || in.length - p < 2) {
        throw notGzip();
      }
      CRC32 crc = new CRC32();
      crc.update(in, pos, p - pos);
      if (((in[p] & 0xFF) | (in[p + 1] & 0xFF) << 8) != (int) (crc.getValue() & 0xFFFF)) {
        throw notGzip();
      }
      p += 2;
    }
    if (p < 0 || p > in.length) {
      throw notGzip();
    }
    return p;
  }

  /** The offset after the zero byte that ends a header string at {@code p}, or -1 past the end. */
  private static int afterZero(byte[] in, int p) {
    if (p < 0) {
      return -1;
    }
    for (int i = p; i < in.length; i++) {
      if (in[i] == 0) {
        return i + 1;
      }
    }
    return -1;
  }

  private static long le32(byte[] in, int p) {
    return (in[p] & 0xFFL)
        | (in[p + 1] & 0xFFL) << 8
        | (in[p + 2] & 0xFFL) << 16
        | (in[p + 3] & 0xFFL) << 24;
  }

  private static BodyException notGzip() {
    return new BodyException(Answer.parameter("body: not valid gzip"));
  }
}
