package io.upbot.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.upbot.ingest.IngestConfig;
import io.upbot.job.model.DecodedRecord;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.session.JourneySessionizer;
import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs each benchmark method once on its set-up state and checks it did the work it claims to
 * measure, so the benchmarks cannot silently rot (a refused batch, dead-lettered records, state
 * that is never cleared). No timing.
 */
class BenchmarksTest {

  @Test
  void shouldValidateWithTheEndpointsDefaultLimits(@TempDir Path dir) throws Exception {
    Path tokens = Files.writeString(dir.resolve("tokens.json"), "{}");
    IngestConfig defaults = IngestConfig.defaults("127.0.0.1:9092", tokens);

    assertThat(IngestRequestBenchmark.MAX_ITEMS).isEqualTo(defaults.maxItems());
    assertThat(IngestRequestBenchmark.MAX_BODY_BYTES).isEqualTo(defaults.maxBodyBytes());
  }

  @ParameterizedTest
  @ValueSource(strings = {"identity", "gzip"})
  void shouldEncodeOneRecordPerItemWhenTheEndpointBenchmarkHandlesEachBatch(String encoding)
      throws Exception {
    IngestRequestBenchmark bench = new IngestRequestBenchmark();
    IngestRequestBenchmark.Requests s = new IngestRequestBenchmark.Requests();
    s.encoding = encoding;
    s.setUp();

    assertBatch(s, bench::batchOf1, 1);
    assertBatch(s, bench::batchOf20, 20);
    assertBatch(s, bench::batchOf500, 500);
  }

  private static void assertBatch(
      IngestRequestBenchmark.Requests s,
      ToIntFunction<IngestRequestBenchmark.Requests> batch,
      int n)
      throws Exception {
    Arrays.fill(s.values, null);
    assertThat(batch.applyAsInt(s)).isEqualTo(n);
    Set<String> traces = new HashSet<>();
    for (int i = 0; i < n; i++) {
      MediaEvent e = MediaEventCodec.decode(s.values[i]);
      assertThat(new String(s.keys[i], StandardCharsets.UTF_8)).isEqualTo(e.kafkaKey());
      assertThat(e.receivedAt()).isEqualTo(Traffic.RECEIVED_AT_MS);
      assertThat(e.eventTime()).isLessThanOrEqualTo(Traffic.RECEIVED_AT_MS);
      assertThat(e.code()).doesNotEndWith(" ");
      traces.add(e.traceId());
    }
    // Visits of up to 4 events: the batch is many journeys, not one.
    assertThat(traces).hasSize((n + 3) / 4);
    // Nothing written past the batch's own items.
    for (int i = n; i < s.values.length; i++) {
      assertThat(s.values[i]).isNull();
    }
  }

  @Test
  void shouldDecodeEveryRecordToAnOnTimeEventWhenTheDecodeBenchmarkRuns() throws Exception {
    RecordDecodeBenchmark.Records s = new RecordDecodeBenchmark.Records();
    s.setUp();

    int events = new RecordDecodeBenchmark().deserialize(s);

    assertThat(events).isEqualTo(RecordDecodeBenchmark.RECORDS);
    for (int i = 0; i < RecordDecodeBenchmark.RECORDS; i++) {
      DecodedRecord d = s.decoded[i];
      MediaEvent sent = MediaEventCodec.decode(s.records.get(i).value());
      assertThat(d.deadLetter()).isNull();
      assertThat(d.event().eventId()).isEqualTo(sent.eventId());
      assertThat(d.event().trace()).isEqualTo(sent.trace());
    }
    // A second invocation overwrites the same slots rather than running past them.
    assertThat(new RecordDecodeBenchmark().deserialize(s)).isEqualTo(RecordDecodeBenchmark.RECORDS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"small", "large"})
  void shouldCountEveryEventAndClearAllStateWhenTheSessionizerBenchmarkRuns(String shape)
      throws Exception {
    SessionizerBenchmark bench = new SessionizerBenchmark();
    SessionizerBenchmark.Journeys s = new SessionizerBenchmark.Journeys();
    s.shape = shape;
    s.open();
    try {
      // Two invocations: the second's events must land after the first's closing watermark.
      for (int round = 0; round < 2; round++) {
        s.nextEvents();
        assertThat(s.events).hasSize(SessionizerBenchmark.EVENTS);
        assertThat(Arrays.stream(s.events).map(BenchmarksTest::eventName).distinct())
            .hasSize(SessionizerBenchmark.EVENTS);

        int emitted = bench.sessionise(s);

        // Every new distinct event changes at least its event row.
        assertThat(emitted).isGreaterThan(SessionizerBenchmark.EVENTS);
        assertThat(s.deadLetters).isZero();
        assertThat(s.harness.numKeyedStateEntries()).isZero();
        assertThat(s.harness.numEventTimeTimers()).isZero();
        assertThat(s.harness.getOutput()).isEmpty();
      }
    } finally {
      s.close();
    }
  }

  /** An event's identity for the sessionizer: (event_time as sent, event_id) within a journey. */
  private static String eventName(JourneyEvent e) {
    return e.journeyKey() + "/" + e.eventTime() + "/" + e.eventId();
  }

  /**
   * The footprint counts each journey's state once: one index, one key, one timer a journey, and
   * its names in one value of the job's sessionizer, in journey-events' map without it.
   */
  @Test
  void shouldCountOneIndexKeyAndTimerPerJourneyInTheFootprint() throws Exception {
    List<AutoCloseable> open = new ArrayList<>();
    try {
      SessionizerFootprint.Footprint inline =
          SessionizerFootprint.measure(20_000, JourneySessionizer.DEFAULT_INLINE_EVENTS, open);
      SessionizerFootprint.Footprint map = SessionizerFootprint.measure(20_000, 0, open);

      for (SessionizerFootprint.Footprint f : List.of(inline, map)) {
        assertThat(perJourney(f, "io.upbot.job.session.JourneyIndex")).isCloseTo(1.0, within(0.05));
        assertThat(perJourney(f, "io.upbot.job.model.JourneyKey")).isCloseTo(1.0, within(0.05));
        assertThat(perJourney(f, "org.apache.flink.streaming.api.operators.TimerHeapInternalTimer"))
            .isCloseTo(1.0, within(0.05));
      }
      assertThat(perJourney(inline, "io.upbot.job.session.EventNames"))
          .isCloseTo(1.0, within(0.05));
      assertThat(perJourney(map, "java.lang.Long"))
          .as("each event's time boxed in the map")
          .isCloseTo(SessionizerFootprint.EVENTS_PER_JOURNEY, within(0.1));
      assertThat(inline.bytesPerJourney()).isLessThan(map.bytesPerJourney());
    } finally {
      for (AutoCloseable c : open) {
        c.close();
      }
    }
  }

  private static double perJourney(SessionizerFootprint.Footprint f, String className) {
    return f.top().stream()
        .filter(g -> g.className().equals(className))
        .mapToDouble(g -> (double) g.instances() / f.journeys())
        .findFirst()
        .orElse(0);
  }
}
