package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JourneyGeneratorTest {

  private static final long NOON_UTC = 1_699_272_000_000L; // 2023-11-06T12:00:00Z

  @Test
  void shouldProduceAFunnelThatNarrowsFromExposureToJoin() {
    JourneyGenerator gen = new JourneyGenerator(42, "wx-demo", List.of("c1", "c2"));
    int exposed = 0;
    int pressed = 0;
    int joined = 0;
    for (int i = 0; i < 2000; i++) {
      List<String> ids = new ArrayList<>();
      gen.journey(NOON_UTC).forEach(b -> b.items().forEach(item -> ids.add(item.eventId())));
      exposed += ids.contains(JourneyGenerator.EXPOSURE) ? 1 : 0;
      pressed += ids.contains(JourneyGenerator.LONG_PRESS) ? 1 : 0;
      joined += ids.contains(JourneyGenerator.JOIN) ? 1 : 0;
    }
    assertThat(exposed).isEqualTo(2000);
    assertThat(pressed).isBetween(500, 900);
    assertThat(joined).isBetween(100, 400).isLessThan(pressed);
  }

  @Test
  void shouldKeepOneTraceAndCodePerJourneyWithTimesInOrder() {
    JourneyGenerator gen = new JourneyGenerator(7, "wx-demo", List.of("c1", "c2", "c3"));
    for (int i = 0; i < 200; i++) {
      List<ReportBody.Item> items = new ArrayList<>();
      gen.journey(NOON_UTC).forEach(b -> items.addAll(b.items()));
      assertThat(items).extracting(ReportBody.Item::traceId).containsOnly(items.get(0).traceId());
      assertThat(items).extracting(ReportBody.Item::code).containsOnly(items.get(0).code());
      assertThat(items).extracting(ReportBody.Item::eventTimeMs).isSorted();
    }
  }

  @Test
  void shouldFillABatchToExactlyTheRequestedSize() {
    JourneyGenerator gen = new JourneyGenerator(1, "wx-demo", List.of("c1"));
    assertThat(gen.batch(NOON_UTC, 37).items()).hasSize(37);
    assertThat(new String(gen.batch(NOON_UTC, 3).toJson()))
        .contains("\"appid\":\"wx-demo\"")
        .contains("\"items\":[");
  }
}
