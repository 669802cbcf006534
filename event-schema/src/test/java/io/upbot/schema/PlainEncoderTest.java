package io.upbot.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PlainEncoderTest {

  private static final String[] TEXTS = {
    null,
    "",
    "a",
    "xxxx",
    "tr-bench-0001-xxxxxxxxxxxxxxxx",
    " ~!#$%&'()*+,-./:;<=>?@[]^_`{|}",
    "say \"hi\"",
    "back\\slash",
    "tab\there",
    "new\nline",
    "\u0000",
    "\u001f",
    "\u007f",
    "é",
    "微信",
    "\ud83d\ude00",
    "a/b",
    "</script>"
  };
  private static final long[] LONGS = {
    1, 9, 10, 99, 100, 1699274742000L, 1699274742123L, Long.MAX_VALUE, -1, -10, Long.MIN_VALUE, 0
  };
  private static final Integer[] INTS = {
    null, 0, 1, 9, 10, 86_400, Integer.MAX_VALUE, Integer.MIN_VALUE, -1, -100
  };

  @Test
  void shouldWriteExactlyJacksonsBytesForEveryRecordItAccepts() {
    SplittableRandom random = new SplittableRandom(7);
    int plain = 0;
    for (int n = 0; n < 20_000; n++) {
      MediaEvent e = randomEvent(random);
      byte[] direct = PlainEncoder.encode(e);
      String jackson = new String(MediaEventCodec.encodeWithJackson(e), StandardCharsets.UTF_8);
      if (direct != null) {
        plain++;
        assertThat(new String(direct, StandardCharsets.UTF_8)).isEqualTo(jackson);
      }
      assertThat(new String(MediaEventCodec.encode(e), StandardCharsets.UTF_8)).isEqualTo(jackson);
    }
    // Both paths were exercised.
    assertThat(plain).isBetween(1_000, 19_000);
  }

  @Test
  void shouldLeaveEveryRecordWithAStringNeedingAnEscapeOrNonAsciiToJackson() {
    for (String s : List.of("say \"hi\"", "back\\slash", "tab\there", "\u007f", "é", "微信")) {
      MediaEvent e = new MediaEvent(1, "app", "o", 2, null, null, "1", 1L, 2L, null, s, null, null);
      assertThat(PlainEncoder.encode(e)).as(s).isNull();
    }
  }

  @Test
  void shouldLeaveAStringOverAMebibyteToJacksonSoTheSizeSumCannotOverflow() {
    String huge = "a".repeat((1 << 20) + 1);
    MediaEvent e =
        new MediaEvent(1, "app", "o", 2, null, null, "1", 1L, 2L, null, huge, null, null);
    assertThat(PlainEncoder.encode(e)).isNull();
    assertThat(MediaEventCodec.encode(e)).isEqualTo(MediaEventCodec.encodeWithJackson(e));
    String edge = "a".repeat(1 << 20);
    MediaEvent plain =
        new MediaEvent(1, "app", "o", 2, null, null, "1", 1L, 2L, null, edge, null, null);
    assertThat(PlainEncoder.encode(plain)).isEqualTo(MediaEventCodec.encodeWithJackson(plain));
  }

  @Test
  void shouldEncodeABatchMixingPlainAndEscapedRecordsInItemOrder() {
    SplittableRandom random = new SplittableRandom(11);
    List<MediaEvent> events = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      events.add(randomEvent(random));
    }
    byte[][] together = MediaEventCodec.encodeAll(events);
    for (int i = 0; i < events.size(); i++) {
      assertThat(new String(together[i], StandardCharsets.UTF_8))
          .isEqualTo(
              new String(MediaEventCodec.encodeWithJackson(events.get(i)), StandardCharsets.UTF_8));
    }
  }

  @Test
  void shouldCountDigitsAsLongToStringWrites() {
    for (long v : LONGS) {
      assertThat(PlainEncoder.digits(v)).as("%d", v).isEqualTo(Long.toString(v).length());
    }
  }

  private static MediaEvent randomEvent(SplittableRandom r) {
    return new MediaEvent(
        (int) pick(r, LONGS, 3),
        requiredText(r),
        requiredText(r),
        r.nextInt(4) == 0 ? Integer.MIN_VALUE : 1 + r.nextInt(3),
        pickInt(r),
        text(r),
        requiredText(r),
        pick(r, LONGS, LONGS.length),
        pick(r, LONGS, LONGS.length),
        pickInt(r),
        text(r),
        text(r),
        pickInt(r),
        text(r),
        r.nextInt(4) == 0 ? null : requiredText(r));
  }

  /** Mostly plain text, sometimes with a character that needs an escape or is not ASCII. */
  private static String text(SplittableRandom r) {
    if (r.nextInt(10) < 8) {
      StringBuilder sb = new StringBuilder();
      int len = r.nextInt(40);
      for (int i = 0; i < len; i++) {
        sb.append((char) (0x20 + r.nextInt(0x5f)));
      }
      return r.nextInt(8) == 0 ? null : sb.toString().replace("\"", "").replace("\\", "");
    }
    return TEXTS[r.nextInt(TEXTS.length)];
  }

  private static String requiredText(SplittableRandom r) {
    String s = text(r);
    return s == null ? "x" : s;
  }

  private static long pick(SplittableRandom r, long[] values, int bound) {
    return values[r.nextInt(bound)];
  }

  private static Integer pickInt(SplittableRandom r) {
    return INTS[r.nextInt(INTS.length)];
  }
}
