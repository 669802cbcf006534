package io.upbot.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.guard.CardinalityGuard;
import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.DecodedRecord;
import io.upbot.job.model.FunnelStages;
import io.upbot.job.model.HourBuckets;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.source.RecordDecoder;
import io.upbot.job.source.ServerClockWatermarks;
import io.upbot.job.testing.MiniClusters;
import io.upbot.job.testing.Reference;
import io.upbot.job.testing.Scenario;
import io.upbot.job.testing.TestSinks;
import io.upbot.job.testing.TestSource;
import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The per-appid cardinality caps through the real graph ({@link AnalyticsJob}, parallelism 2, two
 * partitions whose interleaving at the guard is not fixed): the tables are exactly the reference
 * tables of the admitted events, every other on-time event is a {@code cardinality} dead letter,
 * and each of those was refused only because its (appid, hour) was full.
 */
class CardinalityCapITCase {

  static final int PARALLELISM = 2;
  static final int MAX_CODES = 5;
  static final int MAX_EVENT_IDS = 6;
  static final long HOUR = 3_600_000L;
  static final long H0 = Instant.parse("2026-11-30T06:00:00Z").toEpochMilli();
  static final String[] STAGE_IDS = {"1110201", "1110204", "1110205", "1100102"};

  static MiniCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = MiniClusters.start(PARALLELISM);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    cluster.close();
  }

  /**
   * wx1 sends 9 codes and up to 12 event ids in its first hour (over both caps), 3 codes in its
   * second; wx2 stays under the caps. Journeys have several events, resends and a late event or
   * two, and the events of one (appid, hour) spread over both partitions.
   */
  static List<MediaEvent> input(long seed) {
    Random r = new Random(seed);
    List<MediaEvent> sent = new ArrayList<>();
    for (String appid : List.of("wx1", "wx2")) {
      for (int hour = 0; hour < 2; hour++) {
        int codes = appid.equals("wx1") ? (hour == 0 ? 9 : 3) : 2;
        for (int c = 0; c < codes; c++) {
          int traces = 1 + r.nextInt(3);
          for (int trace = 0; trace < traces; trace++) {
            long t = H0 + hour * HOUR + r.nextInt(40) * 60_000L;
            int events = 1 + r.nextInt(4);
            for (int e = 0; e < events; e++) {
              t += r.nextInt(20) * 60_000L;
              String id =
                  r.nextInt(3) > 0 || !appid.equals("wx1")
                      ? STAGE_IDS[r.nextInt(4)]
                      : "x" + r.nextInt(8);
              long received = r.nextInt(15) == 0 ? t + 3 * HOUR : t + r.nextInt(5_000);
              MediaEvent m =
                  Scenario.event(
                      appid,
                      "o" + trace,
                      "c" + c,
                      "tr" + c + "-" + trace,
                      id,
                      t,
                      received,
                      r.nextInt(30));
              sent.add(m);
              if (r.nextInt(6) == 0) {
                sent.add(
                    Scenario.event(
                        appid,
                        "o" + trace,
                        "c" + c,
                        "tr" + c + "-" + trace,
                        id,
                        t,
                        received + 1_000,
                        null));
              }
            }
          }
        }
      }
    }
    sent.sort(Comparator.comparingLong(MediaEvent::receivedAt));
    return sent;
  }

  @ParameterizedTest
  @CsvSource({"hashmap, 1", "rocksdb, 2"})
  void shouldWriteExactTablesForAdmittedEventsAndDeadLetterTheRestAsCardinality(
      String stateBackend, long seed) throws Exception {
    List<MediaEvent> sent = input(seed);
    JobSettings settings =
        AnalyticsJobPropertyITCase.settings(
            stateBackend,
            "--max-codes-per-hour",
            String.valueOf(MAX_CODES),
            "--max-event-ids-per-hour",
            String.valueOf(MAX_EVENT_IDS));
    List<List<byte[]>> partitions = List.of(new ArrayList<>(), new ArrayList<>());
    for (MediaEvent m : sent) {
      partitions
          .get(Math.floorMod(m.kafkaKey().hashCode(), PARALLELISM))
          .add(MediaEventCodec.encode(m));
    }
    TestSource source = new TestSource(partitions);
    TestSinks sinks = new TestSinks();
    try {
      StreamExecutionEnvironment env = new TestStreamEnvironment(cluster, PARALLELISM);
      AnalyticsJob.configure(env, settings);
      AnalyticsJob.build(
          env,
          settings,
          source.source(settings.allowedLateness().toMillis()),
          ServerClockWatermarks.strategy(settings.watermarkBound(), Duration.ZERO),
          sinks.jobSinks());
      env.execute("cardinality " + stateBackend);

      Set<String> refused =
          sinks.deadLetters().stream()
              .filter(d -> d.reason().equals(CardinalityGuard.REASON))
              .map(DeadLetter::source)
              .collect(Collectors.toSet());
      RecordDecoder decoder = new RecordDecoder(settings.allowedLateness().toMillis());
      List<MediaEvent> admitted = new ArrayList<>();
      List<JourneyEvent> admittedEvents = new ArrayList<>();
      List<JourneyEvent> refusedEvents = new ArrayList<>();
      int late = 0;
      for (MediaEvent m : sent) {
        DecodedRecord d = decoder.decode(MediaEventCodec.encode(m), "x", 0);
        if (d.event() == null) {
          late++;
        } else if (refused.contains(d.event().sourceName())) {
          refusedEvents.add(d.event());
        } else {
          admitted.add(m);
          admittedEvents.add(d.event());
        }
      }

      assertThat(sinks.tables())
          .isEqualTo(Reference.compute(admitted, Scenario.G, Scenario.A, FunnelStages.DEFAULT));
      assertThat(refusedEvents).as("wx1's first hour is over its caps").isNotEmpty();
      assertThat(refusedEvents).extracting(JourneyEvent::appid).containsOnly("wx1");
      assertThat(refused)
          .as("every refused source names a refused event")
          .hasSameSizeAs(refusedEvents.stream().map(JourneyEvent::sourceName).distinct().toList());

      Map<AppidHour, Set<String>> codes = new HashMap<>();
      Map<AppidHour, Set<String>> eventIds = new HashMap<>();
      for (JourneyEvent e : admittedEvents) {
        codes.computeIfAbsent(AppidHour.of(e), k -> new HashSet<>()).add(e.code());
        eventIds.computeIfAbsent(AppidHour.of(e), k -> new HashSet<>()).add(e.eventId());
      }
      assertThat(codes.values()).allSatisfy(s -> assertThat(s).hasSizeLessThanOrEqualTo(MAX_CODES));
      assertThat(eventIds.values())
          .allSatisfy(s -> assertThat(s).hasSizeLessThanOrEqualTo(MAX_EVENT_IDS));
      // Whichever events won the slots, each refused one brought a new value to a full hour.
      assertThat(refusedEvents)
          .allSatisfy(
              e -> {
                Set<String> c = codes.getOrDefault(AppidHour.of(e), Set.of());
                Set<String> ids = eventIds.getOrDefault(AppidHour.of(e), Set.of());
                assertThat(
                        (!c.contains(e.code()) && c.size() == MAX_CODES)
                            || (!ids.contains(e.eventId()) && ids.size() == MAX_EVENT_IDS))
                    .as("refused %s", e)
                    .isTrue();
              });

      assertThat(sinks.deadLetters())
          .extracting(DeadLetter::reason)
          .containsOnly(CardinalityGuard.REASON, DeadLetter.LATE, DeadLetter.MALFORMED);
      assertThat(sinks.deadLetters())
          .filteredOn(d -> d.reason().equals(DeadLetter.LATE))
          .hasSize(late);
    } finally {
      sinks.close();
    }
  }

  /** One appid's events whose t falls in one UTC hour: the scope of a cap. */
  private record AppidHour(String appid, long hourStart) {
    static AppidHour of(JourneyEvent e) {
      return new AppidHour(e.appid(), HourBuckets.bucketStart(e.t()));
    }
  }
}
