package io.upbot.job;

import io.upbot.job.model.FunnelStages;
import io.upbot.job.sink.JdbcSettings;
import io.upbot.job.source.KafkaSettings;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every setting of the job, parsed once from flags ({@code --name value} or {@code --name=value}) and
 * environment variables ({@code UPBOT_NAME}, e.g. {@code UPBOT_KAFKA_BOOTSTRAP}); a flag wins over the
 * environment. Parsing fails fast, listing every bad key.
 */
public record JobSettings(
    String kafkaBootstrap,
    String topic,
    String groupId,
    StartFrom startFrom,
    boolean bounded,
    boolean allowOverwrite,
    String jdbcUrl,
    String jdbcUser,
    String jdbcPassword,
    ZoneId timeZone,
    int jdbcBatchSize,
    Duration jdbcBatchInterval,
    int jdbcMaxRetries,
    Duration sessionGap,
    Duration allowedLateness,
    Duration watermarkBound,
    Duration sourceIdleness,
    FunnelStages stages,
    int maxJourneyEvents,
    Duration flushInterval,
    Integer parallelism,
    String stateBackend,
    Duration checkpointInterval,
    String checkpointDir,
    int maxCodesPerHour,
    int maxEventIdsPerHour) {

  /** The flags, their defaults ({@code null}: none) and help text, in the order {@code --help} shows. */
  private static final Map<String, String[]> FLAGS = new LinkedHashMap<>();

  static {
    flag("kafka-bootstrap", null, "Kafka bootstrap servers (required)");
    flag("topic", "upbot.media-events", "topic of the media events");
    flag("group-id", "upbot-flink-job", "Kafka consumer group (offsets are committed on checkpoints)");
    flag("start-from", "committed",
        "without a checkpoint: earliest | latest | committed | timestamp:<ms> | <partition>:<offset>,…");
    flag("bounded", "false", "stop at the topic's current end (backfill); bare --bounded means true");
    flag("allow-overwrite", "false",
        "let --bounded write into tables that already hold rows (it overwrites their totals)");
    flag("jdbc-url", "jdbc:sqlite:upbot.db", "JDBC URL of the tables (PostgreSQL or SQLite)");
    flag("jdbc-user", "", "database user");
    flag("jdbc-password", "", "database password (prefer UPBOT_JDBC_PASSWORD)");
    flag("time-zone", "Asia/Shanghai", "time zone of the daily views");
    flag("jdbc-batch-size", "1000", "rows per JDBC batch");
    flag("jdbc-batch-interval", "200ms", "longest wait before a partial JDBC batch is written");
    flag("jdbc-max-retries", "3", "retries of a failed JDBC batch");
    flag("session-gap", "30m", "G: a gap of at least this ends a session");
    flag("allowed-lateness", "24h", "A: events received more than this after their time are late");
    // How far behind the partition's newest received_at a record can be appended: the endpoint stamps
    // received_at before it reads the body (a slow upload), answers 1005 at its deadline (deadline-ms,
    // 2 s) while the producer may still deliver the batch until kafka-delivery-timeout-ms (30 s), and
    // ingest hosts' clocks differ a little. 30 s + 2 s + body read + skew, rounded up: 2 m. A larger
    // bound only delays cleanup; a smaller one drops such on-time records as behind the watermark.
    flag("watermark-bound", "2m", "how far received_at may run out of order within a partition");
    flag("source-idleness", "1m", "a partition without records this long stops holding back time; 0 = never");
    flag("exposed-events", "1110201", "event ids of funnel stage 1 (comma list)");
    flag("long-press-events", "1110204", "event ids of funnel stage 2 (comma list)");
    flag("join-events", "1110205", "event ids of funnel stage 3 (comma list)");
    flag("max-journey-events", "10000",
        "distinct live events one journey may hold; its further new ones are dead-lettered as"
            + " journey_too_large");
    flag("flush-interval", "1s", "a changed row is written at most this long after the change");
    flag("parallelism", null, "job parallelism (default: the cluster's)");
    flag("state-backend", "hashmap", "hashmap | rocksdb");
    flag("checkpoint-interval", "10s", "exactly-once checkpoint interval; 0 or off disables");
    flag("checkpoint-dir", null, "checkpoint storage URI, e.g. file:///var/lib/upbot/checkpoints");
    flag("max-codes-per-hour", "1000",
        "distinct codes per appid and UTC hour that may create rows; events with more are dead-lettered"
            + " (cardinality); 0 or off: no cap");
    flag("max-event-ids-per-hour", "1000",
        "distinct event ids per appid and UTC hour that may create rows; 0 or off: no cap");
  }

  /** Flags that may be given bare, meaning true. */
  private static final Set<String> SWITCHES = Set.of("bounded", "allow-overwrite");

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private static void flag(String name, String dflt, String help) {
    FLAGS.put(name, new String[] {dflt, help});
  }

  /** The sinks' settings (the schema installer's too). */
  public JdbcSettings jdbcSettings() {
    return new JdbcSettings(
        jdbcUrl, jdbcUser, jdbcPassword, timeZone, jdbcBatchSize, jdbcBatchInterval.toMillis(),
        jdbcMaxRetries);
  }

  /** The Kafka source's settings (a backfill's progress report's too). */
  public KafkaSettings kafkaSettings() {
    return new KafkaSettings(
        kafkaBootstrap, topic, groupId, startFrom, bounded, !checkpointInterval.isZero(),
        allowedLateness.toMillis());
  }

  /** Whether the arguments ask for help. */
  public static boolean wantsHelp(String[] args) {
    return Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h");
  }

  /** The {@code --help} text. */
  public static String usage() {
    StringBuilder b = new StringBuilder("upbot flink job. Flags (or env UPBOT_<NAME>):\n");
    for (Map.Entry<String, String[]> f : FLAGS.entrySet()) {
      b.append(String.format(Locale.ROOT, "  --%-22s %s", f.getKey(), f.getValue()[1]));
      if (f.getValue()[0] != null && !f.getValue()[0].isEmpty()) {
        b.append(" [").append(f.getValue()[0]).append(']');
      }
      b.append('\n');
    }
    return b.toString();
  }

  /**
   * Parses flags over environment variables over defaults.
   *
   * @throws SettingsException listing every unknown flag, missing value and bad value
   */
  public static JobSettings parse(String[] args, Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    Map<String, String> raw = new LinkedHashMap<>();
    for (Map.Entry<String, String[]> f : FLAGS.entrySet()) {
      String fromEnv = env.get("UPBOT_" + f.getKey().toUpperCase(Locale.ROOT).replace('-', '_'));
      raw.put(f.getKey(), fromEnv != null ? fromEnv : f.getValue()[0]);
    }
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        problems.add(a + ": unexpected argument (flags are --name value)");
        continue;
      }
      String name = a.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (!FLAGS.containsKey(name)) {
        problems.add("--" + name + ": unknown flag");
        if (eq < 0 && i + 1 < args.length && !args[i + 1].startsWith("--")) {
          i++; // its value, not a stray argument
        }
        continue;
      }
      if (value == null) {
        if (SWITCHES.contains(name)
            && (i + 1 >= args.length || !args[i + 1].matches("true|false"))) {
          value = "true";
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          problems.add("--" + name + ": missing value");
          continue;
        }
      }
      raw.put(name, value);
    }

    Parser p = new Parser(raw, problems);
    String bootstrap = p.string("kafka-bootstrap", true);
    String topic = p.string("topic", true);
    String groupId = p.string("group-id", true);
    StartFrom startFrom = p.parsed("start-from", StartFrom::parse);
    Boolean bounded = p.parsed("bounded", JobSettings::bool);
    Boolean allowOverwrite = p.parsed("allow-overwrite", JobSettings::bool);
    String jdbcUrl = p.string("jdbc-url", true);
    if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql:") && !jdbcUrl.startsWith("jdbc:sqlite:")) {
      problems.add("--jdbc-url: must be a jdbc:postgresql: or jdbc:sqlite: URL");
    }
    String jdbcUser = p.string("jdbc-user", false);
    String jdbcPassword = p.string("jdbc-password", false);
    ZoneId zone = p.parsed("time-zone", ZoneId::of);
    Integer batchSize = p.parsed("jdbc-batch-size", v -> positiveInt(v, 1));
    Duration batchInterval = p.parsed("jdbc-batch-interval", JobSettings::duration);
    Integer maxRetries = p.parsed("jdbc-max-retries", v -> positiveInt(v, 0));
    Duration gap = p.parsed("session-gap", JobSettings::positiveDuration);
    Duration lateness = p.parsed("allowed-lateness", JobSettings::duration);
    Duration bound = p.parsed("watermark-bound", JobSettings::duration);
    Duration idleness = p.parsed("source-idleness", JobSettings::duration);
    Set<String> exposed = p.parsed("exposed-events", JobSettings::idList);
    Set<String> longPress = p.parsed("long-press-events", JobSettings::idList);
    Set<String> join = p.parsed("join-events", JobSettings::idList);
    FunnelStages stages = null;
    if (exposed != null && longPress != null && join != null) {
      try {
        stages = new FunnelStages(exposed, longPress, join);
      } catch (IllegalArgumentException e) {
        problems.add("--exposed-events/--long-press-events/--join-events: " + e.getMessage());
      }
    }
    Integer maxJourneyEvents = p.parsed("max-journey-events", v -> positiveInt(v, 1));
    Duration flush = p.parsed("flush-interval", JobSettings::positiveDuration);
    Integer parallelism =
        raw.get("parallelism") == null ? null : p.parsed("parallelism", v -> positiveInt(v, 1));
    String backend = p.parsed("state-backend", v -> {
      if (!v.equals("hashmap") && !v.equals("rocksdb")) {
        throw new IllegalArgumentException("must be hashmap or rocksdb");
      }
      return v;
    });
    Duration checkpoints =
        p.parsed("checkpoint-interval", v -> v.equals("off") ? Duration.ZERO : duration(v));
    String checkpointDir = p.string("checkpoint-dir", false);
    Integer maxCodes = p.parsed("max-codes-per-hour", JobSettings::capOrOff);
    Integer maxEventIds = p.parsed("max-event-ids-per-hour", JobSettings::capOrOff);

    if (!problems.isEmpty()) {
      throw new SettingsException(problems);
    }
    JobSettings s = new JobSettings(
        bootstrap, topic, groupId, startFrom, bounded, allowOverwrite, jdbcUrl, jdbcUser, jdbcPassword,
        zone, batchSize, batchInterval, maxRetries, gap, lateness, bound, idleness, stages,
        maxJourneyEvents, flush, parallelism, backend, checkpoints, checkpointDir, maxCodes, maxEventIds);
    try {
      s.jdbcSettings();
    } catch (IllegalArgumentException e) {
      throw new SettingsException(List.of("--jdbc-*: " + e.getMessage()));
    }
    return s;
  }

  /** Parses {@code 500ms}, {@code 10s}, {@code 30m}, {@code 24h}, {@code 1d}, or {@code 0}. */
  public static Duration duration(String v) {
    if (v.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = DURATION.matcher(v.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("expected a duration like 500ms, 10s, 30m, 24h or 1d");
    }
    long n = Long.parseLong(m.group(1));
    switch (m.group(2)) {
      case "ms":
        return Duration.ofMillis(n);
      case "s":
        return Duration.ofSeconds(n);
      case "m":
        return Duration.ofMinutes(n);
      case "h":
        return Duration.ofHours(n);
      default:
        return Duration.ofDays(n);
    }
  }

  private static Duration positiveDuration(String v) {
    Duration d = duration(v);
    if (d.isZero()) {
      throw new IllegalArgumentException("must be above zero");
    }
    return d;
  }

  private static Boolean bool(String v) {
    if (v.equals("true") || v.equals("false")) {
      return Boolean.valueOf(v);
    }
    throw new IllegalArgumentException("must be true or false");
  }

  private static Integer positiveInt(String v, int min) {
    try {
      int i = Integer.parseInt(v.trim());
      if (i >= min) {
        return i;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("must be an integer ≥ " + min);
  }

  /** A cap: a positive integer, or {@code 0} / {@code off} for none (returned as 0). */
  private static Integer capOrOff(String v) {
    return v.trim().equals("off") ? 0 : positiveInt(v, 0);
  }

  private static Set<String> idList(String v) {
    Set<String> ids = new LinkedHashSet<>();
    for (String s : v.split(",", -1)) {
      String id = s.trim();
      if (id.isEmpty() || id.length() > 32) {
        throw new IllegalArgumentException("must be a comma list of event ids of 1–32 characters");
      }
      ids.add(id);
    }
    return ids;
  }

  /** Collects problems instead of stopping at the first. */
  private static final class Parser {
    private final Map<String, String> raw;
    private final List<String> problems;

    Parser(Map<String, String> raw, List<String> problems) {
      this.raw = raw;
      this.problems = problems;
    }

    String string(String name, boolean required) {
      String v = raw.get(name);
      if (required && (v == null || v.isBlank())) {
        problems.add("--" + name + ": required");
        return null;
      }
      return v == null || v.isEmpty() ? (required ? v : null) : v;
    }

    <T> T parsed(String name, Function<String, T> f) {
      String v = raw.get(name);
      if (v == null) {
        problems.add("--" + name + ": required");
        return null;
      }
      try {
        return f.apply(v);
      } catch (RuntimeException e) {
        problems.add("--" + name + ": " + e.getMessage() + " (got '" + v + "')");
        return null;
      }
    }
  }
}
