package io.upbot.job.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class DayBucketsTest {

  static long ms(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  static int day(String date) {
    return (int) LocalDate.parse(date).toEpochDay();
  }

  @Test
  void shouldPutAnHourInTheLocalDayItStartsIn() {
    DayBuckets shanghai = new DayBuckets(ZoneId.of("Asia/Shanghai"));
    assertThat(shanghai.day(ms("2023-11-06T15:00:00Z"))).isEqualTo(day("2023-11-06"));
    assertThat(shanghai.day(ms("2023-11-06T16:00:00Z"))).isEqualTo(day("2023-11-07"));
  }

  @Test
  void shouldEndADayWithTheEndOfItsLastHourEvenWhenThatHourStraddlesMidnight() {
    assertThat(new DayBuckets(ZoneId.of("Asia/Shanghai")).bucketsEnd(day("2023-11-06")))
        .isEqualTo(ms("2023-11-06T16:00:00Z"));
    // +05:30: local midnight is 18:30 UTC; the 18:00 UTC hour starts on the 6th and ends at 19:00.
    DayBuckets kolkata = new DayBuckets(ZoneId.of("Asia/Kolkata"));
    assertThat(kolkata.day(ms("2023-11-06T18:00:00Z"))).isEqualTo(day("2023-11-06"));
    assertThat(kolkata.bucketsEnd(day("2023-11-06"))).isEqualTo(ms("2023-11-06T19:00:00Z"));
  }

  @Test
  void shouldFollowDaylightSavingTime() {
    // 2023-11-05 in Los Angeles lasts 25 hours: from 07:00 UTC to 08:00 UTC the next day.
    DayBuckets la = new DayBuckets(ZoneId.of("America/Los_Angeles"));
    assertThat(la.bucketsEnd(day("2023-11-05"))).isEqualTo(ms("2023-11-06T08:00:00Z"));
    assertThat(la.day(ms("2023-11-06T07:00:00Z"))).isEqualTo(day("2023-11-05"));
  }
}
