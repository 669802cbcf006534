package io.upbot.ingest;

import io.upbot.settings.Flags;
import io.upbot.settings.Values;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoint's configuration, parsed once from flags ({@code --port 8080} or {@code --port=8080})
 * and environment variables ({@code UPBOT_PORT}) the one way {@link Flags} reads them; a flag wins
 * over its variable. Parsing fails with every bad key listed. See the module README for the list.
 */
public record IngestConfig(
    String host,
    int port,
    String kafkaBootstrap,
    String topic,
    Path tokensFile,
    Duration tokensReloadInterval,
    List<String> corsOrigins,
    Duration deadline,
    int maxBodyBytes,
    int maxItems,
    String kafkaCompression,
    int kafkaLingerMs,
    int kafkaBatchSize,
    long kafkaBufferMemory,
    Duration kafkaDeliveryTimeout,
    Duration kafkaRequestTimeout,
    Duration drainTimeout,
    int ioThreads,
    Duration bodyTimeout,
    int maxConnections,
    boolean allowExampleToken,
    Map<String, String> kafkaProperties) {

  public IngestConfig {
    corsOrigins = List.copyOf(corsOrigins);
    kafkaProperties = Map.copyOf(kafkaProperties);
  }

  /** The old prefix of the endpoint's variables; they still work, with a deprecation warning. */
  public static final String LEGACY_ENV_PREFIX = "UPBOT_INGEST_";

  private static final Logger LOG = LoggerFactory.getLogger(IngestConfig.class);

  /**
   * Producer properties the endpoint sets itself: overriding them would break what ret 0 promises
   * (docs/api.md).
   */
  static final Set<String> MANAGED_PRODUCER_PROPERTIES =
      Set.of(
          "bootstrap.servers",
          "acks",
          "enable.idempotence",
          "key.serializer",
          "value.serializer",
          "max.block.ms");

  /** Every flag, its default and help; the module README's table lists the same. */
  static final Flags FLAGS =
      Flags.withEnvironment()
          .legacyEnvPrefix(LEGACY_ENV_PREFIX)
          .listen("8080")
          .kafkaTopic("topic written")
          .value("tokens-file", null, "token file (required)")
          .value("tokens-reload-interval", "1s", "how often the token file is checked")
          .value("cors-origins", "", "comma-separated origins or *")
          .value("deadline", "2s", "a batch not acknowledged by then is answered 1005")
          .value("max-body-bytes", "1048576", "body limit after gzip decompression")
          .value("max-items", "500", "items per batch")
          .value("kafka-compression", "snappy", "none | gzip | snappy | lz4 | zstd")
          .value(
              "kafka-linger",
              "0ms",
              "producer linger.ms (0: batches form while requests are in flight)")
          .value("kafka-batch-size", "131072", "producer batch.size")
          .value("kafka-buffer-memory", "33554432", "producer buffer.memory")
          .value("kafka-delivery-timeout", "30s", "producer delivery.timeout.ms")
          .value("kafka-request-timeout", "10s", "producer request.timeout.ms")
          .value("drain-timeout", "10s", "on SIGTERM, how long in-flight batches may take")
          .value("io-threads", "0", "Undertow I/O threads (0: Undertow's default)")
          .value("body-timeout", "10s", "the whole body must arrive within this after the headers")
          .value("max-connections", "10000", "open connections at most")
          .toggle(
              "allow-example-token", "false", "start with the public example token (demos only)")
          .repeated("kafka-property", "extra producer property")
          .renamed("tokens-reload-ms", "tokens-reload-interval", Flags.MILLIS)
          .renamed("deadline-ms", "deadline", Flags.MILLIS)
          .renamed("kafka-linger-ms", "kafka-linger", Flags.MILLIS)
          .renamed("kafka-delivery-timeout-ms", "kafka-delivery-timeout", Flags.MILLIS)
          .renamed("kafka-request-timeout-ms", "kafka-request-timeout", Flags.MILLIS)
          .renamed("drain-timeout-ms", "drain-timeout", Flags.MILLIS)
          .renamed("body-timeout-ms", "body-timeout", Flags.MILLIS);

  /** The variable of a flag, e.g. {@code UPBOT_KAFKA_BOOTSTRAP}. */
  public static String envName(String option) {
    return Flags.envName(option);
  }

  /** A configuration that cannot be used; the message lists every bad key. */
  public static final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    public ConfigException(List<String> problems) {
      super("invalid configuration:\n  " + String.join("\n  ", problems));
      this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
      return problems;
    }
  }

  /** Parses flags and environment; deprecated names are logged as warnings. */
  public static IngestConfig parse(String[] args, Map<String, String> env) throws ConfigException {
    Values values = FLAGS.parse(args, env);
    values.warnings().forEach(LOG::warn);
    return read(values);
  }

  /** The defaults, with the two values that have none; for an endpoint started in code. */
  public static IngestConfig defaults(String kafkaBootstrap, Path tokensFile)
      throws ConfigException {
    return read(
        FLAGS
            .defaults()
            .with("kafka-bootstrap", kafkaBootstrap)
            .with("tokens-file", tokensFile.toString()));
  }

  private static IngestConfig read(Values r) throws ConfigException {
    List<String> problems = r.problems();
    Map<String, String> kafkaProps = new TreeMap<>();
    for (String kv : r.all("kafka-property")) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        problems.add("--kafka-property " + kv + ": expected key=value");
      } else {
        kafkaProps.put(kv.substring(0, eq).trim(), kv.substring(eq + 1));
      }
    }
    for (String key : kafkaProps.keySet()) {
      if (MANAGED_PRODUCER_PROPERTIES.contains(key)) {
        problems.add("--kafka-property " + key + ": set by the endpoint, cannot be overridden");
      }
    }
    String host = r.required("host");
    Integer port = r.integer("port", 0, 65535);
    String bootstrap = r.required("kafka-bootstrap");
    String topic = r.required("topic");
    String tokens = r.required("tokens-file");
    Path tokensFile = null;
    if (tokens != null) {
      tokensFile = Path.of(tokens);
      if (!Files.isReadable(tokensFile)) {
        problems.add("--tokens-file: " + tokens + " is not a readable file");
      }
    }
    Duration reload =
        r.duration("tokens-reload-interval", Duration.ofMillis(10), Duration.ofHours(1));
    List<String> cors = new ArrayList<>();
    String corsRaw = r.raw("cors-origins");
    if (corsRaw != null) {
      for (String o : corsRaw.split(",")) {
        String t = o.trim();
        if (t.isEmpty()) {
          continue;
        }
        if (!t.equals("*") && !t.matches("https?://[^/\\s]+")) {
          problems.add("--cors-origins: " + t + " is not an origin (scheme://host[:port]) or *");
        }
        cors.add(t);
      }
    }
    Duration deadline = r.duration("deadline", Duration.ofMillis(1), Duration.ofMinutes(10));
    Integer maxBody = r.integer("max-body-bytes", 1024, 64 * 1024 * 1024);
    Integer maxItems = r.integer("max-items", 1, 100_000);
    String compression = r.required("kafka-compression");
    if (compression != null
        && !Set.of("none", "gzip", "snappy", "lz4", "zstd").contains(compression)) {
      problems.add(
          "--kafka-compression: " + compression + " is not one of none, gzip, snappy, lz4, zstd");
    }
    Duration linger = r.duration("kafka-linger", Duration.ZERO, Duration.ofMinutes(1));
    Integer batchSize = r.integer("kafka-batch-size", 0, 64 * 1024 * 1024);
    Integer bufferMemory = r.integer("kafka-buffer-memory", 1024 * 1024, Integer.MAX_VALUE);
    Duration delivery =
        r.duration("kafka-delivery-timeout", Duration.ofMillis(1), Duration.ofHours(1));
    Duration request =
        r.duration("kafka-request-timeout", Duration.ofMillis(1), Duration.ofHours(1));
    if (delivery != null
        && request != null
        && linger != null
        && delivery.compareTo(linger.plus(request)) < 0) {
      problems.add(
          "--kafka-delivery-timeout: must be at least --kafka-linger + --kafka-request-timeout");
    }
    Duration drain = r.duration("drain-timeout", Duration.ZERO, Duration.ofMinutes(10));
    Integer ioThreads = r.integer("io-threads", 0, 1024);
    Duration bodyTimeout =
        r.duration("body-timeout", Duration.ofMillis(100), Duration.ofMinutes(10));
    Integer maxConnections = r.integer("max-connections", 1, 1_000_000);
    Boolean allowExampleToken = r.bool("allow-example-token");

    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new IngestConfig(
        host,
        port,
        bootstrap,
        topic,
        tokensFile,
        reload,
        cors,
        deadline,
        maxBody,
        maxItems,
        compression,
        (int) linger.toMillis(),
        batchSize,
        bufferMemory,
        delivery,
        request,
        drain,
        ioThreads,
        bodyTimeout,
        maxConnections,
        allowExampleToken,
        kafkaProps);
  }

  /** A copy listening elsewhere. */
  public IngestConfig withListen(String newHost, int newPort) {
    return with(newHost, newPort, topic);
  }

  /** A copy writing another topic. */
  public IngestConfig withTopic(String newTopic) {
    return with(host, port, newTopic);
  }

  /** A copy with another address and topic; the rest stays. */
  private IngestConfig with(String newHost, int newPort, String newTopic) {
    return new IngestConfig(
        newHost,
        newPort,
        kafkaBootstrap,
        newTopic,
        tokensFile,
        tokensReloadInterval,
        corsOrigins,
        deadline,
        maxBodyBytes,
        maxItems,
        kafkaCompression,
        kafkaLingerMs,
        kafkaBatchSize,
        kafkaBufferMemory,
        kafkaDeliveryTimeout,
        kafkaRequestTimeout,
        drainTimeout,
        ioThreads,
        bodyTimeout,
        maxConnections,
        allowExampleToken,
        kafkaProperties);
  }

  /** The usage text: every flag, its variable and default. */
  public static String usage() {
    return FLAGS.usage(
        "Usage: java -jar upbot-ingest.jar [--flag value]...  (or UPBOT_<FLAG> variables)");
  }
}
