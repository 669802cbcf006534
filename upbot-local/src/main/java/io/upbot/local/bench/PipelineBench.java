package io.upbot.local.bench;

import io.upbot.job.JobSettings;
import io.upbot.job.sink.JdbcSettings;
import io.upbot.local.CliArgs;
import io.upbot.local.JourneyGenerator;
import io.upbot.local.LocalStack;
import io.upbot.local.ReportBody;
import io.upbot.local.ReportPoster;
import io.upbot.local.SteadyLoad;
import io.upbot.local.TableCounts;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * {@code ./upbot bench pipeline}: the whole local stack as {@code ./upbot local} runs it (a broker
 * process, the endpoint, the job on an embedded Flink cluster, SQLite), in this process, on a data
 * dir of its own. In one run:
 *
 * <ol>
 *   <li>the load generator's own ceiling, against a server that answers 0 without reading;
 *   <li>the endpoint alone: the most distinct events per second it answers 0, measured before the
 *       job starts (the job then starts at the topic's end, so it never reads these events); both
 *       this and the generator's ceiling are measured once their rate stops rising ({@link
 *       IngestRounds#warmUntilSteady}), as the ingest bench's are;
 *   <li>the sustained pipeline rate, once the whole stack's accepted rate stops rising under the
 *       endpoint's maximum: a bisection on the offered rate of fresh journeys, each step passing
 *       when every event answered 0 is counted in the tables within 10 s after the load stops;
 *   <li>freshness at half the endpoint's maximum: from a probe event's {@code ret 0} to its row;
 *   <li>freshness again at half the sustained pipeline rate, a load the stack has room for.
 * </ol>
 */
final class PipelineBench {

  /** The longest a step's accepted events may take to reach the tables once the load stops. */
  static final Duration KEEP_UP = Duration.ofSeconds(10);

  private static final Duration DRAIN = Duration.ofMinutes(3);
  private static final double RESOLUTION = 0.05;
  private static final int MAX_IN_FLIGHT = 64;
  private static final int SATURATING_LANES = 64;
  private static final Duration PROBE_EVERY = Duration.ofMillis(100);
  private static final Duration PROBE_POLL = Duration.ofMillis(20);
  private static final String COMMON_POOL_PARALLELISM =
      "java.util.concurrent.ForkJoinPool.common.parallelism";
  private static final List<String> CODES = List.of("bench-a", "bench-b", "bench-c");

  static final String HELP =
      String.join(
          "\n",
          "usage: ./upbot bench pipeline [--seconds 60] [--step-seconds 15] [--batch 20]"
              + " [--warmup-windows 12] [--data-dir .upbot]",
          "  --seconds N       load time of the rate search (steps of --step-seconds)",
          "  --step-seconds N  one step of the search; also the length of each other phase",
          "  --batch N         events per request",
          "  --warmup-windows N  the generator, the endpoint alone and then the whole stack each"
              + " run in windows of up to 5 s until their rate stops rising (at most N windows, at"
              + " least 3; 0: none) before they are measured",
          "  --data-dir DIR    the report goes to DIR/bench/, the stack runs in"
              + " DIR/bench/pipeline-stack (deleted after)",
          "  to compare a job setting with the local stack's:"
              + " --parallelism N, --flush-interval 1s, --jdbc-batch-interval 200ms,"
              + " --checkpoint-interval 30s, --state-backend hashmap|rocksdb",
          "");

  /** What to run. */
  record Options(
      int seconds,
      int stepSeconds,
      int batch,
      int warmupWindows,
      Path dataDir,
      PipelineTuning tuning) {

    int maxSteps() {
      return Math.max(1, seconds / stepSeconds);
    }

    /** One warm-up window: 5 s, or a step where steps are shorter (as in tests). */
    Duration warmupWindow() {
      return Duration.ofSeconds(Math.min(5, stepSeconds));
    }
  }

  private final Options options;
  private final PrintStream out;
  private final String tag = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);

  private PipelineBench(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  static int run(String[] args, PrintStream out) throws Exception {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("help"))) {
      out.print(HELP);
      return 0;
    }
    Options o = parse(args);
    spareTheGeneratorAThreadPerRequest(out);
    Instant started = Instant.now();
    BenchReport report = new PipelineBench(o, out).measure(started);
    report.print(out);
    out.println("written to " + report.write(o.dataDir()));
    return 0;
  }

  /**
   * The JDK's HTTP client completes every {@code sendAsync} on CompletableFuture's default
   * executor, which, with a common pool of parallelism 1 (any 2-core machine), starts a new thread
   * for each task: a thread per request, which made the load generator the bottleneck (its own
   * ceiling fell below the endpoint's). A common pool of a few threads makes it reuse them; this
   * works when nothing in this process has used CompletableFuture yet, as in {@code ./upbot}.
   */
  private static void spareTheGeneratorAThreadPerRequest(PrintStream out) {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM, "4");
    }
    if (!(new CompletableFuture<Void>().defaultExecutor() instanceof ForkJoinPool)) {
      out.println(
          "note: HTTP answers are completed on a new thread each (a common pool of parallelism "
              + ForkJoinPool.getCommonPoolParallelism()
              + "); -D"
              + COMMON_POOL_PARALLELISM
              + "=4 on the java command line avoids it");
    }
  }

  static Options parse(String[] args) {
    CliArgs a =
        CliArgs.parse(
            args,
            Set.of(
                "seconds",
                "step-seconds",
                "batch",
                "warmup-windows",
                "data-dir",
                "parallelism",
                "flush-interval",
                "jdbc-batch-interval",
                "checkpoint-interval",
                "state-backend"),
            Set.of());
    int seconds = a.integer("seconds", 60, 1, 3600);
    int step = a.integer("step-seconds", 15, 1, 600);
    int batch = a.integer("batch", 20, 1, 500);
    int warmupWindows = a.integer("warmup-windows", IngestRounds.MAX_WARMUP_WINDOWS, 0, 100);
    Path dir = Path.of(a.string("data-dir", ".upbot"));
    Integer parallelism = a.has("parallelism") ? a.integer("parallelism", 1, 1, 64) : null;
    Duration flush = a.has("flush-interval") ? a.duration("flush-interval", null) : null;
    Duration jdbc = a.has("jdbc-batch-interval") ? a.duration("jdbc-batch-interval", null) : null;
    Duration checkpoints =
        a.has("checkpoint-interval") ? a.duration("checkpoint-interval", null) : null;
    String backend = a.has("state-backend") ? a.string("state-backend", null) : null;
    if (backend != null && !backend.equals("hashmap") && !backend.equals("rocksdb")) {
      a.error("--state-backend: must be hashmap or rocksdb, not " + backend);
    }
    if (flush != null && flush.toMillis() < 1) {
      a.error("--flush-interval: must be at least 1ms");
    }
    if (step > seconds) {
      a.error("--step-seconds: must not exceed --seconds (" + seconds + ")");
    }
    a.failOnErrors("bench pipeline");
    return new Options(
        seconds,
        step,
        batch,
        warmupWindows,
        dir,
        new PipelineTuning(parallelism, flush, jdbc, checkpoints, backend));
  }

  private BenchReport measure(Instant started) throws Exception {
    Duration phase = Duration.ofSeconds(options.stepSeconds());
    Path stackDir = options.dataDir().toAbsolutePath().resolve("bench").resolve("pipeline-stack");
    if (Files.exists(stackDir)) {
      LocalStack.deleteRecursively(stackDir);
    }
    BenchReport report = new BenchReport("pipeline", started);
    report.put("batch", "events per request", options.batch());
    AtomicReference<JobSettings> jobSettings = new AtomicReference<>();
    LocalStack.Options stackOptions =
        new LocalStack.Options(
                0,
                0,
                0,
                stackDir,
                null,
                null,
                null,
                null,
                false,
                "upbot.media-events",
                LocalStack.DEFAULT_CHECKPOINT_INTERVAL)
            .withJobTuning(
                s -> {
                  JobSettings tuned = options.tuning().apply().apply(s);
                  jobSettings.set(tuned);
                  return tuned;
                });
    try {
      out.printf("load generator against a server that answers 0 at once, %s…%n", phase);
      Saturation generatorAlone = generatorCeiling(phase, new PipelineCpu(Path.of("/nonexistent")));
      double generator = generatorAlone.perSecond();
      out.printf("  %,.0f events/s%n", generator);

      try (LocalStack stack = LocalStack.startWithoutJob(stackOptions, out)) {
        ReportPoster poster =
            new ReportPoster(stack.apiUrl(), stack.token(), Duration.ofSeconds(10));
        PipelineCpu cpu = new PipelineCpu(stackDir.resolve("kafka").resolve("broker.pid"));
        out.printf("the endpoint alone (the job not started yet), %s…%n", phase);
        Saturation alone = saturate(poster, generator("endpoint"), phase, cpu);
        double endpoint = alone.perSecond();
        double aloneMicros = alone.cpu().microsPerEvent(alone.events());
        out.printf(
            Locale.ROOT,
            "  %,.0f events/s; CPU %.1f µs an event: %s%n",
            endpoint,
            aloneMicros,
            alone.cpu().top(8, alone.events()));

        stack.startJob();
        JobSettings job = jobSettings.get();
        report
            .put(
                "job_parallelism",
                "job parallelism",
                job.parallelism() == null ? "cluster default" : job.parallelism())
            .put(
                "checkpoint_interval_ms",
                "checkpoint interval (ms)",
                job.checkpointInterval().toMillis())
            .put("flush_interval_ms", "row flush interval (ms)", job.flushInterval().toMillis())
            .put(
                "jdbc_batch_interval_ms",
                "JDBC batch interval (ms)",
                job.jdbcBatchInterval().toMillis())
            .put("state_backend", "job state backend", job.stateBackend());
        TableCounts tables = new TableCounts(JdbcSettings.defaults(stack.jdbcUrl()));
        String warmPipeline = warmUp(poster, tables, endpoint);

        PipelineRateSearch search =
            new PipelineRateSearch(endpoint, RESOLUTION, options.maxSteps());
        List<PipelineRateSearch.Step> steps = new ArrayList<>();
        List<Map<String, Object>> stepFigures = new ArrayList<>();
        List<StepResult> results = new ArrayList<>();
        for (OptionalDouble next = search.next(steps);
            next.isPresent();
            next = search.next(steps)) {
          StepResult r =
              step(poster, tables, "s" + (steps.size() + 1), next.getAsDouble(), phase, cpu);
          steps.add(r.step());
          stepFigures.add(r.figures());
          results.add(r);
        }
        double sustained = PipelineRateSearch.sustained(steps);
        // The CPU an event costs through the whole stack, from the busiest step that kept up.
        StepResult busiest =
            results.stream()
                .filter(r -> r.step().keptUp())
                .max(Comparator.comparingDouble(r -> r.step().acceptedPerSecond()))
                .orElse(results.get(results.size() - 1));
        double pipelineMicros = busiest.cpu().microsPerEvent(busiest.accepted());

        out.printf(
            "freshness: %,.0f events/s (half the endpoint's maximum) and a probe every %d ms…%n",
            endpoint / 2, PROBE_EVERY.toMillis());
        Freshness fresh =
            freshness(poster, tables, stack.jdbcUrl(), endpoint / 2, phase, "fresh", "probe");
        // The goal's load can exceed what the whole stack keeps up with (the endpoint alone is
        // faster than the stack by more than 2x on a 2-core machine): then its figures measure a
        // backlog. This one is what rows lag behind at a load the stack has room for.
        // A batch a second at least, should no step have kept up.
        double roomyRate = Math.max(options.batch(), sustained / 2);
        out.printf(
            "freshness: %,.0f events/s (half the whole stack's sustained rate)…%n", roomyRate);
        Freshness roomy =
            freshness(
                poster,
                tables,
                stack.jdbcUrl(),
                roomyRate,
                phase,
                "fresh-half-stack",
                "probe-half-stack");

        report
            .put(
                "warmup_generator",
                "load generator's warm-up windows (events/s)",
                generatorAlone.warmup())
            .put("warmup_endpoint", "endpoint alone's warm-up windows (events/s)", alone.warmup())
            .put(
                "warmup_pipeline",
                "whole stack's warm-up windows (accepted events/s)",
                warmPipeline)
            .put(
                "generator_ceiling_events_per_s",
                "load generator alone (events/s)",
                round(generator))
            .put(
                "endpoint_max_events_per_s",
                "endpoint alone, job not started (events/s)",
                round(endpoint))
            .put(
                "pipeline_sustained_events_per_s",
                "whole stack, job keeping up (distinct events/s)",
                round(sustained))
            .ratio("pipeline_to_endpoint", "pipeline / endpoint alone", sustained, endpoint)
            .ratio("generator_to_endpoint", "load generator / endpoint alone", generator, endpoint)
            .put(
                "cpu_us_per_event_endpoint",
                "CPU µs an event, endpoint alone (+ broker, generator)",
                round1(aloneMicros))
            .put(
                "cpu_us_per_event_pipeline",
                "CPU µs an event, whole stack (busiest step kept up)",
                round1(pipelineMicros))
            .ratio(
                "cpu_endpoint_to_pipeline",
                "CPU an event: endpoint alone / whole stack",
                aloneMicros,
                pipelineMicros)
            .put(
                "cpu_us_per_event_endpoint_by_thread",
                "  endpoint alone, by thread (µs an event)",
                alone.cpu().top(10, alone.events()))
            .put(
                "cpu_us_per_event_pipeline_by_thread",
                "  whole stack, by thread (µs an event)",
                busiest.cpu().top(14, busiest.accepted()))
            .put(
                "cpu_us_per_event_pipeline_jvm_threads",
                "  whole stack, the JVM's own threads by kind (µs an event)",
                busiest.cpu().jvmThreads(busiest.accepted()))
            .put("search_steps", "steps (offered → accepted, caught up)", stepFigures)
            .put("freshness_load_events_per_s", "freshness: load (events/s)", round(fresh.rate()))
            .put("freshness_probes", "freshness: probes answered 0", fresh.result().probes())
            .put(
                "freshness_probes_missing",
                "freshness: probes without a row after 30 s",
                fresh.result().missing())
            .put("freshness_p50_ms", "freshness p50 (ms, answer → row)", percentile(fresh, 50))
            .put("freshness_p99_ms", "freshness p99 (ms)", percentile(fresh, 99))
            .put(
                "freshness_max_ms",
                "freshness max (ms)",
                fresh.result().millis().getTotalCount() == 0
                    ? 0L
                    : fresh.result().millis().getMaxValue())
            .put(
                "freshness_load_kept_up",
                "freshness: load counted within 10 s of its end",
                fresh.keptUp())
            .put(
                "freshness_half_stack_load_events_per_s",
                "freshness at half the whole stack's rate: load (events/s)",
                round(roomy.rate()))
            .put(
                "freshness_half_stack_p50_ms",
                "freshness at half the whole stack's rate: p50 (ms)",
                percentile(roomy, 50))
            .put(
                "freshness_half_stack_p99_ms",
                "freshness at half the whole stack's rate: p99 (ms)",
                percentile(roomy, 99))
            .put(
                "freshness_half_stack_probes_missing",
                "freshness at half the whole stack's rate: probes without a row after 30 s",
                roomy.result().missing());
      }
    } finally {
      if (Files.exists(stackDir)) {
        LocalStack.deleteRecursively(stackDir);
      }
    }
    return report;
  }

  private static long percentile(Freshness f, double p) {
    return f.result().millis().getTotalCount() == 0
        ? 0L
        : f.result().millis().getValueAtPercentile(p);
  }

  private static double round(double v) {
    return Math.round(v);
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private JourneyGenerator generator(String what) {
    return new JourneyGenerator(System.nanoTime(), appid(what), CODES);
  }

  private String appid(String what) {
    return "bench-" + tag + "-" + what;
  }

  /** The load generator against a server that answers 0 without reading the events. */
  private Saturation generatorCeiling(Duration phase, PipelineCpu cpu) throws Exception {
    try (PipelineNullServer server = PipelineNullServer.start()) {
      ReportPoster poster = new ReportPoster(server.url(), "none", Duration.ofSeconds(10));
      return saturate(poster, generator("null"), phase, cpu);
    }
  }

  /**
   * What a saturating load got: events answered 0 per second over the measured window, and the
   * rates of the warm-up windows before it (printed, as {@code 61234 88410 90102}).
   */
  record Saturation(double perSecond, long events, PipelineCpu.Snapshot cpu, String warmup) {}

  /**
   * Keeps {@link #SATURATING_LANES} requests in flight, each lane posting its next batch of fresh
   * journeys as soon as its last is answered: first in windows until the rate stops rising ({@link
   * IngestRounds#warmUntilSteady}), then for {@code measure}, the window counted. A fixed third of
   * a step (5 s) measured the ingest bench's endpoint at about two thirds of its steady rate, which
   * flattered {@code pipeline / endpoint alone} and ran the freshness phase below half the
   * endpoint's maximum.
   */
  private Saturation saturate(
      ReportPoster poster, JourneyGenerator journeys, Duration measure, PipelineCpu cpu)
      throws Exception {
    LongAdder accepted = new LongAdder();
    Map<String, LongAdder> answers = new java.util.concurrent.ConcurrentHashMap<>();
    Semaphore lanesDone = new Semaphore(0);
    AtomicBoolean stop = new AtomicBoolean();
    for (int i = 0; i < SATURATING_LANES; i++) {
      postInLane(poster, journeys, stop, accepted, answers, lanesDone);
    }
    String warmup;
    long from;
    long to;
    double seconds;
    PipelineCpu.Snapshot spent;
    try {
      warmup = warm(accepted::sum);
      PipelineCpu.Snapshot before = cpu.snapshot();
      from = accepted.sum();
      long t0 = System.nanoTime();
      Thread.sleep(measure.toMillis());
      to = accepted.sum();
      seconds = (System.nanoTime() - t0) / 1e9;
      spent = cpu.snapshot().minus(before);
    } finally {
      stop.set(true);
      lanesDone.tryAcquire(SATURATING_LANES, 30, TimeUnit.SECONDS);
    }
    Map<String, Long> byRet = new java.util.TreeMap<>();
    answers.forEach((k, v) -> byRet.put(k, v.sum()));
    out.printf("  answers by ret: %s%n", byRet);
    return new Saturation((to - from) / seconds, to - from, spent, warmup);
  }

  /**
   * Watches a running load in warm-up windows until the rate at which {@code accepted} grows stops
   * rising; the windows' rates, printed.
   */
  private String warm(LongSupplier accepted) throws Exception {
    if (options.warmupWindows() == 0) {
      return "";
    }
    Duration window = options.warmupWindow();
    List<Double> rates =
        IngestRounds.warmUntilSteady(
            () -> {
              long a = accepted.getAsLong();
              long t0 = System.nanoTime();
              Thread.sleep(window.toMillis());
              return (accepted.getAsLong() - a) / ((System.nanoTime() - t0) / 1e9);
            },
            options.warmupWindows());
    String listed = IngestRounds.listed(rates);
    out.printf(
        Locale.ROOT,
        "  warm-up, %d s windows until the rate stops rising: %s%n",
        window.toSeconds(),
        listed);
    return listed;
  }

  private void postInLane(
      ReportPoster poster,
      JourneyGenerator journeys,
      AtomicBoolean stop,
      LongAdder accepted,
      Map<String, LongAdder> answers,
      Semaphore lanesDone) {
    if (stop.get()) {
      lanesDone.release();
      return;
    }
    ReportBody body;
    synchronized (journeys) {
      body = journeys.batch(System.currentTimeMillis(), options.batch());
    }
    poster
        .post(body.toJson())
        .whenComplete(
            (ret, err) -> {
              String r = err != null ? "error:" + err.getClass().getSimpleName() : ret;
              answers.computeIfAbsent(r, k -> new LongAdder()).increment();
              if (ReportPoster.ACCEPTED.equals(r)) {
                accepted.add(body.items().size());
              }
              postInLane(poster, journeys, stop, accepted, answers, lanesDone);
            });
  }

  /**
   * Waits until the job counts a first batch (its source may take a moment to find the topic's
   * end), then offers {@code rate} of fresh journeys until the accepted rate, watched in warm-up
   * windows, stops rising ({@link IngestRounds#warmUntilSteady}), and waits for the job to count
   * those events, so that the search measures a warm pipeline: with one half-step at a quarter of
   * the endpoint's rate, the job's CPU an event still fell from 39 to 24 µs over the search's first
   * three steps.
   *
   * @return the windows' accepted rates, printed
   */
  private String warmUp(ReportPoster poster, TableCounts tables, double rate) throws Exception {
    out.println("warming up the pipeline…");
    JourneyGenerator first = generator("first");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (counted(tables, appid("first")) == 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the job counted no event in 2 minutes");
      }
      poster.postAndWait(first.batch(System.currentTimeMillis(), options.batch()).toJson());
      Thread.sleep(1000);
    }
    if (options.warmupWindows() == 0) {
      return "";
    }
    String appid = appid("warm");
    SteadyLoad load = freshJourneys(poster, appid, rate);
    String listed;
    try {
      listed = warm(load::accepted);
    } finally {
      load.close();
    }
    // One drain at the end, not one a window: a job that falls behind (RocksDB state) would
    // otherwise drain for minutes between windows.
    long drained = awaitCounted(tables, appid, load.accepted(), DRAIN);
    out.printf(
        Locale.ROOT,
        "  its %,d events counted %s%n",
        load.accepted(),
        drained >= 0
            ? String.format(Locale.ROOT, "%.1f s after the load stopped", drained / 1e9)
            : "not within " + DRAIN);
    return listed;
  }

  /** Starts offering {@code rate} events/s of fresh journeys under {@code appid}. */
  private SteadyLoad freshJourneys(ReportPoster poster, String appid, double rate) {
    return SteadyLoad.start(
        poster,
        new JourneyGenerator(System.nanoTime(), appid, CODES),
        rate,
        options.batch(),
        MAX_IN_FLIGHT,
        (b, r, l) -> {});
  }

  /** One step of the search: its verdict, and its figures for the report. */
  record StepResult(
      PipelineRateSearch.Step step,
      Map<String, Object> figures,
      long accepted,
      PipelineCpu.Snapshot cpu) {}

  /**
   * Offers {@code rate} events/s of fresh journeys for {@code length}, then waits up to {@link
   * #KEEP_UP} for every event answered 0 to be counted; a step that did not keep up is drained
   * before the next.
   */
  private StepResult step(
      ReportPoster poster,
      TableCounts tables,
      String name,
      double rate,
      Duration length,
      PipelineCpu cpu)
      throws Exception {
    String appid = appid(name);
    PipelineCpu.Snapshot before = cpu.snapshot();
    long t0 = System.nanoTime();
    SteadyLoad load = freshJourneys(poster, appid, rate);
    Thread.sleep(length.toMillis());
    double seconds = (System.nanoTime() - t0) / 1e9;
    // The load's thread (it builds the bodies) ends with it: seen here, it counts as the load's.
    PipelineCpu.Snapshot loadStopping = cpu.snapshot();
    load.close();
    long accepted = load.accepted();
    long stopped = System.nanoTime();
    long caughtUpNanos = awaitCounted(tables, appid, accepted, KEEP_UP);
    boolean keptUp = caughtUpNanos >= 0;
    PipelineCpu.Snapshot spent = cpu.snapshot().keeping(loadStopping).minus(before);
    double perSecond = accepted / seconds;
    out.printf(
        Locale.ROOT,
        "  step %-4s offered %,8.0f/s  accepted %,8.0f/s  %s  answers %s  CPU %.1f µs an event%n",
        name,
        rate,
        perSecond,
        keptUp
            ? String.format(
                Locale.ROOT, "counted %.1f s after the load stopped", caughtUpNanos / 1e9)
            : "NOT counted within " + KEEP_UP.toSeconds() + " s",
        load.answers(),
        spent.microsPerEvent(accepted));
    if (!keptUp) {
      long drained = awaitCounted(tables, appid, accepted, DRAIN);
      out.printf(
          Locale.ROOT,
          "       drained %s%n",
          drained >= 0
              ? String.format(
                  Locale.ROOT, "%.1f s after the load stopped", (System.nanoTime() - stopped) / 1e9)
              : "not within " + DRAIN);
    }
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("offered_events_per_s", round(rate));
    figures.put("accepted_events_per_s", round(perSecond));
    figures.put("kept_up", keptUp);
    figures.put("counted_after_ms", keptUp ? caughtUpNanos / 1_000_000 : null);
    figures.put("cpu_us_per_event", round1(spent.microsPerEvent(accepted)));
    return new StepResult(
        new PipelineRateSearch.Step(rate, perSecond, keptUp), figures, accepted, spent);
  }

  /**
   * Nanoseconds until {@code appid} counts {@code accepted} events, or -1 after {@code timeout}.
   */
  private static long awaitCounted(
      TableCounts tables, String appid, long accepted, Duration timeout)
      throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    while (true) {
      if (counted(tables, appid) >= accepted) {
        return System.nanoTime() - start;
      }
      if (System.nanoTime() > deadline) {
        return -1;
      }
      Thread.sleep(100);
    }
  }

  private static long counted(TableCounts tables, String appid) {
    try {
      return tables.countedEvents(appid);
    } catch (SQLException notYet) {
      return 0;
    }
  }

  /** Freshness figures and the load they were measured under. */
  record Freshness(double rate, FreshnessProbes.Result result, boolean keptUp) {}

  /**
   * Loads the endpoint at {@code rate} and, after a few seconds, posts probes for two phases; then
   * stops both and waits for the probes' rows, and for the load to drain if it fell behind. The
   * load and the probes post under appids named {@code loadName} and {@code probeName}, each
   * phase's own, so that one phase's rows never count for another's.
   */
  private Freshness freshness(
      ReportPoster poster,
      TableCounts tables,
      String jdbcUrl,
      double rate,
      Duration phase,
      String loadName,
      String probeName)
      throws Exception {
    String appid = appid(loadName);
    SteadyLoad load = freshJourneys(poster, appid, rate);
    FreshnessProbes.Result result;
    boolean keptUp;
    try {
      Thread.sleep(Math.min(5_000, phase.toMillis() / 3));
      try (FreshnessProbes probes =
          FreshnessProbes.start(
              poster, JdbcSettings.defaults(jdbcUrl), appid(probeName), PROBE_EVERY, PROBE_POLL)) {
        Thread.sleep(phase.multipliedBy(2).toMillis());
        load.close();
        probes.stopPosting();
        keptUp = awaitCounted(tables, appid, load.accepted(), KEEP_UP) >= 0;
        result = probes.finish(Duration.ofSeconds(30));
        if (!keptUp) {
          // So that what runs next starts on a pipeline without this load's backlog.
          awaitCounted(tables, appid, load.accepted(), DRAIN);
        }
      }
    } finally {
      load.close();
    }
    out.printf(
        Locale.ROOT,
        "  %d probes, p50 %d ms, p99 %d ms, max %d ms; load answers %s%n",
        result.probes(),
        result.millis().getTotalCount() == 0 ? 0 : result.millis().getValueAtPercentile(50),
        result.millis().getTotalCount() == 0 ? 0 : result.millis().getValueAtPercentile(99),
        result.millis().getTotalCount() == 0 ? 0 : result.millis().getMaxValue(),
        load.answers());
    return new Freshness(rate, result, keptUp);
  }
}
