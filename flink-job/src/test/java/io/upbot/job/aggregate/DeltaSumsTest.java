package io.upbot.job.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.EventDelta;
import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.SessionDelta;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;

/**
 * {@link DeltaSums}: deltas sum together exactly when their rows' keys (or a session's figures but
 * its signs) are equal, and such deltas hash alike.
 */
class DeltaSumsTest {

  // Few distinct values per field, so that equal keys come up often.
  private static FunnelDelta funnel(int bucket, String appid, String code) {
    return new FunnelDelta(bucket * 3_600_000L, appid, code, 1, 0, 0, 0, 1);
  }

  @Property
  void shouldSumFunnelDeltasExactlyWhenTheirRowKeysAreEqual(
      @ForAll @IntRange(max = 1) int bucketA,
      @ForAll @IntRange(max = 1) int bucketB,
      @ForAll @StringLength(max = 1) String appidA,
      @ForAll @StringLength(max = 1) String appidB,
      @ForAll @StringLength(max = 1) String codeA,
      @ForAll @StringLength(max = 1) String codeB) {
    FunnelDelta a = funnel(bucketA, appidA, codeA);
    FunnelDelta b = funnel(bucketB, new String(appidB), new String(codeB));
    DeltaSums.Funnel sum = new DeltaSums.Funnel();
    assertThat(sum.sameKey(a, b)).isEqualTo(a.rowKey().equals(b.rowKey()));
    assertThat(sum.keyHash(a)).isEqualTo(a.rowKey().hashCode());
  }

  @Property
  void shouldSumEventDeltasExactlyWhenTheirRowKeysAreEqual(
      @ForAll @IntRange(max = 1) int bucket,
      @ForAll @StringLength(max = 1) String code,
      @ForAll @StringLength(max = 1) String eventA,
      @ForAll @StringLength(max = 1) String eventB) {
    EventDelta a = new EventDelta(bucket * 3_600_000L, "wx1", "c", eventA, 1);
    EventDelta b = new EventDelta(0, "wx1", code, new String(eventB), 2);
    DeltaSums.Events sum = new DeltaSums.Events();
    assertThat(sum.sameKey(a, b)).isEqualTo(a.rowKey().equals(b.rowKey()));
    if (sum.sameKey(a, b)) {
      assertThat(sum.keyHash(a)).isEqualTo(sum.keyHash(b));
    }
  }

  @Property
  void shouldSumSessionDeltasExactlyWhenAllButTheirSignsAreEqual(
      @ForAll @IntRange(max = 1) int bucket,
      @ForAll @StringLength(max = 1) String openidA,
      @ForAll @StringLength(max = 1) String openidB,
      @ForAll @IntRange(max = 1) int device,
      @ForAll @IntRange(max = 1) int account,
      @ForAll @IntRange(max = 1) int media,
      @ForAll @IntRange(max = 1) int depth,
      @ForAll @LongRange(min = -1, max = 0) long pressMs,
      @ForAll @LongRange(min = -1, max = 0) long joinMs,
      @ForAll @IntRange(min = -1, max = 1) int sessions,
      @ForAll @IntRange(min = -1, max = 1) int live) {
    SessionDelta a = new SessionDelta(0, "wx1", "c", openidA, 0, 0, 0, 0, -1, -1, 1, 1);
    SessionDelta b =
        new SessionDelta(
            bucket * 3_600_000L,
            "wx1",
            "c",
            new String(openidB),
            account,
            device,
            media,
            depth,
            pressMs,
            joinMs,
            sessions,
            live);
    DeltaSums.Sessions sum = new DeltaSums.Sessions();
    assertThat(sum.sameKey(a, b)).isEqualTo(a.withSigns(0, 0).equals(b.withSigns(0, 0)));
    if (sum.sameKey(a, b)) {
      assertThat(sum.keyHash(a)).isEqualTo(sum.keyHash(b));
    }
  }

  @Property
  void shouldNameTheSameRowsExactlyWhenHourCodeAndDimensionsAreEqual(
      @ForAll @IntRange(max = 1) int bucket,
      @ForAll @StringLength(max = 1) String appid,
      @ForAll @StringLength(max = 1) String code,
      @ForAll @IntRange(max = 1) int device,
      @ForAll @IntRange(max = 1) int account,
      @ForAll @IntRange(max = 1) int media,
      @ForAll @IntRange(max = 1) int depth,
      @ForAll @StringLength(max = 1) String openid) {
    SessionDelta a = new SessionDelta(0, "a", "c", "u", 0, 0, 0, 1, -1, -1, 1, 1);
    // The user, depth and convert times are not part of the rows: they must not matter.
    SessionDelta b =
        new SessionDelta(
            bucket * 3_600_000L,
            new String(appid),
            new String(code),
            openid,
            account,
            device,
            media,
            depth,
            5,
            7,
            -1,
            -1);
    DeltaSums.Sessions sum = new DeltaSums.Sessions();
    boolean sameRows =
        b.bucketStart() == 0
            && appid.equals("a")
            && code.equals("c")
            && account == 0
            && device == 0
            && media == 0;
    assertThat(sum.rows(a).equals(sum.rows(b))).isEqualTo(sameRows);
    assertThat(sum.rows(b).equals(sum.rows(a))).isEqualTo(sameRows);
    if (sameRows) {
      assertThat(sum.rows(a).hashCode()).isEqualTo(sum.rows(b).hashCode());
    }
  }
}
