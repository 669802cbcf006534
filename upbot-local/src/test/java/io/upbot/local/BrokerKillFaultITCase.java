package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.upbot.job.model.FunnelStages;
import io.upbot.job.sink.JdbcSettings;
import io.upbot.job.testing.DatabaseTables;
import io.upbot.job.testing.Reference;
import io.upbot.job.testing.Tables;
import io.upbot.schema.MediaEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local stack's Kafka broker killed (SIGKILL) under load and restarted on the same ports and
 * data: while it is down the endpoint answers 1005 within its deadline and never 0; after the
 * restart it answers 0 again without being restarted itself; every item answered 0 is in the topic,
 * and the tables equal the reference over what the topic holds, so each is counted exactly once.
 */
class BrokerKillFaultITCase {

  private static final String TOPIC = "upbot.media-events";
  private static final long G = Duration.ofMinutes(30).toMillis();
  private static final long A = Duration.ofHours(24).toMillis();

  /** The endpoint's default answer deadline. */
  private static final Duration DEADLINE = Duration.ofSeconds(2);

  /**
   * No answer may take longer than this. Latency is measured by the client, in the JVM that also
   * runs the endpoint and the job, on a shared 2-core machine while a broker JVM starts: stalls of
   * a few seconds there are the machine's, a hang until the client's 30 s timeout would be the
   * endpoint's.
   */
  private static final Duration ANSWER_BOUND = Duration.ofSeconds(15);

  private static final double RATE = 400;
  private static final int BATCH = 10;

  /** One answered batch; times from {@link System#nanoTime()}. */
  private record Answer(ReportBody batch, String ret, long sentNanos, long answeredNanos) {
    Duration latency() {
      return Duration.ofNanos(answeredNanos - sentNanos);
    }
  }

  @TempDir Path dataDir;

  @Test
  void shouldCountEveryItemAnsweredZeroExactlyOnceAcrossABrokerKill() throws Exception {
    FaultMode mode = FaultMode.current();
    Duration before = mode.pick(Duration.ofSeconds(5), Duration.ofSeconds(60));
    Duration outage = mode.pick(Duration.ofSeconds(8), Duration.ofSeconds(30));
    Duration after = mode.pick(Duration.ofSeconds(10), Duration.ofSeconds(60));
    LocalStack.Options options =
        new LocalStack.Options(
            0, 0, 0, dataDir, null, null, null, null, false, TOPIC, Duration.ofSeconds(2));

    try (LocalStack stack = LocalStack.start(options, StackEvents.quiet())) {
      Queue<Answer> answers = new ConcurrentLinkedQueue<>();
      ReportPoster poster = new ReportPoster(stack.apiUrl(), stack.token(), Duration.ofSeconds(30));
      JourneyGenerator journeys =
          new JourneyGenerator(7, "wx-broker-kill", List.of("code-a", "code-b"));
      long killedAt;
      long restartAt;
      long listeningAt;
      try (SteadyLoad load =
          SteadyLoad.start(
              poster,
              journeys,
              RATE,
              BATCH,
              256,
              (b, ret, latency) -> {
                long now = System.nanoTime();
                answers.add(new Answer(b, ret, now - latency, now));
              })) {
        await()
            .atMost(before.plusSeconds(60))
            .until(() -> load.accepted() >= RATE * before.toSeconds());

        killedAt = System.nanoTime();
        stack.broker().kill();
        // The outage lasts until this many batches posted after the kill have been answered.
        long outageBatches = (long) (RATE / BATCH * outage.toSeconds());
        await()
            .atMost(outage.plusSeconds(60))
            .until(
                () ->
                    answers.stream().filter(a -> a.sentNanos() > killedAt).count()
                        >= outageBatches);

        restartAt = System.nanoTime();
        stack.broker().start();
        listeningAt = System.nanoTime();
        long afterBatches = (long) (RATE / BATCH * after.toSeconds());
        await()
            .atMost(after.plusSeconds(120))
            .until(
                () ->
                    answers.stream()
                            .filter(
                                a ->
                                    a.sentNanos() > listeningAt
                                        && a.ret().equals(ReportPoster.ACCEPTED))
                            .count()
                        >= afterBatches);
      }
      List<Answer> all = new ArrayList<>(answers);
      List<Answer> duringOutage =
          all.stream()
              .filter(a -> a.sentNanos() > killedAt && a.answeredNanos() < restartAt)
              .toList();
      long firstZeroAfterRestart =
          all.stream()
              .filter(a -> a.answeredNanos() > restartAt && a.ret().equals(ReportPoster.ACCEPTED))
              .mapToLong(Answer::answeredNanos)
              .min()
              .orElseThrow();
      long[] busyMillis =
          all.stream()
              .filter(a -> a.ret().equals("1005"))
              .mapToLong(a -> a.latency().toMillis())
              .sorted()
              .toArray();
      String figures =
          String.format(
              "broker-kill figures: mode %s; batches %d (%d answered during the outage); answers %s;"
                  + " broker down %.1f s, its restart %.1f s; restart to first 0: %.1f s (%.1f s after"
                  + " it listened); 1005 answered in p50 %d ms, p99 %d ms, max %d ms",
              mode,
              all.size(),
              duringOutage.size(),
              countByRet(all),
              (restartAt - killedAt) / 1e9,
              (listeningAt - restartAt) / 1e9,
              (firstZeroAfterRestart - restartAt) / 1e9,
              (firstZeroAfterRestart - listeningAt) / 1e9,
              percentile(busyMillis, 50),
              percentile(busyMillis, 99),
              percentile(busyMillis, 100));
      System.out.println(figures);

      // While the broker is down: 1005, within the deadline, never 0 and never anything else.
      assertThat(duringOutage)
          .as(figures)
          .isNotEmpty()
          .allSatisfy(a -> assertThat(a.ret()).isEqualTo("1005"));
      assertThat(all)
          .as(figures)
          .allSatisfy(a -> assertThat(a.ret()).isIn(ReportPoster.ACCEPTED, "1005"))
          .allSatisfy(a -> assertThat(a.latency()).isLessThan(ANSWER_BOUND));
      assertThat(Duration.ofMillis(percentile(busyMillis, 50)))
          .as(figures)
          .isLessThan(DEADLINE.plusSeconds(1));
      assertThat(stack.job().getJobStatus().get(10, TimeUnit.SECONDS)).isEqualTo(JobStatus.RUNNING);

      // Every item answered 0 was durably written ...
      List<MediaEvent> inTopic = StackEvents.inTopic(stack.kafkaBootstrap(), TOPIC);
      Set<String> stored = new HashSet<>();
      inTopic.forEach(e -> stored.add(key(e.appid(), e.traceId(), e.eventId(), e.eventTime())));
      List<String> answeredZero =
          all.stream()
              .filter(a -> a.ret().equals(ReportPoster.ACCEPTED))
              .flatMap(
                  a ->
                      a.batch().items().stream()
                          .map(
                              i ->
                                  key(
                                      a.batch().appid(),
                                      i.traceId(),
                                      i.eventId(),
                                      i.eventTimeMs())))
              .toList();
      assertThat(answeredZero).isNotEmpty();
      assertThat(stored)
          .as("items answered 0 but missing from the topic")
          .containsAll(answeredZero);

      // ... and the tables hold exactly the reference totals over what the topic holds.
      Tables expected =
          Reference.compute(inTopic, G, A, FunnelStages.DEFAULT).withoutZeroFunnelRows();
      JdbcSettings db = JdbcSettings.defaults(stack.jdbcUrl());
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .untilAsserted(
              () ->
                  assertThat(DatabaseTables.read(db).withoutZeroFunnelRows()).isEqualTo(expected));
    }
  }

  private static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static String key(String appid, String trace, String eventId, long eventTimeMs) {
    return appid + "|" + trace + "|" + eventId + "|" + eventTimeMs;
  }

  private static Map<String, Long> countByRet(List<Answer> answers) {
    return answers.stream()
        .collect(Collectors.groupingBy(Answer::ret, TreeMap::new, Collectors.counting()));
  }
}
