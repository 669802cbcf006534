package io.upbot.ingest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The endpoint's configuration, parsed once from flags ({@code --port 8080} or {@code --port=8080}) and
 * environment variables ({@code UPBOT_INGEST_PORT}); a flag wins over its variable. Parsing fails with
 * every bad key listed. See the module README for the list.
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

  /** Prefix of every environment variable. */
  public static final String ENV_PREFIX = "UPBOT_INGEST_";

  /** Prefix of environment variables holding extra producer properties (rest: upper case, '_' for '.'). */
  public static final String ENV_KAFKA_PROPERTY_PREFIX = ENV_PREFIX + "KAFKA_PROPERTY_";

  /** Producer properties the endpoint sets itself: overriding them would break what ret 0 promises (docs/api.md). */
  static final Set<String> MANAGED_PRODUCER_PROPERTIES =
      Set.of(
          "bootstrap.servers", "acks", "enable.idempotence", "key.serializer", "value.serializer",
          "max.block.ms");

  /** Every option: flag name without dashes, and its default ({@code null} = required). */
  static final Map<String, String> OPTIONS = new LinkedHashMap<>();

  static {
    OPTIONS.put("host", "0.0.0.0");
    OPTIONS.put("port", "8080");
    OPTIONS.put("kafka-bootstrap", null);
    OPTIONS.put("topic", "upbot.media-events");
    OPTIONS.put("tokens-file", null);
    OPTIONS.put("tokens-reload-ms", "1000");
    OPTIONS.put("cors-origins", "");
    OPTIONS.put("deadline-ms", "2000");
    OPTIONS.put("max-body-bytes", "1048576");
    OPTIONS.put("max-items", "500");
    OPTIONS.put("kafka-compression", "lz4");
    OPTIONS.put("kafka-linger-ms", "5");
    OPTIONS.put("kafka-batch-size", "131072");
    OPTIONS.put("kafka-buffer-memory", "33554432");
    OPTIONS.put("kafka-delivery-timeout-ms", "30000");
    OPTIONS.put("kafka-request-timeout-ms", "10000");
    OPTIONS.put("drain-timeout-ms", "10000");
    OPTIONS.put("io-threads", "0");
    OPTIONS.put("body-timeout-ms", "10000");
    OPTIONS.put("max-connections", "10000");
    OPTIONS.put("allow-example-token", "false");
    // Repeatable, key=value; listed for env/usage purposes only.
    OPTIONS.put("kafka-property", "");
  }

  /** The environment variable of an option, e.g. {@code UPBOT_INGEST_KAFKA_BOOTSTRAP}. */
  public static String envName(String option) {
    return ENV_PREFIX + option.toUpperCase(Locale.ROOT).replace('-', '_');
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

  /** Parses flags and environment. */
  public static IngestConfig parse(String[] args, Map<String, String> env) throws ConfigException {
    List<String> problems = new ArrayList<>();
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, String> kafkaProps = new TreeMap<>();

    // Environment first, flags override.
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      String k = e.getKey();
      if (!k.startsWith(ENV_PREFIX)) {
        continue;
      }
      if (k.startsWith(ENV_KAFKA_PROPERTY_PREFIX) && k.length() > ENV_KAFKA_PROPERTY_PREFIX.length()) {
        String prop =
            k.substring(ENV_KAFKA_PROPERTY_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
        kafkaProps.put(prop, e.getValue());
        continue;
      }
      String option = k.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '-');
      if (!OPTIONS.containsKey(option) || option.equals("kafka-property")) {
        problems.add(k + ": unknown environment variable");
      } else {
        values.put(option, e.getValue());
      }
    }
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--") || a.length() == 2) {
        problems.add(a + ": unexpected argument (flags look like --port 8080)");
        continue;
      }
      String name = a.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        problems.add("--" + name + ": missing value");
        continue;
      }
      if (!OPTIONS.containsKey(name)) {
        problems.add("--" + name + ": unknown flag");
      } else if (name.equals("kafka-property")) {
        int kv = value.indexOf('=');
        if (kv <= 0) {
          problems.add("--kafka-property " + value + ": expected key=value");
        } else {
          kafkaProps.put(value.substring(0, kv).trim(), value.substring(kv + 1));
        }
      } else {
        values.put(name, value);
      }
    }
    for (String key : kafkaProps.keySet()) {
      if (MANAGED_PRODUCER_PROPERTIES.contains(key)) {
        problems.add("kafka-property " + key + ": set by the endpoint, cannot be overridden");
      }
    }

    Reader r = new Reader(values, problems);
    String host = r.string("host");
    int port = r.integer("port", 0, 65535);
    String bootstrap = r.string("kafka-bootstrap");
    String topic = r.string("topic");
    String tokens = r.string("tokens-file");
    Path tokensFile = null;
    if (tokens != null) {
      tokensFile = Path.of(tokens);
      if (!Files.isReadable(tokensFile)) {
        problems.add("tokens-file: " + tokens + " is not a readable file");
      }
    }
    Duration reload = r.millis("tokens-reload-ms", 10, 3_600_000);
    List<String> cors = new ArrayList<>();
    String corsRaw = r.raw("cors-origins");
    if (corsRaw != null) {
      for (String o : corsRaw.split(",")) {
        String t = o.trim();
        if (t.isEmpty()) {
          continue;
        }
        if (!t.equals("*") && !t.matches("https?://[^/\\s]+")) {
          problems.add("cors-origins: " + t + " is not an origin (scheme://host[:port]) or *");
        }
        cors.add(t);
      }
    }
    Duration deadline = r.millis("deadline-ms", 1, 600_000);
    int maxBody = r.integer("max-body-bytes", 1024, 64 * 1024 * 1024);
    int maxItems = r.integer("max-items", 1, 100_000);
    String compression = r.string("kafka-compression");
    if (compression != null && !Set.of("none", "gzip", "snappy", "lz4", "zstd").contains(compression)) {
      problems.add("kafka-compression: " + compression + " is not one of none, gzip, snappy, lz4, zstd");
    }
    int linger = r.integer("kafka-linger-ms", 0, 60_000);
    int batchSize = r.integer("kafka-batch-size", 0, 64 * 1024 * 1024);
    long bufferMemory = r.integer("kafka-buffer-memory", 1024 * 1024, Integer.MAX_VALUE);
    Duration delivery = r.millis("kafka-delivery-timeout-ms", 1, 3_600_000);
    Duration request = r.millis("kafka-request-timeout-ms", 1, 3_600_000);
    if (delivery != null && request != null && delivery.toMillis() < linger + request.toMillis()) {
      problems.add("kafka-delivery-timeout-ms: must be at least kafka-linger-ms + kafka-request-timeout-ms");
    }
    Duration drain = r.millis("drain-timeout-ms", 0, 600_000);
    int ioThreads = r.integer("io-threads", 0, 1024);
    Duration bodyTimeout = r.millis("body-timeout-ms", 100, 600_000);
    int maxConnections = r.integer("max-connections", 1, 1_000_000);
    boolean allowExampleToken = r.bool("allow-example-token");

    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new IngestConfig(
        host, port, bootstrap, topic, tokensFile, reload, cors, deadline, maxBody, maxItems,
        compression, linger, batchSize, bufferMemory, delivery, request, drain, ioThreads, bodyTimeout,
        maxConnections, allowExampleToken, kafkaProps);
  }

  /** A copy with another port (tests use 0). */
  public IngestConfig withPort(int newPort) {
    return new IngestConfig(
        host, newPort, kafkaBootstrap, topic, tokensFile, tokensReloadInterval, corsOrigins, deadline,
        maxBodyBytes, maxItems, kafkaCompression, kafkaLingerMs, kafkaBatchSize, kafkaBufferMemory,
        kafkaDeliveryTimeout, kafkaRequestTimeout, drainTimeout, ioThreads, bodyTimeout, maxConnections,
        allowExampleToken, kafkaProperties);
  }

  /** The usage text: every flag, its variable and default. */
  public static String usage() {
    StringBuilder sb = new StringBuilder("Usage: java -jar upbot-ingest.jar [--flag value]...\n");
    OPTIONS.forEach(
        (k, d) ->
            sb.append(String.format(
                "  --%-28s %-40s %s%n",
                k, k.equals("kafka-property") ? ENV_KAFKA_PROPERTY_PREFIX + "<KEY>" : envName(k),
                d == null ? "(required)" : k.equals("kafka-property") ? "(repeatable key=value)" : "default " + (d.isEmpty() ? "\"\"" : d))));
    return sb.toString();
  }

  /** Reads typed values, recording a problem per bad key. */
  private static final class Reader {
    private final Map<String, String> values;
    private final List<String> problems;

    Reader(Map<String, String> values, List<String> problems) {
      this.values = values;
      this.problems = problems;
    }

    String raw(String key) {
      String v = values.get(key);
      return v != null ? v.trim() : OPTIONS.get(key);
    }

    String string(String key) {
      String v = raw(key);
      if (v == null || v.isEmpty()) {
        problems.add(key + ": required (--" + key + " or " + envName(key) + ")");
        return null;
      }
      return v;
    }

    int integer(String key, long min, long max) {
      String v = raw(key);
      try {
        long l = Long.parseLong(v);
        if (l < min || l > max) {
          problems.add(key + ": " + v + " is not between " + min + " and " + max);
          return 0;
        }
        return (int) l;
      } catch (NumberFormatException e) {
        problems.add(key + ": " + v + " is not an integer");
        return 0;
      }
    }

    boolean bool(String key) {
      String v = raw(key);
      if (!"true".equals(v) && !"false".equals(v)) {
        problems.add(key + ": " + v + " is not true or false");
      }
      return "true".equals(v);
    }

    Duration millis(String key, long min, long max) {
      String v = raw(key);
      try {
        long l = Long.parseLong(v);
        if (l < min || l > max) {
          problems.add(key + ": " + v + " is not between " + min + " and " + max);
          return null;
        }
        return Duration.ofMillis(l);
      } catch (NumberFormatException e) {
        problems.add(key + ": " + v + " is not an integer (milliseconds)");
        return null;
      }
    }
  }
}
