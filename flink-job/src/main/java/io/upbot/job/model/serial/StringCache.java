package io.upbot.job.model.serial;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.flink.core.memory.DataInputView;

/**
 * The recently read and written short strings of one serializer, by their UTF-8 bytes: a field with
 * few distinct values (appid, code, event id) then reads as the same String object every time, its
 * hash computed once and {@code equals} an identity check for the keys, maps and partitioners
 * downstream, and writes without encoding it again. A slot holds the last string that hashed to it
 * and is only ever returned when its bytes are exactly those read (or its text exactly the one
 * written), so a collision costs a fresh string, never a wrong one. Not thread-safe: one per
 * serializer instance, which Flink never shares between threads ({@code duplicate()}).
 */
final class StringCache {

  /** Longer strings are read and written without the cache: such values rarely repeat. */
  static final int MAX_BYTES = 64;

  /**
   * 2^12 slots: a slot costs a reference plus the entry of a short string, and a few hundred values
   * (./upbot bench job has 400 codes) then rarely share one.
   */
  private static final int SLOT_BITS = 12;

  private static final int SLOTS = 1 << SLOT_BITS;

  private record Entry(byte[] bytes, String string) {}

  private final Entry[] read = new Entry[SLOTS];
  private final Entry[] written = new Entry[SLOTS];
  private final byte[] scratch = new byte[MAX_BYTES];

  /** The string of the next {@code n} UTF-8 bytes of {@code in}. */
  String read(DataInputView in, int n) throws IOException {
    if (n > MAX_BYTES) {
      byte[] bytes = new byte[n];
      in.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    }
    byte[] b = scratch;
    in.readFully(b, 0, n);
    int h = n;
    for (int i = 0; i < n; i++) {
      h = 31 * h + b[i];
    }
    int slot = slot(h);
    Entry e = read[slot];
    if (e != null && Arrays.equals(e.bytes, 0, e.bytes.length, b, 0, n)) {
      return e.string;
    }
    byte[] bytes = Arrays.copyOf(b, n);
    String s = new String(bytes, StandardCharsets.UTF_8);
    read[slot] = new Entry(bytes, s);
    return s;
  }

  /** The UTF-8 bytes of {@code s}; the caller must not change them. */
  byte[] bytes(String s) {
    int slot = slot(s.hashCode());
    Entry e = written[slot];
    if (e != null && (e.string == s || e.string.equals(s))) {
      return e.bytes;
    }
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_BYTES) {
      written[slot] = new Entry(bytes, s);
    }
    return bytes;
  }

  /**
   * The high bits of the hash times 2^32 / φ: similar strings (code-1-7, code-1-8) differ in the
   * low bits of their polynomial hash, which a mask would keep clustered in neighbouring slots.
   */
  private static int slot(int hash) {
    return (hash * 0x9E3779B9) >>> (32 - SLOT_BITS);
  }
}
