package io.upbot.job.model;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** {@link JourneyKey}: equal exactly when its three parts are, and placed by a fixed hash. */
class JourneyKeyTest {

  @Property
  void shouldBeEqualExactlyWhenAppidCodeAndTraceAreEqual(
      @ForAll @StringLength(max = 1) String appid,
      @ForAll @StringLength(max = 1) String code,
      @ForAll @StringLength(max = 1) String trace) {
    JourneyKey a = new JourneyKey("a", "c", "t");
    // Copies, so that equal parts are never the same object.
    JourneyKey b = new JourneyKey(new String(appid), new String(code), new String(trace));
    boolean same = appid.equals("a") && code.equals("c") && trace.equals("t");

    assertThat(a.equals(b)).isEqualTo(same);
    assertThat(b.equals(a)).isEqualTo(same);
    if (same) {
      assertThat(a.hashCode()).isEqualTo(b.hashCode());
    }
  }

  @Test
  void shouldNotEqualOtherTypesOrNull() {
    JourneyKey k = new JourneyKey("a", "c", "t");
    assertThat(k.equals(null)).isFalse();
    assertThat(k.equals("a")).isFalse();
    assertThat(k).isEqualTo(k);
  }

  @Test
  void shouldCompareMissingPartsAsARecordDoes() {
    // Flink's POJO format can hold a null part; equality must not throw on one.
    assertThat(new JourneyKey("a", null, null)).isEqualTo(new JourneyKey("a", null, null));
    assertThat(new JourneyKey("a", null, "t")).isNotEqualTo(new JourneyKey("a", "c", "t"));
    assertThat(new JourneyKey("a", "c", "t")).isNotEqualTo(new JourneyKey("a", "c", null));
  }

  @Test
  void shouldKeepTheHashThatPlacesSavedState() {
    // Key groups in checkpoints and savepoints follow this value: it must never change.
    assertThat(new JourneyKey("wx1", "code-1", "trace-1").hashCode())
        .isEqualTo((31 * "wx1".hashCode() + "code-1".hashCode()) * 31 + "trace-1".hashCode());
  }
}
