package io.upbot.local.bench;

import io.upbot.ingest.BatchValidator;
import io.upbot.ingest.IngestConfig;
import io.upbot.ingest.IngestServer;
import io.upbot.local.CliArgs;
import io.upbot.local.ReportBody;
import io.upbot.localkafka.KafkaBrokerProcess;
import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code ./upbot bench ingest}: the endpoint's events/s against its two ceilings, measured in one
 * run on the same machine. U is a bare Undertow handler that reads and parses the same bodies; P is
 * Kafka's producer with the endpoint's settings against the same broker; their combination L =
 * 1/(1/U + 1/P) is what an endpoint doing both jobs, and nothing else, could reach. Then the
 * latency at half the endpoint's maximum rate, open loop.
 *
 * <p>Real processes where they matter: the broker runs in its own JVM (as {@code ./upbot local}
 * runs it), the endpoint runs in its own JVM too ({@link EndpointProcess}: {@code IngestMain} with
 * the production JVM options and its default settings: acks=all, idempotence, its compression and
 * linger), so the load generator's garbage collections, which stay in this JVM, do not pause it;
 * every request is an HTTP request over loopback. Any answer other than {@code ret 0} fails the
 * bench, and so does a count of records in Kafka other than the events answered {@code ret 0}.
 */
final class IngestBench {
  static final String TOPIC = "upbot.media-events";
  static final String CEILING_TOPIC = "upbot-bench-ceiling";
  static final int PARTITIONS = 3;
  static final int DISTINCT_BODIES = 64;
  static final String HELP =
      String.join(
          "\n",
          "usage: ./upbot bench ingest [--seconds 30] [--rounds 3] [--warmup-windows 12]",
          "                            [--batch 20] [--connections 32]",
          "                            [--data-dir DIR (default .upbot)] [--kafka-linger 5ms",
          "                            (default: the endpoint's; applies to the endpoint and P)]",
          "                            [--kafka-compression lz4 (default: the endpoint's; both)]",
          "                            [--kafka-properties k=v,k=v (extra producer properties;",
          "                            both)]",
          "                            [--ours-only (to profile the endpoint: no U, P or ratios)]",
          "                            [--endpoint-jvm 'OPTIONS' (instead of the recommended",
          "                            ones in ingest-endpoint's jvm.options, to compare)]",
          "                            [--slow-log (writes the half-rate phase's answers of 5 ms",
          "                            or more, with when they were due, next to the figures)]",
          "  Starts a Kafka broker and the endpoint in its own JVM (production settings and JVM",
          "  options); drives U, P and ours each in windows of up to 5 s until its rate stops",
          "  rising (at most --warmup-windows windows; 0: none). Then, in each of --rounds rounds,",
          "  for --seconds / --rounds each: U, a bare Undertow handler parsing the same bodies; P,",
          "  Kafka's producer with the endpoint's settings; ours at its maximum rate. ours / L is",
          "  the median of the rounds' ratios. Then ours at half its rate (open loop), --seconds.",
          "  Prints the figures and writes them to <data-dir>/bench/.",
          "");

  private IngestBench() {}

  /** What one run is asked for. */
  record Options(
      int seconds,
      int rounds,
      int warmupWindows,
      int batch,
      int connections,
      Path dataDir,
      String kafkaLinger,
      String kafkaCompression,
      String kafkaProperties,
      boolean oursOnly,
      List<String> endpointJvm,
      boolean slowLog) {
    Duration measure() {
      return Duration.ofSeconds(seconds);
    }

    /** A fifth of the measured time, 1 to 5 s: the JIT and the producer's batches settle. */
    Duration warmup() {
      return oneToFiveSeconds(seconds / 5);
    }

    /** A warm-up window: as long as a round's window, 1 to 5 s. */
    Duration warmupWindow() {
      return oneToFiveSeconds(slice().toSeconds());
    }

    /** One round's window for each of U, P and ours: its share of {@code seconds}, at least 1 s. */
    Duration slice() {
      return Duration.ofSeconds(Math.max(1, seconds / rounds));
    }

    /**
     * The warm-up before each round's window, once the warm-up windows are over: a fifth of the
     * window, 1 to 5 s (connections open, the producer's batches settle).
     */
    Duration sliceWarmup() {
      return oneToFiveSeconds(slice().toSeconds() / 5);
    }

    private static Duration oneToFiveSeconds(long seconds) {
      return Duration.ofSeconds(Math.max(1, Math.min(5, seconds)));
    }
  }

  static int run(String[] args, PrintStream out) throws Exception {
    if (args.length > 0 && (args[0].equals("help") || args[0].equals("--help"))) {
      out.print(HELP);
      return 0;
    }
    CliArgs a =
        CliArgs.parse(
            args,
            Set.of(
                "seconds",
                "rounds",
                "warmup-windows",
                "batch",
                "connections",
                "data-dir",
                "kafka-linger",
                "kafka-compression",
                "kafka-properties",
                "endpoint-jvm"),
            Set.of("ours-only", "slow-log"));
    Options o =
        new Options(
            a.integer("seconds", 30, 1, 3600),
            a.integer("rounds", 3, 1, 20),
            a.integer("warmup-windows", IngestRounds.MAX_WARMUP_WINDOWS, 0, 100),
            a.integer("batch", 20, 1, 500),
            a.integer("connections", 32, 1, 1000),
            Path.of(a.string("data-dir", defaultDataDir())),
            a.string("kafka-linger", null),
            a.string("kafka-compression", null),
            a.string("kafka-properties", null),
            a.has("ours-only"),
            a.string("endpoint-jvm", null) == null
                ? EndpointProcess.recommendedJvmOptions()
                : EndpointProcess.parseJvmOptions(a.string("endpoint-jvm", null)),
            a.has("slow-log"));
    a.failOnErrors("bench ingest");
    BenchReport report = measure(o, out);
    report.print(out);
    Path file = report.write(o.dataDir());
    out.println("written to " + file);

    Map<String, Object> f = report.figures();
    return Boolean.TRUE.equals(f.get("all_answers_ok")) ? 0 : 1;
  }

  /** {@code .upbot} under the repository root, as {@code ./upbot local} uses. */
  static String defaultDataDir() {
    String root = System.getProperty("upbot.root");
    return root == null ? ".upbot" : Path.of(root, ".upbot").toString();
  }

  /** Runs every phase and returns the figures. */
  static BenchReport measure(Options o, PrintStream out) throws Exception {
    Instant started = Instant.now();
    Path work = Files.createTempDirectory("upbot-bench-ingest-");
    try (KafkaBrokerProcess broker =
        KafkaBrokerProcess.start(
            KafkaBrokerProcess.libsFromSystemProperty(),
            work.resolve("kafka"),
            0,
            0,
            "512m",
            KafkaBrokerProcess.Jvm.SERVING)) {
      createTopics(broker.bootstrapServers());
      String token = "bench-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(8));
      Path tokens = work.resolve("tokens.json");
      Files.writeString(
          tokens,
          "{\"tokens\":[{\"name\":\"bench\",\"token\":\"" + token + "\",\"appids\":\"*\"}]}",
          StandardCharsets.UTF_8);
      List<String> flags = endpointFlags(o, broker.bootstrapServers(), tokens);
      IngestConfig config = IngestConfig.parse(flags.toArray(String[]::new), Map.of());
      List<byte[]> bodies = bodies(o.batch());
      int recordSize = meanSize(records(bodies));
      out.printf(
          Locale.ROOT,
          "bench ingest: %d events per request (%d bytes; records of %d bytes), %d connections,"
              + " %d s per phase in %d rounds of %d s after the warm-up; broker %s%n",
          o.batch(),
          bodies.get(0).length,
          recordSize,
          o.connections(),
          o.seconds(),
          o.rounds(),
          o.slice().toSeconds(),
          broker.bootstrapServers());

      CpuMeter cpu = new CpuMeter(brokerProcess(broker));
      List<LoadDriver.Result> us = new ArrayList<>();
      List<CeilingProducer.Result> ps = new ArrayList<>();
      List<LoadDriver.Result> oursRounds = new ArrayList<>();
      List<IngestRounds.Round> rounds = new ArrayList<>();
      CpuMeter.Use uCpu = CpuMeter.Use.NONE;
      CpuMeter.Use pCpu = CpuMeter.Use.NONE;
      CpuMeter.Use oursCpu = CpuMeter.Use.NONE;
      CpuMeter.Use halfCpu;
      LoadDriver.Result half;
      long inKafka;
      long endpointPid;
      String warmU = "";
      String warmP = "";
      String warmOurs;
      // Its answers count with the rest: every event answered ret 0 must be in Kafka.
      List<LoadDriver.Result> oursWarmup = new ArrayList<>();
      // All three stay up through the rounds; each idles while another is measured.
      try (CeilingHandler bare = o.oursOnly() ? null : CeilingHandler.start();
          EndpointProcess endpoint =
              EndpointProcess.start(o.endpointJvm(), flags, work.resolve("endpoint.log"))) {
        endpointPid = endpoint.pid();
        endpoint.awaitReady();
        out.printf(
            Locale.ROOT,
            "ours: the endpoint (pid %d, %s)%n",
            endpointPid,
            String.join(" ", o.endpointJvm()));
        LoadDriver driver = driver(endpoint.address(), token, bodies, o);
        CpuMeter endpointCpu = new CpuMeter(brokerProcess(broker), endpoint::cpu);
        // Each side at its maximum until its rate stops rising: a first round after a few seconds
        // of warm-up measured ours at a third to half of its steady rate, and P at half.
        if (bare != null) {
          LoadDriver uDriver = driver(bare.address(), token, bodies, o);
          warmU =
              warm(
                  o,
                  out,
                  "U",
                  () ->
                      uDriver.maxRate(Duration.ZERO, o.warmupWindow()).requestsPerSecond()
                          * o.batch());
          warmP =
              warm(
                  o,
                  out,
                  "P",
                  () ->
                      CeilingProducer.run(
                              config, CEILING_TOPIC, recordSize, Duration.ZERO, o.warmupWindow())
                          .recordsPerSecond());
        }
        warmOurs =
            warm(
                o,
                out,
                "ours",
                () -> {
                  LoadDriver.Result w = driver.maxRate(Duration.ZERO, o.warmupWindow());
                  oursWarmup.add(w);
                  return w.requestsPerSecond() * o.batch();
                });
        for (int round = 1; round <= o.rounds(); round++) {
          Duration warmup = o.sliceWarmup();
          LoadDriver.Result u = LoadDriver.Result.NONE;
          CeilingProducer.Result p = CeilingProducer.Result.NONE;
          if (bare != null) {
            out.printf(
                Locale.ROOT, "round %d/%d: U, a bare Undertow handler…%n", round, o.rounds());
            cpu.start();
            u = driver(bare.address(), token, bodies, o).maxRate(warmup, o.slice());
            uCpu = uCpu.plus(cpu.stop(u.generatorCpuSeconds()));
            us.add(u);
            out.printf(Locale.ROOT, "round %d/%d: P, Kafka's producer…%n", round, o.rounds());
            cpu.start();
            p = CeilingProducer.run(config, CEILING_TOPIC, recordSize, warmup, o.slice());
            pCpu = pCpu.plus(cpu.stop(0));
            ps.add(p);
          }
          out.printf(Locale.ROOT, "round %d/%d: ours at its maximum rate…%n", round, o.rounds());
          endpointCpu.start();
          LoadDriver.Result ours = driver.maxRate(warmup, o.slice());
          oursCpu = oursCpu.plus(endpointCpu.stop(0));
          oursRounds.add(ours);
          IngestRounds.Round r =
              new IngestRounds.Round(
                  ours.requestsPerSecond() * o.batch(),
                  u.requestsPerSecond() * o.batch(),
                  p.recordsPerSecond());
          rounds.add(r);
          out.printf(
              Locale.ROOT,
              "round %d/%d: ours %,.0f, U %,.0f, P %,.0f events/s; ours / L %.3f%n",
              round,
              o.rounds(),
              r.ours(),
              r.u(),
              r.p(),
              r.ratio());
        }
        double halfRate = Math.max(1, IngestRounds.medianOurs(rounds) / o.batch() / 2);
        out.printf(
            Locale.ROOT, "ours: the endpoint at half its rate, %.0f requests/s…%n", halfRate);
        endpointCpu.start();
        half = driver.constantRate(halfRate, o.warmup(), o.measure());
        halfCpu = endpointCpu.stop(0);
      }
      inKafka = recordsIn(broker.bootstrapServers(), TOPIC);
      LoadDriver.Result u = LoadDriver.Result.merge(us);
      CeilingProducer.Result p = CeilingProducer.Result.merge(ps);
      LoadDriver.Result ours = LoadDriver.Result.merge(oursRounds);
      BenchReport r =
          report(
              o,
              config,
              started,
              rounds,
              u,
              p,
              ours,
              half,
              LoadDriver.Result.merge(oursWarmup),
              inKafka);
      r.put("p_record_bytes", "P: record size (bytes, the mean of ours)", recordSize)
          .put(
              "u_cpu_us_per_event",
              "U: CPU per event, this JVM less the generator (us)",
              uCpu.jvmMicrosPer(u.okTotal() * o.batch()))
          .put(
              "p_cpu_us_per_event",
              "P: CPU per record, this JVM (us)",
              pCpu.jvmMicrosPer(p.ackedTotal()))
          .put(
              "p_broker_cpu_us_per_event",
              "P: broker CPU per record (us)",
              pCpu.brokerMicrosPer(p.ackedTotal()))
          .put(
              "ours_cpu_us_per_event",
              "ours at max: CPU per event, the endpoint's JVM (us)",
              oursCpu.jvmMicrosPer(ours.okTotal() * o.batch()))
          .put(
              "ours_broker_cpu_us_per_event",
              "ours at max: broker CPU per event (us)",
              oursCpu.brokerMicrosPer(ours.okTotal() * o.batch()))
          .put(
              "half_cpu_us_per_event",
              "ours at half rate: CPU per event, the endpoint's JVM (us)",
              halfCpu.jvmMicrosPer(half.okTotal() * o.batch()))
          .put(
              "half_broker_cpu_us_per_event",
              "ours at half rate: broker CPU per event (us)",
              halfCpu.brokerMicrosPer(half.okTotal() * o.batch()))
          .put(
              "half_slow_answers", "ours at half rate: answers of 5 ms or more", half.slow().size())
          .put("endpoint_pid", "the endpoint's process (stopped at the end)", endpointPid)
          .put("endpoint_jvm", "the endpoint's JVM options", String.join(" ", o.endpointJvm()))
          .put("warmup_u", "U's warm-up windows (events/s)", warmU)
          .put("warmup_p", "P's warm-up windows (records/s)", warmP)
          .put("warmup_ours", "ours' warm-up windows (events/s)", warmOurs);
      if (o.slowLog()) {
        r.put(
            "half_slow_log",
            "ours at half rate: the slow answers, when due",
            writeSlow(o.dataDir(), started, half.slow()).toString());
      }
      return r;
    } finally {
      deleteRecursively(work);
    }
  }

  /** Warms one side up (see {@link IngestRounds#warmUntilSteady}); its windows' rates, printed. */
  private static String warm(Options o, PrintStream out, String what, IngestRounds.Window window)
      throws Exception {
    if (o.warmupWindows() == 0) {
      return "";
    }
    List<Double> rates = IngestRounds.warmUntilSteady(window, o.warmupWindows());
    String listed = IngestRounds.listed(rates);
    out.printf(
        Locale.ROOT,
        "warm-up of %s, %d s windows until its rate stops rising: %s%n",
        what,
        o.warmupWindow().toSeconds(),
        listed);
    return listed;
  }

  /**
   * Writes slow answers as tab-separated lines (when the request was due, UTC with microseconds,
   * and its latency in ms), to line up with GC logs written with {@code -Xlog:gc*:file=…:time}.
   */
  static Path writeSlow(Path dataDir, Instant started, List<LoadDriver.Slow> slow)
      throws IOException {
    Path dir = dataDir.resolve("bench");
    Files.createDirectories(dir);
    Path file = dir.resolve("ingest-slow-" + started.toEpochMilli() + ".tsv");
    StringBuilder sb = new StringBuilder("due_utc\tlatency_ms\n");
    for (LoadDriver.Slow s : slow) {
      sb.append(Instant.EPOCH.plus(s.dueEpochMicros(), ChronoUnit.MICROS))
          .append('\t')
          .append(String.format(Locale.ROOT, "%.3f", s.latencyMicros() / 1000.0))
          .append('\n');
    }
    Files.writeString(file, sb, StandardCharsets.UTF_8);
    return file;
  }

  /**
   * The endpoint's flags: its defaults (the production settings), with the producer's linger
   * changed only when asked. Without {@code --port} they mean a free port: P's configuration, while
   * {@link EndpointProcess} adds the one it picked.
   */
  static List<String> endpointFlags(Options o, String bootstrap, Path tokens) {
    List<String> flags =
        new ArrayList<>(
            List.of(
                "--kafka-bootstrap",
                bootstrap,
                "--tokens-file",
                tokens.toString(),
                "--host",
                "127.0.0.1",
                "--topic",
                TOPIC));
    if (o.kafkaLinger() != null) {
      flags.addAll(List.of("--kafka-linger", o.kafkaLinger()));
    }
    if (o.kafkaCompression() != null) {
      flags.addAll(List.of("--kafka-compression", o.kafkaCompression()));
    }
    if (o.kafkaProperties() != null) {
      // P takes them too: it uses the endpoint's producer properties.
      for (String kv : o.kafkaProperties().split(",")) {
        flags.addAll(List.of("--kafka-property", kv.trim()));
      }
    }
    return flags;
  }

  private static LoadDriver driver(
      InetSocketAddress at, String token, List<byte[]> bodies, Options o) {
    List<byte[]> requests =
        bodies.stream().map(b -> LoadDriver.post(at, IngestServer.API_PATH, token, b)).toList();
    return new LoadDriver(at, requests, o.connections());
  }

  static BenchReport report(
      Options o,
      IngestConfig config,
      Instant started,
      List<IngestRounds.Round> rounds,
      LoadDriver.Result u,
      CeilingProducer.Result p,
      LoadDriver.Result ours,
      LoadDriver.Result half,
      LoadDriver.Result oursWarmup,
      long inKafka) {
    double uEvents = u.requestsPerSecond() * o.batch();
    double pRecords = p.recordsPerSecond();
    double limit = uEvents > 0 && pRecords > 0 ? 1 / (1 / uEvents + 1 / pRecords) : 0;
    double oursEvents = ours.requestsPerSecond() * o.batch();
    double halfEvents = half.requestsPerSecond() * o.batch();
    long okEvents = (oursWarmup.okTotal() + ours.okTotal() + half.okTotal()) * o.batch();
    boolean allOk =
        u.clean() && oursWarmup.clean() && ours.clean() && half.clean() && p.errors() == 0;
    BenchReport r = new BenchReport("ingest", started);
    r.put("batch", "events per request", o.batch())
        .put("kafka_linger_ms", "producer linger.ms (endpoint and P)", config.kafkaLingerMs())
        .put(
            "kafka_compression", "producer compression (endpoint and P)", config.kafkaCompression())
        .put("connections", "connections", o.connections())
        .put("seconds", "seconds per phase (U, P and ours: over all rounds)", o.seconds())
        .put("rounds", "rounds of U, P and ours at the maximum rate", o.rounds())
        .put("ours_events_per_s", "ours: events/s at the maximum rate (mean of rounds)", oursEvents)
        .put("u_events_per_s", "U: bare Undertow + Jackson, events/s (mean)", uEvents)
        .put("p_records_per_s", "P: Kafka producer, records/s (mean)", pRecords)
        .put("limit_events_per_s", "L = 1/(1/U + 1/P), events/s (of the means)", limit)
        .put(
            "ratio_ours_to_limit",
            "ours / L (goal >= 0.7), the median of the rounds'",
            IngestRounds.medianRatio(rounds))
        .put("ours_to_limit_by_round", "ours / L in each round", IngestRounds.ratios(rounds))
        .ratio("ours_to_u", "ours / U", oursEvents, uEvents)
        .ratio("ours_to_p", "ours / P", oursEvents, pRecords)
        .put("ours_p50_ms", "ours at max: p50 latency (ms)", ours.latencyMillis(50))
        .put("ours_p99_ms", "ours at max: p99 latency (ms)", ours.latencyMillis(99))
        .put("ours_p999_ms", "ours at max: p99.9 latency (ms)", ours.latencyMillis(99.9))
        .put("half_events_per_s", "ours at half rate (of the median round): events/s", halfEvents)
        .put("half_p50_ms", "ours at half rate: p50 latency (ms)", half.latencyMillis(50))
        .put(
            "half_p99_ms",
            "ours at half rate: p99 latency (ms, goal <= 10)",
            half.latencyMillis(99))
        .put("half_p999_ms", "ours at half rate: p99.9 latency (ms)", half.latencyMillis(99.9))
        .put(
            "generator_max_events_per_s",
            "load generator's own ceiling (its rate against U), events/s",
            uEvents)
        .ratio(
            "generator_to_ours",
            "generator ceiling / ours",
            u.requestsPerSecond(),
            ours.requestsPerSecond())
        .put(
            "generator_cores_ours",
            "generator CPU while driving ours (cores)",
            ours.generatorCores())
        .put("generator_cores_u", "generator CPU while driving U (cores)", u.generatorCores())
        .put("events_answered_ok", "events answered ret 0 (every run of ours)", okEvents)
        .put("events_in_kafka", "records in Kafka afterwards", inKafka)
        .put(
            "not_ok_answers",
            "answers other than ret 0, failed connections, unanswered",
            u.notOk()
                + u.errors()
                + u.unanswered()
                + oursWarmup.notOk()
                + oursWarmup.errors()
                + oursWarmup.unanswered()
                + ours.notOk()
                + ours.errors()
                + ours.unanswered()
                + half.notOk()
                + half.errors()
                + half.unanswered()
                + p.errors())
        .put(
            "all_answers_ok",
            "every answer ret 0 and every event in Kafka",
            allOk && inKafka == okEvents)
        .put(
            "goal_ratio_met",
            "goal ours >= 0.7 L met (the median round)",
            IngestRounds.medianRatio(rounds) >= 0.7)
        .put("goal_p99_met", "goal p99 <= 10 ms at half rate met", half.latencyMillis(99) <= 10);
    String problem =
        List.of(u, oursWarmup, ours, half).stream()
            .map(LoadDriver.Result::firstProblem)
            .filter(s -> s != null)
            .findFirst()
            .orElse(p.firstError());
    if (problem != null) {
      r.put("first_problem", "first problem seen", problem);
    }
    return r;
  }

  /**
   * {@value #DISTINCT_BODIES} bodies of {@code batch} events each, one user and one trace per body,
   * so the records spread over the partitions as many users' would.
   */
  static List<byte[]> bodies(int batch) {
    long now = System.currentTimeMillis();
    List<byte[]> bodies = new ArrayList<>(DISTINCT_BODIES);
    for (int b = 0; b < DISTINCT_BODIES; b++) {
      List<ReportBody.Item> items = new ArrayList<>(batch);
      for (int i = 0; i < batch; i++) {
        items.add(
            new ReportBody.Item(
                String.valueOf(1001 + i % 4),
                now + i,
                "bench-code-" + (b % 8),
                String.format(Locale.ROOT, "tr-bench-%04d-%s", b, "x".repeat(16)),
                i % 4 == 3 ? 30 : null));
      }
      bodies.add(new ReportBody("wx-bench-app", "openid-bench-" + b, 1 + b % 2, items).toJson());
    }
    return bodies;
  }

  /** The mean size of the records' values: P's record size. */
  static int meanSize(List<byte[][]> records) {
    return (int) Math.round(records.stream().mapToInt(r -> r[1].length).average().orElse(330));
  }

  /** The records the endpoint writes for {@code bodies}: key and value, as it encodes them. */
  static List<byte[][]> records(List<byte[]> bodies) {
    BatchValidator validator = new BatchValidator(500, 1 << 20);
    List<byte[][]> out = new ArrayList<>();
    for (byte[] body : bodies) {
      BatchValidator.Result r = validator.validate(body, System.currentTimeMillis());
      if (!(r instanceof BatchValidator.Accepted accepted)) {
        throw new IllegalStateException("the bench's own body is refused: " + r);
      }
      for (MediaEvent e : accepted.events()) {
        out.add(
            new byte[][] {
              e.kafkaKey().getBytes(StandardCharsets.UTF_8), MediaEventCodec.encode(e)
            });
      }
    }
    return out;
  }

  /** The broker's process, from the pid file its owner writes, or null. */
  private static ProcessHandle brokerProcess(KafkaBrokerProcess broker) {
    try {
      long pid =
          Long.parseLong(
              Files.readString(broker.dataDir().resolve("broker.pid"), StandardCharsets.UTF_8)
                  .trim());
      return ProcessHandle.of(pid).orElse(null);
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }

  /**
   * CPU time spent during a phase: a JVM's (this one less the load generator's own thread, or the
   * endpoint's) and the broker's. Per event, these figures hold up better than rates on a machine
   * shared with other work, since they count only the work done.
   */
  static final class CpuMeter {
    private final ProcessHandle broker;
    private final Supplier<Duration> jvm;
    private long jvmAtStart;
    private long brokerAtStart;

    /** This JVM's CPU and the broker's. */
    CpuMeter(ProcessHandle broker) {
      this(broker, CpuMeter::thisJvm);
    }

    CpuMeter(ProcessHandle broker, Supplier<Duration> jvm) {
      this.broker = broker;
      this.jvm = jvm;
    }

    /** CPU seconds of one phase. */
    record Use(double jvmSeconds, double brokerSeconds) {
      static final Use NONE = new Use(0, 0);

      /** The use of two phases together. */
      Use plus(Use other) {
        return new Use(jvmSeconds + other.jvmSeconds, brokerSeconds + other.brokerSeconds);
      }

      double jvmMicrosPer(long events) {
        return events <= 0 ? 0 : jvmSeconds * 1e6 / events;
      }

      double brokerMicrosPer(long events) {
        return events <= 0 ? 0 : brokerSeconds * 1e6 / events;
      }
    }

    void start() {
      jvmAtStart = jvmNanos();
      brokerAtStart = brokerNanos();
    }

    /** The phase's use, less {@code generatorSeconds} of this JVM's. */
    Use stop(double generatorSeconds) {
      return new Use(
          Math.max(0, (jvmNanos() - jvmAtStart) / 1e9 - generatorSeconds),
          (brokerNanos() - brokerAtStart) / 1e9);
    }

    private long jvmNanos() {
      return jvm.get().toNanos();
    }

    private static Duration thisJvm() {
      return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    private long brokerNanos() {
      return broker == null
          ? 0
          : broker.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }
  }

  private static Admin admin(String bootstrap) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    return Admin.create(p);
  }

  private static void createTopics(String bootstrap) throws Exception {
    try (Admin admin = admin(bootstrap)) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(TOPIC, PARTITIONS, (short) 1),
                  new NewTopic(CEILING_TOPIC, PARTITIONS, (short) 1)))
          .all()
          .get(60, TimeUnit.SECONDS);
    }
  }

  /** The records in {@code topic}: the sum of its partitions' end offsets. */
  private static long recordsIn(String bootstrap, String topic) throws Exception {
    try (Admin admin = admin(bootstrap)) {
      Map<TopicPartition, OffsetSpec> ask =
          java.util.stream.IntStream.range(0, PARTITIONS)
              .boxed()
              .collect(
                  Collectors.toMap(i -> new TopicPartition(topic, i), i -> OffsetSpec.latest()));
      return admin.listOffsets(ask).all().get(60, TimeUnit.SECONDS).values().stream()
          .mapToLong(r -> r.offset())
          .sum();
    }
  }

  private static void deleteRecursively(Path p) {
    try (var walk = Files.walk(p)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    } catch (IOException ignored) {
      // A temporary directory: the system cleans what is left.
    }
  }
}
