package io.upbot.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** gzip bodies (RFC 1952): whole members only, capped after decompression. */
class BodiesTest {
  static final int MIB = 1024 * 1024;
  static final byte[] TEXT = "{\"head\":{}}".getBytes(StandardCharsets.UTF_8);

  static byte[] gzip(byte[] data, int level) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream g =
        new GZIPOutputStream(out) {
          {
            def.setLevel(level);
          }
        }) {
      g.write(data);
    }
    return out.toByteArray();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static String refusal(byte[] body, int max) {
    try {
      Bodies.gunzip(body, max);
    } catch (Bodies.BodyException e) {
      return e.answer().ret().code() + " " + e.answer().detail();
    }
    throw new AssertionError("accepted");
  }

  @Test
  void shouldDecompressOneMember() throws Exception {
    assertThat(Bodies.gunzip(gzip(TEXT, Deflater.DEFAULT_COMPRESSION), MIB)).isEqualTo(TEXT);
  }

  @Test
  void shouldAcceptConcatenatedMembersAsOneBody() throws Exception {
    byte[] two =
        concat(
            gzip("{\"head\":".getBytes(StandardCharsets.UTF_8), 9),
            gzip("{}}".getBytes(StandardCharsets.UTF_8), 1));
    assertThat(Bodies.gunzip(two, MIB)).isEqualTo(TEXT);
  }

  @Test
  void shouldRefuseTrailingGarbageAfterTheLastMember() throws Exception {
    byte[] ok = gzip(TEXT, Deflater.DEFAULT_COMPRESSION);
    assertThat(refusal(concat(ok, "GARBAGE".getBytes(StandardCharsets.US_ASCII)), MIB))
        .isEqualTo("1001 body: not valid gzip");
    assertThat(refusal(concat(ok, new byte[1]), MIB)).isEqualTo("1001 body: not valid gzip");
    // Garbage that starts like a member but is not one.
    assertThat(refusal(concat(ok, new byte[] {0x1F, (byte) 0x8B}), MIB))
        .isEqualTo("1001 body: not valid gzip");
  }

  @Test
  void shouldRefuseATruncatedMemberAtEveryCut() throws Exception {
    byte[] ok = gzip(TEXT, Deflater.DEFAULT_COMPRESSION);
    for (int cut = 0; cut < ok.length; cut++) {
      assertThat(refusal(Arrays.copyOf(ok, cut), MIB))
          .as("cut at " + cut)
          .isEqualTo("1001 body: not valid gzip");
    }
  }

  @Test
  void shouldRefuseAWrongCrcOrSize() throws Exception {
    byte[] crc = gzip(TEXT, Deflater.DEFAULT_COMPRESSION);
    crc[crc.length - 8] ^= 1;
    assertThat(refusal(crc, MIB)).isEqualTo("1001 body: not valid gzip");
    byte[] size = gzip(TEXT, Deflater.DEFAULT_COMPRESSION);
    size[size.length - 4] ^= 1;
    assertThat(refusal(size, MIB)).isEqualTo("1001 body: not valid gzip");
  }

  @Test
  void shouldReadTheOptionalHeaderFields() throws Exception {
    byte[] plain = gzip(TEXT, Deflater.DEFAULT_COMPRESSION);
    byte[] deflated = Arrays.copyOfRange(plain, 10, plain.length);
    // FEXTRA (2 bytes), FNAME "a.json", FCOMMENT "c", FHCRC.
    ByteArrayOutputStream h = new ByteArrayOutputStream();
    h.writeBytes(new byte[] {0x1F, (byte) 0x8B, 8, 0x04 | 0x08 | 0x10 | 0x02, 0, 0, 0, 0, 0, 3});
    h.writeBytes(new byte[] {2, 0, 'x', 'y'});
    h.writeBytes("a.json\0c\0".getBytes(StandardCharsets.US_ASCII));
    CRC32 crc = new CRC32();
    crc.update(h.toByteArray());
    int crc16 = (int) crc.getValue() & 0xFFFF;
    h.writeBytes(new byte[] {(byte) crc16, (byte) (crc16 >> 8)});
    assertThat(Bodies.gunzip(concat(h.toByteArray(), deflated), MIB)).isEqualTo(TEXT);
    byte[] badHeaderCrc = concat(h.toByteArray(), deflated);
    badHeaderCrc[h.size() - 1] ^= 1;
    assertThat(refusal(badHeaderCrc, MIB)).isEqualTo("1001 body: not valid gzip");
    byte[] reservedFlag = plain.clone();
    reservedFlag[3] = (byte) 0x20;
    assertThat(refusal(reservedFlag, MIB)).isEqualTo("1001 body: not valid gzip");
  }

  @Test
  void shouldStopABombAtTheLimitAndAcceptExactlyTheLimit() throws Exception {
    byte[] spaces = new byte[MIB + 1];
    Arrays.fill(spaces, (byte) ' ');
    assertThat(refusal(gzip(spaces, 9), MIB))
        .isEqualTo("1003 body: more than 1048576 bytes after decompression");
    assertThat(Bodies.gunzip(gzip(Arrays.copyOf(spaces, MIB), 9), MIB)).hasSize(MIB);
  }

  @Test
  void shouldAllowEnoughCompressedBytesForABodyStoredAtLevel0() throws Exception {
    byte[] limit = new byte[MIB];
    Arrays.fill(limit, (byte) 'x');
    byte[] stored = gzip(limit, Deflater.NO_COMPRESSION);
    assertThat(stored.length).isGreaterThan(MIB).isLessThanOrEqualTo(Bodies.gzipWireLimit(MIB));
    assertThat(Bodies.gzipWireLimit(MIB)).isEqualTo(MIB + 1048 + 1024);
    assertThat(Bodies.gzipWireLimit(Integer.MAX_VALUE)).isPositive();
  }

  @Test
  void shouldRefuseAnEmptyBody() {
    assertThatThrownBy(() -> Bodies.gunzip(new byte[0], MIB))
        .isInstanceOf(Bodies.BodyException.class);
  }
}
