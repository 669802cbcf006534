package io.upbot.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void shouldReadEveryUnitTheSameWay() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("2s")).isEqualTo(Duration.ofSeconds(2));
    assertThat(Durations.parse("30m")).isEqualTo(Duration.ofMinutes(30));
    assertThat(Durations.parse("24h")).isEqualTo(Duration.ofHours(24));
    assertThat(Durations.parse(" 1d ")).isEqualTo(Duration.ofDays(1));
    assertThat(Durations.parse("0")).isZero();
  }

  @Test
  void shouldRefuseABareNumberANegativeOneAndAnUnknownUnit() {
    for (String bad :
        new String[] {"2000", "-1s", "1w", "1.5s", "s", "", "99999999999999999999ms"}) {
      assertThatThrownBy(() -> Durations.parse(bad)).as(bad).hasMessage(Durations.EXPECTED);
    }
  }

  @Test
  void shouldFormatInTheLargestExactUnitSoThatParsingReadsItBack() {
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(Durations.format(Duration.ofSeconds(120))).isEqualTo("2m");
    assertThat(Durations.format(Duration.ofHours(48))).isEqualTo("2d");
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0");
    for (long ms : new long[] {1, 999, 1000, 61_000, 3_600_000, 90_000_000}) {
      assertThat(Durations.parse(Durations.format(Duration.ofMillis(ms))))
          .isEqualTo(Duration.ofMillis(ms));
    }
  }
}
