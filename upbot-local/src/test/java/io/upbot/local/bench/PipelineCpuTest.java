package io.upbot.local.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineCpuTest {

  // Nanoseconds of CPU over 1,000 events: 1 µs an event per 1,000,000 ns.
  private static final long EVENTS = 1_000;

  @Test
  void shouldListTheBusiestGroupsThenTheRestThenTheJvmsOwnThreadsThenTheBroker() {
    PipelineCpu.Snapshot spent =
        new PipelineCpu.Snapshot(
            12_000_000L,
            2_500_000L,
            Map.of("sessionise", 4_000_000L, "XNIO I/O", 3_000_000L, "writer", 1_000_000L));

    Map<String, Double> top = spent.top(2, EVENTS);

    assertThat(top.keySet())
        .containsExactly(
            "sessionise",
            "XNIO I/O",
            PipelineCpu.OTHER_JAVA_THREADS,
            PipelineCpu.JVM_THREADS,
            "kafka broker (its JVM)");
    assertThat(top.values()).containsExactly(4.0, 3.0, 1.0, 4.0, 2.5);
    // Together they are the whole: this JVM's CPU and the broker's.
    assertThat(top.values().stream().mapToDouble(Double::doubleValue).sum())
        .isEqualTo(spent.microsPerEvent(EVENTS));
  }

  @Test
  void shouldLeaveOutTheRestWhenEveryGroupIsListedAndTheBrokerWhenUnreadable() {
    PipelineCpu.Snapshot spent =
        new PipelineCpu.Snapshot(5_000_000L, -1, Map.of("main", 5_000_000L));

    assertThat(spent.top(3, EVENTS))
        .containsExactly(entry("main", 5.0), entry(PipelineCpu.JVM_THREADS, 0.0));
  }

  @Test
  void shouldGroupAPoolsThreadsByTheirNameWithoutNumbers() {
    assertThat(PipelineCpu.group("XNIO-1 I/O-2")).isEqualTo(PipelineCpu.group("XNIO-1 I/O-1"));
    assertThat(PipelineCpu.group("HttpClient-3-Worker-7")).isEqualTo("HttpClient-Worker");
  }
}
