package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The batches {@code loadgen --one-trace} posts. */
class TraceFloodTest {

  private static final TraceFlood.Options OPTIONS =
      new TraceFlood.Options(1_234, 500, 4, "wx-flood", "flood-code", "tr-flood");

  @Test
  void shouldPutEveryEventOnOneJourneyWithItsOwnEventTime() {
    long now = 1_764_484_800_000L;
    List<ReportBody> batches = TraceFlood.batches(OPTIONS, now);
    List<ReportBody.Item> items = batches.stream().flatMap(b -> b.items().stream()).toList();

    assertThat(batches).hasSize(3);
    assertThat(batches).allMatch(b -> b.appid().equals("wx-flood") && b.items().size() <= 500);
    assertThat(items).hasSize(1_234);
    assertThat(items)
        .allMatch(i -> i.code().equals("flood-code") && i.traceId().equals("tr-flood"));
    Set<Long> times = items.stream().map(ReportBody.Item::eventTimeMs).collect(Collectors.toSet());
    assertThat(times).hasSize(1_234);
    assertThat(items.get(items.size() - 1).eventTimeMs()).isEqualTo(now);
  }
}
