package io.upbot.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.FunnelStages;
import io.upbot.job.testing.HarnessPipeline;
import io.upbot.job.testing.Reference;
import io.upbot.job.testing.Scenario;
import io.upbot.job.testing.Tables;
import java.time.ZoneId;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;

/**
 * The job's functions, driven through harnesses with watermarks and flushes mid-stream, produce
 * exactly the tables of a plain reference implementation of docs/semantics.md, for random journeys
 * in random orders. The inputs are checked to cover the rules' edges: resends from fast clocks (one
 * event, whatever their capped times) and consecutive events exactly G apart (two sessions).
 */
@SuppressWarnings("try") // HarnessPipeline.close() throws Exception, as the harnesses do
class JobSemanticsPropertyTest {

  static final long BOUND = 30_000;
  static final List<ZoneId> ZONES =
      List.of(
          ZoneId.of("Asia/Shanghai"),
          ZoneId.of("America/Los_Angeles"),
          ZoneId.of("Pacific/Marquesas"));

  @Property(tries = 300)
  void shouldProduceTheReferenceTablesWhateverTheDeliveryOrder(@ForAll long seed) throws Exception {
    Scenario s = Scenario.generate(seed, 8, 12);
    Statistics.label("fast-clock resend").collect(s.fastClockResends() > 0);
    Statistics.label("fast-clock resend").coverage(c -> c.check(true).percentage(p -> p >= 10));
    Statistics.label("gap of exactly G").collect(s.gapsOfExactlyG() > 0);
    Statistics.label("gap of exactly G").coverage(c -> c.check(true).percentage(p -> p >= 10));
    Statistics.label("wecom joins").collect(s.weComJoinCount() > 0);
    Statistics.label("wecom joins").coverage(c -> c.check(true).percentage(p -> p >= 30));
    Random r = new Random(seed);
    // The scenarios' times are 05:00 to 12:00 UTC: Shanghai's days do not split them, Los Angeles'
    // midnight (08:00 UTC) does, and Marquesas' (09:30 UTC) falls inside an hour.
    ZoneId zone = ZONES.get(Math.floorMod(seed, ZONES.size()));
    try (HarnessPipeline p =
        new HarnessPipeline(FunnelStages.DEFAULT, Scenario.G, Scenario.A, BOUND, 1000, zone)) {
      int i = 0;
      for (List<byte[]> partition : List.of(s.partitioned(1).get(0))) {
        for (byte[] payload : partition) {
          p.receive(payload, "t/0/" + i++);
          if (r.nextInt(4) == 0) {
            p.emitWatermark();
          }
          if (r.nextInt(5) == 0) {
            p.tick(1000);
          }
        }
      }
      p.finish();

      Tables expected =
          Reference.compute(s.received(), Scenario.G, Scenario.A, FunnelStages.DEFAULT, zone);
      Tables actual = p.tables().withoutZeroFunnelRows();
      Statistics.label("attributed join")
          .collect(expected.joins().values().stream().anyMatch(v -> v.get(1) > 0));
      Statistics.label("attributed join").coverage(c -> c.check(true).percentage(x -> x >= 10));
      Statistics.label("unattributed join")
          .collect(expected.joins().values().stream().anyMatch(v -> v.get(2) > 0));
      Statistics.label("unattributed join").coverage(c -> c.check(true).percentage(x -> x >= 10));
      Statistics.label("join before its long-press").collect(s.earlyJoins() > 0);
      Statistics.label("join before its long-press")
          .coverage(c -> c.check(true).percentage(x -> x >= 5));
      assertThat(actual).as(s.toString()).isEqualTo(expected);
      assertThat(actual.breakdownSummed())
          .as("the breakdown summed over its dimensions is the funnel")
          .isEqualTo(actual.funnel());
      assertThat(p.deadLetters())
          .extracting(DeadLetter::reason)
          .as("only late and malformed records are dead letters")
          .isSubsetOf(DeadLetter.LATE, DeadLetter.MALFORMED);
      assertThat(p.deadLetters())
          .filteredOn(d -> d.reason().equals(DeadLetter.LATE))
          .hasSize((int) s.lateCount());
      assertThat(p.deadLetters())
          .filteredOn(d -> d.reason().equals(DeadLetter.MALFORMED))
          .hasSize(s.garbage().size());
      assertThat(actual.joins().values().stream().mapToLong(v -> v.get(0)).sum())
          .as("every distinct on-time WeCom join counts once in wecom_joins")
          .isEqualTo(s.weComJoinCount());
      assertThat(actual.joins().values())
          .as("after the final watermark every join is decided")
          .allSatisfy(v -> assertThat(v.get(0)).isEqualTo(v.get(1) + v.get(2)));
      assertThat(p.stateEntries()).as("all state cleared after the final watermark").isZero();
    }
  }
}
