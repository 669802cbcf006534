package io.upbot.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.FunnelStages;
import io.upbot.job.source.ServerClockWatermarks;
import io.upbot.job.testing.MiniClusters;
import io.upbot.job.testing.Reference;
import io.upbot.job.testing.Scenario;
import io.upbot.job.testing.Tables;
import io.upbot.job.testing.TestSinks;
import io.upbot.job.testing.TestSource;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;

/**
 * The real graph ({@link AnalyticsJob}, generic types off, parallelism 2, two source partitions,
 * heap or RocksDB state) on a MiniCluster produces exactly the reference tables of
 * docs/semantics.md for random journeys.
 */
class AnalyticsJobPropertyITCase {

  static final int PARALLELISM = 2;
  static MiniCluster cluster;

  @BeforeContainer
  static void startCluster() throws Exception {
    cluster = MiniClusters.start(PARALLELISM);
  }

  @AfterContainer
  static void stopCluster() throws Exception {
    cluster.close();
  }

  /** The settings of these runs, {@code extra} flags added: G and A as {@link Scenario}'s. */
  static JobSettings settings(String stateBackend, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--state-backend", stateBackend,
                "--kafka-bootstrap", "unused:9092",
                "--session-gap", "30m",
                "--allowed-lateness", "2h",
                "--checkpoint-interval", "off",
                "--source-idleness", "0",
                "--parallelism", String.valueOf(PARALLELISM)));
    args.addAll(List.of(extra));
    return JobSettings.parse(args.toArray(String[]::new), Map.of());
  }

  @Property(tries = 20)
  void shouldWriteTheReferenceTablesThroughTheRealGraph(@ForAll long seed) throws Exception {
    Scenario s = Scenario.generate(seed, 10, 12);
    // Half the tries on RocksDB: its state serialisation and map iteration must give the same
    // tables.
    // Daily tables in a zone whose midnight splits the scenarios' hours, or falls inside one.
    ZoneId zone = JobSemanticsPropertyTest.ZONES.get(Math.floorMod(seed / 2, 3));
    JobSettings settings =
        settings(seed % 2 == 0 ? "hashmap" : "rocksdb", "--time-zone", zone.getId());
    TestSource source = new TestSource(s.partitioned(PARALLELISM));
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
      env.execute("property " + seed);

      Tables actual = sinks.tables();
      assertThat(actual)
          .as(s.toString())
          .isEqualTo(
              Reference.compute(s.received(), Scenario.G, Scenario.A, FunnelStages.DEFAULT, zone));
      assertThat(actual.breakdownSummed())
          .as("the breakdown summed over its dimensions is the funnel")
          .isEqualTo(actual.funnel());
      assertThat(sinks.deadLetters())
          .filteredOn(d -> d.reason().equals(DeadLetter.LATE))
          .hasSize((int) s.lateCount());
      assertThat(sinks.deadLetters())
          .filteredOn(d -> d.reason().equals(DeadLetter.MALFORMED))
          .hasSize(s.garbage().size() + source.padding());
      assertThat(sinks.deadLetters())
          .hasSize((int) s.lateCount() + s.garbage().size() + source.padding());
    } finally {
      sinks.close();
    }
  }
}
