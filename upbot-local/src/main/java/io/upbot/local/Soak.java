package io.upbot.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.upbot.job.JobSettings;
import io.upbot.job.sink.JdbcSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * {@code ./upbot soak}: the local stack in this JVM, driven at half of a given or measured maximum
 * rate with distinct journeys. Every few seconds it samples the heap after a GC, the job's state
 * (the size of its latest checkpoint), the events accepted and the events counted; at the end it
 * waits for the job to catch up and checks that every accepted event is counted once and that
 * neither heap nor state grew by more than a margin over the second half.
 *
 * <p>The job runs with a short session gap, allowed lateness and watermark bound, and journeys last
 * about a second: with the defaults (30 min, 24 h, 2 min) a journey's state lives a day, so state
 * can only be flat after a day. The code paths are the same; only the clock is faster.
 */
public final class Soak {

  /** The job settings that make a journey's state expire within seconds of its last event. */
  public static final UnaryOperator<JobSettings> SHORT_LIVED_STATE =
      s -> s.withTimes(Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(2));

  private static final String APPID = "upbot-soak";
  private static final double JOURNEY_TIME_SCALE = 0.02;
  private static final Duration MEASURE_FOR = Duration.ofSeconds(10);
  private static final double MEASURE_OFFERED = 20_000;
  private static final int MAX_IN_FLIGHT = 64;
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What to run. {@code maxRate} null: measure it first (10 s of saturation). Margins are fractions
   * (0.2 = the second half may grow by 20%).
   */
  public record Options(
      Duration duration,
      Double maxRate,
      int batch,
      Duration sampleEvery,
      double heapMargin,
      double stateMargin,
      Path dataDir,
      Duration catchUp) {}

  /** One sample; {@code stateBytes} is -1 before the first checkpoint completes. */
  public record Sample(
      double atSeconds, long heapBytes, long stateBytes, long accepted, long counted) {}

  /** What the soak measured and found. */
  public record Result(
      double maxRate,
      double rate,
      List<Sample> samples,
      long accepted,
      long unsure,
      long counted,
      long deadLettered,
      Map<String, Long> answers,
      double heapGrowth,
      double stateGrowth,
      Duration caughtUpAfter,
      List<String> failures) {

    public boolean passed() {
      return failures.isEmpty();
    }

    /** The table and the verdict, as printed at the end. */
    public String render() {
      StringBuilder b = new StringBuilder();
      b.append(
          String.format(
              "%8s %10s %10s %12s %12s%n",
              "t (s)", "heap MiB", "state KiB", "accepted", "counted"));
      for (Sample s : samples) {
        b.append(
            String.format(
                "%8.0f %10.1f %10s %12d %12d%n",
                s.atSeconds(),
                s.heapBytes() / 1048576.0,
                s.stateBytes() < 0 ? "-" : String.format("%.1f", s.stateBytes() / 1024.0),
                s.accepted(),
                s.counted()));
      }
      b.append(
          String.format(
              "rate: %.0f events/s (half of %.0f)  answers by ret: %s%n", rate, maxRate, answers));
      b.append(
          String.format(
              "accepted %d, counted %d, answered otherwise %d, dead-lettered %d; caught up %.1f s after the load stopped%n",
              accepted, counted, unsure, deadLettered, caughtUpAfter.toMillis() / 1000.0));
      b.append(
          String.format(
              "second half: heap %+.1f%%, state %s%n",
              100 * heapGrowth,
              Double.isNaN(stateGrowth) ? "unknown" : String.format("%+.1f%%", 100 * stateGrowth)));
      b.append(passed() ? "soak passed\n" : "soak FAILED: " + String.join("; ", failures) + "\n");
      return b.toString();
    }
  }

  private final Options options;
  private final PrintStream out;
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final HttpClient http = HttpClient.newHttpClient();

  private Soak(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /** Starts the stack, runs the soak, stops the stack. */
  public static Result run(Options options, PrintStream out) throws Exception {
    return new Soak(options, out).run();
  }

  private Result run() throws Exception {
    LocalStack.Options stackOptions =
        new LocalStack.Options(
                0,
                0,
                0,
                options.dataDir(),
                null,
                null,
                null,
                null,
                false,
                "upbot.media-events",
                Duration.ofSeconds(5))
            .withJobTuning(SHORT_LIVED_STATE);
    try (LocalStack stack = LocalStack.start(stackOptions, out)) {
      ReportPoster poster = new ReportPoster(stack.apiUrl(), stack.token(), Duration.ofSeconds(10));
      TableCounts tables = new TableCounts(JdbcSettings.defaults(stack.jdbcUrl()));
      JourneyGenerator journeys =
          new JourneyGenerator(
              System.nanoTime(), APPID, List.of("soak-a", "soak-b", "soak-c"), JOURNEY_TIME_SCALE);
      long acceptedBefore = warmUp(poster, journeys, tables);
      long unsureBefore = 0;
      double maxRate;
      if (options.maxRate() != null) {
        maxRate = options.maxRate();
      } else {
        out.printf("measuring the maximum rate for %d s…%n", MEASURE_FOR.toSeconds());
        SteadyLoad probe =
            SteadyLoad.start(
                poster, journeys, MEASURE_OFFERED, options.batch(), MAX_IN_FLIGHT, (b, r, l) -> {});
        awaitFor(MEASURE_FOR);
        probe.close();
        maxRate = probe.accepted() / (double) MEASURE_FOR.toSeconds();
        acceptedBefore += probe.accepted();
        unsureBefore += probe.unsure();
        out.printf("maximum: %.0f events/s accepted%n", maxRate);
      }
      double rate = maxRate / 2;
      out.printf("soak: %.0f events/s for %s%n", rate, options.duration());
      List<Sample> samples = new ArrayList<>();
      SteadyLoad load =
          SteadyLoad.start(poster, journeys, rate, options.batch(), MAX_IN_FLIGHT, (b, r, l) -> {});
      long start = System.nanoTime();
      long end = start + options.duration().toNanos();
      try {
        for (long next = start + options.sampleEvery().toNanos();
            next <= end;
            next += options.sampleEvery().toNanos()) {
          awaitFor(Duration.ofNanos(next - System.nanoTime()));
          Sample s =
              new Sample(
                  (System.nanoTime() - start) / 1e9,
                  heapAfterGc(),
                  stateBytes(stack),
                  acceptedBefore + load.accepted(),
                  countedOrZero(tables));
          samples.add(s);
          out.printf(
              "%6.0fs  heap %7.1f MiB  state %s  accepted %d  counted %d%n",
              s.atSeconds(),
              s.heapBytes() / 1048576.0,
              s.stateBytes() < 0 ? "-" : s.stateBytes() / 1024 + " KiB",
              s.accepted(),
              s.counted());
        }
      } finally {
        load.close();
      }
      long accepted = acceptedBefore + load.accepted();
      long unsure = unsureBefore + load.unsure();
      long stopped = System.nanoTime();
      long counted = awaitCaughtUp(tables, accepted, unsure);
      Duration caughtUp = Duration.ofNanos(System.nanoTime() - stopped);
      long deadLettered = tables.deadLetters(APPID);
      return verdict(
          maxRate,
          rate,
          samples,
          accepted,
          unsure,
          counted,
          deadLettered,
          load.answers(),
          caughtUp);
    }
  }

  /**
   * Posts one batch and waits until the job counts it, so that the soak measures a running
   * pipeline, not its start. Returns the events accepted.
   */
  private long warmUp(ReportPoster poster, JourneyGenerator journeys, TableCounts tables)
      throws InterruptedException {
    ReportBody first = journeys.batch(System.currentTimeMillis(), options.batch());
    String ret = poster.postAndWait(first.toJson());
    if (!ReportPoster.ACCEPTED.equals(ret)) {
      throw new IllegalStateException("the first batch was answered " + ret + ", not 0");
    }
    long deadline = System.nanoTime() + options.catchUp().toNanos();
    while (countedOrZero(tables) < first.items().size()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the job did not count the first batch in " + options.catchUp());
      }
      awaitFor(Duration.ofMillis(200));
    }
    return first.items().size();
  }

  private Result verdict(
      double maxRate,
      double rate,
      List<Sample> samples,
      long accepted,
      long unsure,
      long counted,
      long deadLettered,
      Map<String, Long> answers,
      Duration caughtUp) {
    List<String> failures = new ArrayList<>();
    if (counted < accepted) {
      failures.add((accepted - counted) + " accepted event(s) not counted");
    }
    if (counted > accepted + unsure) {
      failures.add((counted - accepted - unsure) + " event(s) counted more than once");
    }
    if (deadLettered > 0) {
      failures.add(deadLettered + " event(s) dead-lettered");
    }
    double heapGrowth = growthOverSecondHalf(samples, Sample::heapBytes);
    double stateGrowth = growthOverSecondHalf(samples, Sample::stateBytes);
    if (heapGrowth > options.heapMargin()) {
      failures.add(
          String.format(
              "heap grew %.1f%% over the second half (margin %.0f%%)",
              100 * heapGrowth, 100 * options.heapMargin()));
    }
    if (Double.isNaN(stateGrowth)) {
      failures.add("no checkpoint size in the second half: state not measured");
    } else if (stateGrowth > options.stateMargin()) {
      failures.add(
          String.format(
              "state grew %.1f%% over the second half (margin %.0f%%)",
              100 * stateGrowth, 100 * options.stateMargin()));
    }
    return new Result(
        maxRate,
        rate,
        List.copyOf(samples),
        accepted,
        unsure,
        counted,
        deadLettered,
        answers,
        heapGrowth,
        stateGrowth,
        caughtUp,
        List.copyOf(failures));
  }

  /** The fewest samples a median of {@link #growthOverSecondHalf} takes, where there are enough. */
  private static final int MIN_SAMPLES_PER_END = 3;

  /**
   * Growth from the start of the second half to its end: the median of the first quarter of its
   * samples against the median of the last quarter (medians, so one sample taken mid-checkpoint
   * does not decide), each of at least three samples where the half has six: a one-minute soak's
   * second half has about seven, whose quarter would be a single sample. NaN when a value is
   * unknown.
   */
  static double growthOverSecondHalf(
      List<Sample> samples, java.util.function.ToLongFunction<Sample> value) {
    if (samples.isEmpty()) {
      return Double.NaN;
    }
    double half = samples.get(samples.size() - 1).atSeconds() / 2;
    List<Long> second =
        samples.stream().filter(s -> s.atSeconds() >= half).map(value::applyAsLong).toList();
    int quarter =
        Math.max(1, Math.max(Math.min(MIN_SAMPLES_PER_END, second.size() / 2), second.size() / 4));
    long from = median(second.subList(0, quarter));
    long to = median(second.subList(second.size() - quarter, second.size()));
    if (from <= 0 || to < 0) {
      return Double.NaN;
    }
    return (to - from) / (double) from;
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  /**
   * Waits until every accepted event is counted and the count holds still, or the catch-up time
   * ends.
   */
  private long awaitCaughtUp(TableCounts tables, long accepted, long unsure)
      throws InterruptedException {
    long deadline = System.nanoTime() + options.catchUp().toNanos();
    long last = -1;
    int stillFor = 0;
    while (System.nanoTime() < deadline) {
      long counted = countedOrZero(tables);
      // With nothing answered otherwise, reaching the accepted count is the end; otherwise wait for
      // the count to stop moving, as some of those batches may have been stored after all.
      if (counted >= accepted && (unsure == 0 || (counted == last && ++stillFor >= 5))) {
        return counted;
      }
      if (counted != last) {
        stillFor = 0;
      }
      last = counted;
      awaitFor(Duration.ofSeconds(1));
    }
    return countedOrZero(tables);
  }

  private static long countedOrZero(TableCounts tables) {
    try {
      return tables.countedEvents(APPID);
    } catch (SQLException notYet) {
      return 0;
    }
  }

  /** Heap in use right after a full GC: what the process keeps, not what it has yet to collect. */
  private long heapAfterGc() {
    memory.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  /**
   * The state size of the job's latest completed checkpoint, from the Flink REST API; if the API
   * does not say, the size of the newest checkpoint directory; -1 before the first checkpoint.
   */
  private long stateBytes(LocalStack stack) {
    try {
      URI uri =
          URI.create(
              "http://127.0.0.1:"
                  + stack.webPort()
                  + "/jobs/"
                  + stack.job().getJobID()
                  + "/checkpoints");
      HttpResponse<byte[]> r =
          http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      JsonNode size = JSON.readTree(r.body()).path("latest").path("completed").path("state_size");
      if (size.isNumber()) {
        return size.asLong();
      }
    } catch (IOException e) {
      // Fall back to the checkpoint directory below.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
    return newestCheckpointSize(options.dataDir().resolve("checkpoints")).orElse(-1);
  }

  private static OptionalLong newestCheckpointSize(Path checkpoints) {
    try (Stream<Path> all = Files.walk(checkpoints, 2)) {
      Path newest =
          all.filter(p -> p.getFileName().toString().startsWith("chk-"))
              .max(
                  Comparator.comparingLong(
                      p -> Long.parseLong(p.getFileName().toString().substring(4))))
              .orElse(null);
      if (newest == null) {
        return OptionalLong.empty();
      }
      try (Stream<Path> files = Files.walk(newest)) {
        return OptionalLong.of(
            files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum());
      }
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** Parks this thread for {@code d} (the soak's own pacing; nothing else to wait on). */
  private static void awaitFor(Duration d) throws InterruptedException {
    if (!d.isNegative()) {
      Thread.sleep(d.toMillis());
    }
  }
}
