package io.upbot.local.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
  void shouldChargeEachThreadOnlyWhatItSpentMeanwhileSoAnEndedThreadTakesNothingFromItsGroup() {
    // Worker 1 ends after the first snapshot, worker 3 starts after it; worker 2 spans both.
    String w = "HttpClient-Worker";
    PipelineCpu.Snapshot before =
        at(20_000_000L, Map.of(1L, thread(w, 5_000_000L), 2L, thread(w, 1_000_000L)));
    PipelineCpu.Snapshot after =
        at(30_000_000L, Map.of(2L, thread(w, 3_000_000L), 3L, thread(w, 500_000L)));

    Map<String, Double> top = after.minus(before).top(5, EVENTS);

    // 2 ms from worker 2 and 0.5 from worker 3; the 10 ms in all less those is no Java thread's
    // (worker 1's last moments are in it). By group, it was 3.5 - 6 = -2.5 ms.
    assertThat(top)
        .containsExactly(
            entry("HttpClient-Worker", 2.5),
            entry(PipelineCpu.JVM_THREADS, 7.5),
            entry("kafka broker (its JVM)", 0.0));
  }

  @Test
  void shouldChargeAThreadSeenBeforeItEndedToItsGroupUpToThen() {
    PipelineCpu.Snapshot before = at(0, Map.of(9L, thread("main", 1_000_000L)));
    // The load's thread starts after the first snapshot and ends after the second.
    PipelineCpu.Snapshot loadStopping =
        at(0, Map.of(9L, thread("main", 1_500_000L), 7L, thread("steady-load", 3_000_000L)));
    PipelineCpu.Snapshot after = at(6_000_000L, Map.of(9L, thread("main", 2_000_000L)));

    assertThat(after.keeping(loadStopping).minus(before).top(5, EVENTS))
        .containsExactly(
            entry("steady-load", 3.0),
            entry("main", 1.0),
            entry(PipelineCpu.JVM_THREADS, 2.0),
            entry("kafka broker (its JVM)", 0.0));
    // Without it, the load's time is no group's.
    assertThat(after.minus(before).top(5, EVENTS))
        .containsExactly(
            entry("main", 1.0),
            entry(PipelineCpu.JVM_THREADS, 5.0),
            entry("kafka broker (its JVM)", 0.0));
  }

  /** A snapshot of this JVM's Java threads, the broker idle. */
  private static PipelineCpu.Snapshot at(
      long processNanos, Map<Long, PipelineCpu.ThreadCpu> threads) {
    return PipelineCpu.Snapshot.at(processNanos, 0, Map.of(), threads);
  }

  private static PipelineCpu.ThreadCpu thread(String group, long nanos) {
    return new PipelineCpu.ThreadCpu(group, nanos);
  }

  @Test
  void shouldGroupAPoolsThreadsByTheirNameWithoutNumbers() {
    assertThat(PipelineCpu.group("XNIO-1 I/O-2")).isEqualTo(PipelineCpu.group("XNIO-1 I/O-1"));
    assertThat(PipelineCpu.group("HttpClient-3-Worker-7")).isEqualTo("HttpClient-Worker");
  }

  @Test
  void shouldSplitTheJvmsOwnThreadsByKindFromTheirTaskNames(@TempDir Path tasks) throws Exception {
    task(tasks, 1, "GC Thread#0", 30, 10);
    task(tasks, 2, "GC Thread#1", 20, 0);
    task(tasks, 3, "G1 Refine#0", 5, 5);
    task(tasks, 4, "C2 CompilerThre", 7, 0);
    task(tasks, 5, "C1 CompilerThre", 1, 0);
    task(tasks, 6, "XNIO-1 I/O-1", 500, 0);
    task(tasks, 7, "G1 Conc#0", 3, 0);
    task(tasks, 8, "G1 Main Marker", 1, 0);

    Map<String, Long> now = PipelineCpu.jvmByKind(tasks);

    // Ticks of 10 ms; a Java thread (XNIO) is not the JVM's own.
    assertThat(now)
        .containsOnly(
            entry("collector's pauses (GC Thread)", 600_000_000L),
            entry("remembered-set refinement (G1 Refine)", 100_000_000L),
            entry("compilers (C1, C2)", 80_000_000L),
            entry("concurrent marking (G1 Conc, Main Marker)", 40_000_000L));
    PipelineCpu.Snapshot before = PipelineCpu.Snapshot.at(0, 0, Map.of(), Map.of());
    PipelineCpu.Snapshot after = PipelineCpu.Snapshot.at(900_000_000L, 0, now, Map.of());
    assertThat(after.minus(before).jvmThreads(100_000).keySet())
        .containsExactly(
            "collector's pauses (GC Thread)",
            "remembered-set refinement (G1 Refine)",
            "concurrent marking (G1 Conc, Main Marker)",
            "compilers (C1, C2)",
            PipelineCpu.UNLISTED);
    // 900 ms in all, 820 of them the kinds listed: 80 ms over 100,000 events.
    assertThat(after.minus(before).jvmThreads(100_000))
        .containsEntry("collector's pauses (GC Thread)", 6.0)
        .containsEntry(PipelineCpu.UNLISTED, 0.8);
    assertThat(PipelineCpu.jvmByKind(tasks.resolve("absent"))).isEmpty();
  }

  /** A /proc task directory: its name, and a stat line with {@code user} and {@code sys} ticks. */
  private static void task(Path tasks, int tid, String name, long user, long sys)
      throws IOException {
    Path t = Files.createDirectories(tasks.resolve(Integer.toString(tid)));
    Files.writeString(t.resolve("comm"), name + "\n");
    Files.writeString(
        t.resolve("stat"),
        tid
            + " ("
            + name
            + ") S 1 1 1 0 -1 4194368 0 0 0 0 "
            + user
            + " "
            + sys
            + " 0 0 20 0 1 0 100 0 0\n");
  }
}
