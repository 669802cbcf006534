package io.upbot.job;

import io.upbot.job.model.FunnelStages;
import io.upbot.job.sink.JdbcSettings;
import io.upbot.job.source.KafkaSettings;
import io.upbot.settings.Durations;
import io.upbot.settings.Flags;
import io.upbot.settings.Values;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every setting of the job, parsed once from flags ({@code --name value} or {@code --name=value})
 * and environment variables ({@code UPBOT_NAME}, e.g. {@code UPBOT_KAFKA_BOOTSTRAP}) the one way
 * {@link Flags} reads them; a flag wins over the environment. Parsing fails fast, listing every bad
 * key.
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

  /**
   * The flags, their defaults ({@code null}: none) and help text, in the order {@code --help}
   * shows.
   */
  private static final Flags FLAGS = Flags.withEnvironment();

  private static final Logger LOG = LoggerFactory.getLogger(JobSettings.class);

  /** How often a changed row is written by default. */
  public static final Duration LIVE_FLUSH_INTERVAL = Duration.ofSeconds(1);

  /** How often a changed row is written by default in a {@code --bounded} run (a backfill). */
  public static final Duration BOUNDED_FLUSH_INTERVAL = Duration.ofSeconds(30);

  static {
    FLAGS.kafkaTopic("topic of the media events");
    FLAGS.value(
        "group-id",
        "upbot-flink-job",
        "Kafka consumer group (offsets are committed on checkpoints)");
    FLAGS.value(
        "start-from",
        "committed",
        "without a checkpoint: earliest | latest | committed | timestamp:<ms> | <partition>:<offset>,…");
    FLAGS.toggle(
        "bounded",
        "false",
        "stop at the topic's current end (backfill); bare --bounded means true");
    FLAGS.toggle(
        "allow-overwrite",
        "false",
        "let --bounded write into tables that already hold rows (it overwrites their totals)");
    FLAGS.value(
        "jdbc-url", "jdbc:sqlite:upbot.db", "JDBC URL of the tables (PostgreSQL or SQLite)");
    FLAGS.value("jdbc-user", "", "database user");
    FLAGS.value("jdbc-password", "", "database password (prefer UPBOT_JDBC_PASSWORD)");
    FLAGS.value("time-zone", "Asia/Shanghai", "time zone of the daily views");
    FLAGS.value("jdbc-batch-size", "1000", "rows per JDBC batch");
    FLAGS.value(
        "jdbc-batch-interval", "200ms", "longest wait before a partial JDBC batch is written");
    FLAGS.value("jdbc-max-retries", "3", "retries of a failed JDBC batch");
    FLAGS.value("session-gap", "30m", "G: a gap of at least this ends a session");
    FLAGS.value(
        "allowed-lateness", "24h", "A: events received more than this after their time are late");
    // How far behind the partition's newest received_at a record can be appended: the endpoint
    // stamps
    // received_at before it reads the body (a slow upload), answers 1005 at its deadline
    // (--deadline,
    // 2 s) while the producer may still deliver the batch until --kafka-delivery-timeout (30 s),
    // and
    // ingest hosts' clocks differ a little. 30 s + 2 s + body read + skew, rounded up: 2 m. A
    // larger
    // bound only delays cleanup; a smaller one drops such on-time records as behind the watermark.
    FLAGS.value(
        "watermark-bound", "2m", "how far received_at may run out of order within a partition");
    FLAGS.value(
        "source-idleness",
        "1m",
        "a partition without records this long stops holding back time; 0 = never");
    FLAGS.value("exposed-events", "1110201", "event ids of funnel stage 1 (comma list)");
    FLAGS.value("long-press-events", "1110204", "event ids of funnel stage 2 (comma list)");
    FLAGS.value("join-events", "1110205", "event ids of funnel stage 3 (comma list)");
    FLAGS.value(
        "joins-from",
        "all",
        "which joins make stage 3: all (client reports and WeCom) or wecom (WeCom's only)");
    FLAGS.value(
        "max-journey-events",
        "10000",
        "distinct live events one journey may hold; its further new ones are dead-lettered as"
            + " journey_too_large");
    // A backfill writes into a fresh database that is swapped in once it is done, so nobody reads
    // its rows while they change, and over a backfill's pace (hours of events a second) a 1 s tick
    // rewrote every row of the hours being read, again and again (./upbot bench job).
    FLAGS.value(
        "flush-interval",
        null,
        "a changed row is written at most this long after the change (default: 1s; 30s with"
            + " --bounded)");
    FLAGS.value("parallelism", null, "job parallelism (default: the cluster's)");
    FLAGS.value("state-backend", "hashmap", "hashmap | rocksdb");
    FLAGS.value(
        "checkpoint-interval", "10s", "exactly-once checkpoint interval; 0 or off disables");
    FLAGS.value(
        "checkpoint-dir", null, "checkpoint storage URI, e.g. file:///var/lib/upbot/checkpoints");
    FLAGS.value(
        "max-codes-per-hour",
        "1000",
        "distinct codes per appid and UTC hour that may create rows; events with more are dead-lettered"
            + " (cardinality); 0 or off: no cap");
    FLAGS.value(
        "max-event-ids-per-hour",
        "1000",
        "distinct event ids per appid and UTC hour that may create rows; 0 or off: no cap");
  }

  /** The sinks' settings (the schema installer's too). */
  public JdbcSettings jdbcSettings() {
    return new JdbcSettings(
        jdbcUrl,
        jdbcUser,
        jdbcPassword,
        timeZone,
        jdbcBatchSize,
        jdbcBatchInterval.toMillis(),
        jdbcMaxRetries);
  }

  /** The Kafka source's settings (a backfill's progress report's too). */
  public KafkaSettings kafkaSettings() {
    return new KafkaSettings(
        kafkaBootstrap,
        topic,
        groupId,
        startFrom,
        bounded,
        !checkpointInterval.isZero(),
        allowedLateness.toMillis());
  }

  /** A copy reading another topic as another consumer group, from {@code newStartFrom}. */
  public JobSettings withSource(String newTopic, String newGroupId, StartFrom newStartFrom) {
    return toBuilder().topic(newTopic).groupId(newGroupId).startFrom(newStartFrom).build();
  }

  /** A copy writing another database. */
  public JobSettings withJdbc(String url, String user, String password) {
    return toBuilder().jdbcUrl(url).jdbcUser(user).jdbcPassword(password).build();
  }

  /** A copy with another parallelism ({@code null}: the cluster's) and checkpoints. */
  public JobSettings withRuntime(
      Integer newParallelism, Duration newCheckpointInterval, String newCheckpointDir) {
    return toBuilder()
        .parallelism(newParallelism)
        .checkpointInterval(newCheckpointInterval)
        .checkpointDir(newCheckpointDir)
        .build();
  }

  /**
   * A copy with other session gap, allowed lateness and watermark bound (a soak's short-lived
   * state).
   */
  public JobSettings withTimes(Duration gap, Duration lateness, Duration bound) {
    return toBuilder().sessionGap(gap).allowedLateness(lateness).watermarkBound(bound).build();
  }

  /**
   * A copy with other limits: distinct live events per journey, codes and event ids per appid-hour.
   */
  public JobSettings withLimits(int journeyEvents, int codesPerHour, int eventIdsPerHour) {
    return toBuilder()
        .maxJourneyEvents(journeyEvents)
        .maxCodesPerHour(codesPerHour)
        .maxEventIdsPerHour(eventIdsPerHour)
        .build();
  }

  /** A builder holding these settings, to copy them with some changed. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Settings changed one at a time from a copy ({@link #toBuilder()}), so that a copy with a few
   * settings changed names only those and not all of the record's components.
   */
  public static final class Builder {
    private String kafkaBootstrap;
    private String topic;
    private String groupId;
    private StartFrom startFrom;
    private boolean bounded;
    private boolean allowOverwrite;
    private String jdbcUrl;
    private String jdbcUser;
    private String jdbcPassword;
    private ZoneId timeZone;
    private int jdbcBatchSize;
    private Duration jdbcBatchInterval;
    private int jdbcMaxRetries;
    private Duration sessionGap;
    private Duration allowedLateness;
    private Duration watermarkBound;
    private Duration sourceIdleness;
    private FunnelStages stages;
    private int maxJourneyEvents;
    private Duration flushInterval;
    private Integer parallelism;
    private String stateBackend;
    private Duration checkpointInterval;
    private String checkpointDir;
    private int maxCodesPerHour;
    private int maxEventIdsPerHour;

    private Builder(JobSettings s) {
      kafkaBootstrap = s.kafkaBootstrap;
      topic = s.topic;
      groupId = s.groupId;
      startFrom = s.startFrom;
      bounded = s.bounded;
      allowOverwrite = s.allowOverwrite;
      jdbcUrl = s.jdbcUrl;
      jdbcUser = s.jdbcUser;
      jdbcPassword = s.jdbcPassword;
      timeZone = s.timeZone;
      jdbcBatchSize = s.jdbcBatchSize;
      jdbcBatchInterval = s.jdbcBatchInterval;
      jdbcMaxRetries = s.jdbcMaxRetries;
      sessionGap = s.sessionGap;
      allowedLateness = s.allowedLateness;
      watermarkBound = s.watermarkBound;
      sourceIdleness = s.sourceIdleness;
      stages = s.stages;
      maxJourneyEvents = s.maxJourneyEvents;
      flushInterval = s.flushInterval;
      parallelism = s.parallelism;
      stateBackend = s.stateBackend;
      checkpointInterval = s.checkpointInterval;
      checkpointDir = s.checkpointDir;
      maxCodesPerHour = s.maxCodesPerHour;
      maxEventIdsPerHour = s.maxEventIdsPerHour;
    }

    public Builder kafkaBootstrap(String value) {
      kafkaBootstrap = value;
      return this;
    }

    public Builder topic(String value) {
      topic = value;
      return this;
    }

    public Builder groupId(String value) {
      groupId = value;
      return this;
    }

    public Builder startFrom(StartFrom value) {
      startFrom = value;
      return this;
    }

    public Builder bounded(boolean value) {
      bounded = value;
      return this;
    }

    public Builder allowOverwrite(boolean value) {
      allowOverwrite = value;
      return this;
    }

    public Builder jdbcUrl(String value) {
      jdbcUrl = value;
      return this;
    }

    public Builder jdbcUser(String value) {
      jdbcUser = value;
      return this;
    }

    public Builder jdbcPassword(String value) {
      jdbcPassword = value;
      return this;
    }

    public Builder timeZone(ZoneId value) {
      timeZone = value;
      return this;
    }

    public Builder jdbcBatchSize(int value) {
      jdbcBatchSize = value;
      return this;
    }

    public Builder jdbcBatchInterval(Duration value) {
      jdbcBatchInterval = value;
      return this;
    }

    public Builder jdbcMaxRetries(int value) {
      jdbcMaxRetries = value;
      return this;
    }

    public Builder sessionGap(Duration value) {
      sessionGap = value;
      return this;
    }

    public Builder allowedLateness(Duration value) {
      allowedLateness = value;
      return this;
    }

    public Builder watermarkBound(Duration value) {
      watermarkBound = value;
      return this;
    }

    public Builder sourceIdleness(Duration value) {
      sourceIdleness = value;
      return this;
    }

    public Builder stages(FunnelStages value) {
      stages = value;
      return this;
    }

    public Builder maxJourneyEvents(int value) {
      maxJourneyEvents = value;
      return this;
    }

    public Builder flushInterval(Duration value) {
      flushInterval = value;
      return this;
    }

    public Builder parallelism(Integer value) {
      parallelism = value;
      return this;
    }

    public Builder stateBackend(String value) {
      stateBackend = value;
      return this;
    }

    public Builder checkpointInterval(Duration value) {
      checkpointInterval = value;
      return this;
    }

    public Builder checkpointDir(String value) {
      checkpointDir = value;
      return this;
    }

    public Builder maxCodesPerHour(int value) {
      maxCodesPerHour = value;
      return this;
    }

    public Builder maxEventIdsPerHour(int value) {
      maxEventIdsPerHour = value;
      return this;
    }

    /** The settings this builder holds. */
    public JobSettings build() {
      return new JobSettings(
          kafkaBootstrap,
          topic,
          groupId,
          startFrom,
          bounded,
          allowOverwrite,
          jdbcUrl,
          jdbcUser,
          jdbcPassword,
          timeZone,
          jdbcBatchSize,
          jdbcBatchInterval,
          jdbcMaxRetries,
          sessionGap,
          allowedLateness,
          watermarkBound,
          sourceIdleness,
          stages,
          maxJourneyEvents,
          flushInterval,
          parallelism,
          stateBackend,
          checkpointInterval,
          checkpointDir,
          maxCodesPerHour,
          maxEventIdsPerHour);
    }
  }

  /** Whether the arguments ask for help. */
  public static boolean wantsHelp(String[] args) {
    return Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h");
  }

  /** The {@code --help} text. */
  public static String usage() {
    return FLAGS.usage("upbot flink job. Flags (or env UPBOT_<NAME>):");
  }

  /**
   * Parses flags over environment variables over defaults.
   *
   * @throws SettingsException listing every unknown flag, missing value and bad value
   */
  public static JobSettings parse(String[] args, Map<String, String> env) {
    Values p = FLAGS.parse(args, env);
    p.warnings().forEach(LOG::warn);
    return read(p);
  }

  /** The defaults, reading {@code kafkaBootstrap}; for a job set up in code. */
  public static JobSettings defaults(String kafkaBootstrap) {
    return read(FLAGS.defaults().with("kafka-bootstrap", kafkaBootstrap));
  }

  private static JobSettings read(Values p) {
    List<String> problems = p.problems();
    String bootstrap = p.required("kafka-bootstrap");
    String topic = p.required("topic");
    String groupId = p.required("group-id");
    StartFrom startFrom = p.parsed("start-from", StartFrom::parse);
    Boolean bounded = p.parsed("bounded", JobSettings::bool);
    Boolean allowOverwrite = p.parsed("allow-overwrite", JobSettings::bool);
    String jdbcUrl = p.required("jdbc-url");
    if (jdbcUrl != null
        && !jdbcUrl.startsWith("jdbc:postgresql:")
        && !jdbcUrl.startsWith("jdbc:sqlite:")) {
      problems.add("--jdbc-url: must be a jdbc:postgresql: or jdbc:sqlite: URL");
    }
    String jdbcUser = p.optional("jdbc-user");
    String jdbcPassword = p.optional("jdbc-password");
    ZoneId zone = p.parsed("time-zone", ZoneId::of);
    Integer batchSize = p.parsed("jdbc-batch-size", v -> positiveInt(v, 1));
    Duration batchInterval = p.parsed("jdbc-batch-interval", Durations::parse);
    Integer maxRetries = p.parsed("jdbc-max-retries", v -> positiveInt(v, 0));
    Duration gap = p.parsed("session-gap", JobSettings::positiveDuration);
    Duration lateness = p.parsed("allowed-lateness", Durations::parse);
    Duration bound = p.parsed("watermark-bound", Durations::parse);
    Duration idleness = p.parsed("source-idleness", Durations::parse);
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
    Boolean wecomJoinsOnly = p.parsed("joins-from", JobSettings::wecomJoinsOnly);
    if (stages != null && wecomJoinsOnly != null) {
      stages = stages.withWeComJoinsOnly(wecomJoinsOnly);
    }
    Integer maxJourneyEvents = p.parsed("max-journey-events", v -> positiveInt(v, 1));
    Duration flush =
        p.has("flush-interval")
            ? p.parsed("flush-interval", JobSettings::positiveDuration)
            : Boolean.TRUE.equals(bounded) ? BOUNDED_FLUSH_INTERVAL : LIVE_FLUSH_INTERVAL;
    Integer parallelism =
        !p.has("parallelism") ? null : p.parsed("parallelism", v -> positiveInt(v, 1));
    String backend =
        p.parsed(
            "state-backend",
            v -> {
              if (!v.equals("hashmap") && !v.equals("rocksdb")) {
                throw new IllegalArgumentException("must be hashmap or rocksdb");
              }
              return v;
            });
    Duration checkpoints =
        p.parsed("checkpoint-interval", v -> v.equals("off") ? Duration.ZERO : Durations.parse(v));
    String checkpointDir = p.optional("checkpoint-dir");
    Integer maxCodes = p.parsed("max-codes-per-hour", JobSettings::capOrOff);
    Integer maxEventIds = p.parsed("max-event-ids-per-hour", JobSettings::capOrOff);

    if (!problems.isEmpty()) {
      throw new SettingsException(problems);
    }
    JobSettings s =
        new JobSettings(
            bootstrap,
            topic,
            groupId,
            startFrom,
            bounded,
            allowOverwrite,
            jdbcUrl,
            jdbcUser,
            jdbcPassword,
            zone,
            batchSize,
            batchInterval,
            maxRetries,
            gap,
            lateness,
            bound,
            idleness,
            stages,
            maxJourneyEvents,
            flush,
            parallelism,
            backend,
            checkpoints,
            checkpointDir,
            maxCodes,
            maxEventIds);
    try {
      s.jdbcSettings();
    } catch (IllegalArgumentException e) {
      throw new SettingsException(List.of("--jdbc-*: " + e.getMessage()));
    }
    return s;
  }

  private static Duration positiveDuration(String v) {
    Duration d = Durations.parse(v);
    if (d.isZero()) {
      throw new IllegalArgumentException("must be above zero");
    }
    return d;
  }

  /** {@code --joins-from}: {@code all} or {@code wecom}. */
  private static Boolean wecomJoinsOnly(String v) {
    if (v.equals("all") || v.equals("wecom")) {
      return v.equals("wecom");
    }
    throw new IllegalArgumentException("must be all or wecom");
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
}
