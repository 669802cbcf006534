package io.upbot.job.model;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.constraints.WithNull;

/**
 * The state keys' written-out equals agree with what a record's implicit equals would say (a twin
 * record without overrides), nulls included, and equal keys hash alike.
 */
class RowKeysEqualityTest {

  private record FunnelTwin(long bucketStart, String appid, String code) {}

  private record EventTwin(long bucketStart, String appid, String code, String eventId) {}

  private record BreakdownTwin(
      long bucketStart,
      String appid,
      String code,
      int deviceType,
      int accountType,
      int mediaType) {}

  private record DayTwin(int day, String appid, String code) {}

  private record AttributionTwin(String appid, String code, String unionid) {}

  /** Copies, so that equal strings are never the same object. */
  private static String copy(String s) {
    return s == null ? null : new String(s);
  }

  @Property
  void shouldCompareHourlyRowKeysAsRecordsDo(
      @ForAll @IntRange(max = 1) int bucketA,
      @ForAll @IntRange(max = 1) int bucketB,
      @ForAll @StringLength(max = 1) @WithNull(0.2) String appidA,
      @ForAll @StringLength(max = 1) @WithNull(0.2) String appidB,
      @ForAll @StringLength(max = 1) @WithNull(0.2) String codeA,
      @ForAll @StringLength(max = 1) @WithNull(0.2) String codeB,
      @ForAll @StringLength(max = 1) @WithNull(0.2) String eventA,
      @ForAll @StringLength(max = 1) @WithNull(0.2) String eventB) {
    boolean funnel =
        new FunnelTwin(bucketA, appidA, codeA).equals(new FunnelTwin(bucketB, appidB, codeB));
    assertThat(
            new FunnelRowKey(bucketA, appidA, codeA)
                .equals(new FunnelRowKey(bucketB, copy(appidB), copy(codeB))))
        .isEqualTo(funnel);

    boolean event =
        new EventTwin(bucketA, appidA, codeA, eventA)
            .equals(new EventTwin(bucketB, appidB, codeB, eventB));
    assertThat(
            new EventRowKey(bucketA, appidA, codeA, eventA)
                .equals(new EventRowKey(bucketB, copy(appidB), copy(codeB), copy(eventB))))
        .isEqualTo(event);

    boolean attribution =
        new AttributionTwin(appidA, codeA, eventA)
            .equals(new AttributionTwin(appidB, codeB, eventB));
    assertThat(
            new AttributionKey(appidA, codeA, eventA)
                .equals(new AttributionKey(copy(appidB), copy(codeB), copy(eventB))))
        .isEqualTo(attribution);

    boolean day = new DayTwin(bucketA, appidA, codeA).equals(new DayTwin(bucketB, appidB, codeB));
    assertThat(
            new DayRowKey(bucketA, appidA, codeA)
                .equals(new DayRowKey(bucketB, copy(appidB), copy(codeB))))
        .isEqualTo(day);
    if (day && appidA != null && codeA != null) {
      assertThat(new DayRowKey(bucketA, appidA, codeA).hashCode())
          .isEqualTo(new DayRowKey(bucketB, copy(appidB), copy(codeB)).hashCode());
    }
  }

  @Property
  void shouldCompareBreakdownRowKeysAsRecordsDo(
      @ForAll @IntRange(max = 1) int bucket,
      @ForAll @StringLength(max = 1) @WithNull(0.2) String appidA,
      @ForAll @StringLength(max = 1) @WithNull(0.2) String appidB,
      @ForAll @IntRange(max = 1) int deviceA,
      @ForAll @IntRange(max = 1) int deviceB,
      @ForAll @IntRange(max = 1) int accountB,
      @ForAll @IntRange(max = 1) int mediaB) {
    boolean twin =
        new BreakdownTwin(0, appidA, "c", deviceA, 0, 0)
            .equals(new BreakdownTwin(bucket, appidB, "c", deviceB, accountB, mediaB));
    BreakdownRowKey a = new BreakdownRowKey(0, appidA, "c", deviceA, 0, 0);
    BreakdownRowKey b =
        new BreakdownRowKey(bucket, copy(appidB), copy("c"), deviceB, accountB, mediaB);
    assertThat(a.equals(b)).isEqualTo(twin);
    assertThat(b.equals(a)).isEqualTo(twin);
    if (twin && appidA != null) {
      assertThat(a.hashCode()).isEqualTo(b.hashCode());
    }
  }
}
