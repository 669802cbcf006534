package io.upbot.wecom;

import io.upbot.settings.Flags;
import io.upbot.settings.Values;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The receiver's settings, read the one way {@link Flags} reads them ({@code --flag value} over
 * {@code UPBOT_<FLAG>} over the default). Parsing lists every problem at once.
 *
 * @param stateToCode the state → code map from {@code --wecom-states}, or null: state = code
 */
public record WeComConfig(
    String host,
    int port,
    String path,
    String token,
    String aesKey,
    String corpId,
    String secret,
    URI apiUrl,
    String appid,
    Map<String, String> stateToCode,
    String bootstrapServers,
    String topic,
    String callbacksTopic,
    String deadLetterTopic,
    String groupId,
    String transactionalId,
    Duration maxAge,
    Duration dedupWindow,
    Duration storeTimeout,
    Duration apiTimeout,
    int apiAttempts,
    Duration retryBackoff,
    Duration retryBackoffMax,
    Duration missingMemberGrace) {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WeComConfig.class);

  static final Flags FLAGS =
      Flags.withEnvironment()
          .listen("8090")
          .value("path", "/upbot/wecom/callback", "the callback URL's path")
          .value("wecom-token", null, "the callback Token from WeCom's console (required)")
          .value("wecom-aes-key", null, "the callback EncodingAESKey, 43 characters (required)")
          .value("wecom-corp-id", null, "the corp ID (企业ID), the callbacks' receiveid (required)")
          .value("wecom-secret", null, "the app Secret for gettoken (required)")
          .value("wecom-api-url", "https://qyapi.weixin.qq.com", "WeCom's API base URL")
          .value("wecom-appid", null, "the appid join records are written under (required)")
          .value("wecom-states", "", "file of 'state code' lines; empty: the state is the code")
          .kafkaTopic("the events topic join records are written to")
          .value("callbacks-topic", "upbot.wecom-callbacks", "the outbox of pending callbacks")
          .value(
              "dead-letter-topic",
              "upbot.wecom-callbacks.dead",
              "callbacks that can never be resolved")
          .value("group-id", "upbot-wecom-resolver", "the resolver's consumer group")
          .value("transactional-id", "upbot-wecom-resolver", "the resolver's transactional id")
          .value("max-age", "5m", "a callback signed further than this from now is stale")
          .value("dedup-window", "1h", "how long resends of a stored callback are recognised")
          .value("store-timeout", "3s", "a callback not stored by then is answered 503")
          .value("api-timeout", "5s", "each WeCom API request's timeout")
          .value("api-attempts", "4", "tries per API call (network errors, busy)")
          .value("retry-backoff", "1s", "first wait before a failed lookup is tried again")
          .value("retry-backoff-max", "1m", "longest wait between lookups of one callback")
          .value(
              "missing-member-grace",
              "10m",
              "how long a new member the group does not list yet is waited for")
          // Kafka's own name for it; the project's name is --kafka-bootstrap, shared with the
          // endpoint and the job (UPBOT_KAFKA_BOOTSTRAP).
          .renamed("bootstrap-servers", "kafka-bootstrap", v -> v);

  /** A configuration that cannot be used; the message lists every problem. */
  public static final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(List<String> problems) {
      super("invalid configuration:\n  " + String.join("\n  ", problems));
    }
  }

  /** Reads flags over environment over defaults. */
  public static WeComConfig parse(String[] args, Map<String, String> env) throws ConfigException {
    return read(FLAGS.parse(args, env));
  }

  /** Reads already parsed values (tests build them with {@code with}). */
  static WeComConfig read(Values r) throws ConfigException {
    List<String> problems = r.problems();
    String host = r.required("host");
    Integer port = r.integer("port", 0, 65535);
    String path = r.required("path");
    if (path != null && !path.startsWith("/")) {
      problems.add("--path: must start with /");
    }
    String token = r.required("wecom-token");
    String aesKey = r.required("wecom-aes-key");
    if (aesKey != null && !aesKey.matches("[A-Za-z0-9+/]{43}")) {
      problems.add("--wecom-aes-key: must be the 43 characters of the EncodingAESKey");
    }
    String corpId = r.required("wecom-corp-id");
    String secret = r.required("wecom-secret");
    URI apiUrl =
        r.parsed(
            "wecom-api-url",
            v -> {
              URI u = URI.create(v.trim());
              if (!"https".equals(u.getScheme()) && !"http".equals(u.getScheme())) {
                throw new IllegalArgumentException("must be an http(s) URL");
              }
              return u;
            });
    String appid = r.required("wecom-appid");
    if (appid != null && appid.length() > 64) {
      problems.add("--wecom-appid: must be 1 to 64 characters");
    }
    Map<String, String> states = null;
    String statesFile = r.optional("wecom-states");
    if (statesFile != null) {
      try {
        states = readStates(Path.of(statesFile));
      } catch (IOException | IllegalArgumentException e) {
        problems.add("--wecom-states: " + e.getMessage());
      }
    }
    String bootstrap = r.required("kafka-bootstrap");
    String topic = r.required("topic");
    String callbacks = r.required("callbacks-topic");
    String dead = r.required("dead-letter-topic");
    String groupId = r.required("group-id");
    String txId = r.required("transactional-id");
    Duration maxAge = r.duration("max-age", Duration.ofSeconds(10), Duration.ofDays(1));
    Duration dedup = r.duration("dedup-window", Duration.ofMinutes(1), Duration.ofDays(7));
    Duration storeTimeout =
        r.duration("store-timeout", Duration.ofMillis(100), Duration.ofMillis(4500));
    Duration apiTimeout = r.duration("api-timeout", Duration.ofMillis(100), Duration.ofMinutes(1));
    Integer attempts = r.integer("api-attempts", 1, 20);
    Duration backoff = r.duration("retry-backoff", Duration.ofMillis(10), Duration.ofMinutes(5));
    Duration backoffMax =
        r.duration("retry-backoff-max", Duration.ofMillis(10), Duration.ofMinutes(10));
    Duration grace = r.duration("missing-member-grace", Duration.ZERO, Duration.ofDays(1));
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new WeComConfig(
        host,
        port,
        path,
        token,
        aesKey,
        corpId,
        secret,
        apiUrl,
        appid,
        states,
        bootstrap,
        topic,
        callbacks,
        dead,
        groupId,
        txId,
        maxAge,
        dedup,
        storeTimeout,
        apiTimeout,
        attempts,
        backoff,
        backoffMax,
        grace);
  }

  /**
   * The state → code file: one {@code state code} pair a line (white space between), {@code #}
   * comments and blank lines ignored; a state given twice is an error.
   */
  static Map<String, String> readStates(Path file) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+");
      if (parts.length != 2) {
        throw new IllegalArgumentException(
            file + " line " + (i + 1) + ": expected 'state code', got '" + line + "'");
      }
      if (parts[1].codePointCount(0, parts[1].length()) > 64) {
        throw new IllegalArgumentException(
            file + " line " + (i + 1) + ": a code is at most 64 characters");
      }
      if (out.put(parts[0], parts[1]) != null) {
        throw new IllegalArgumentException(
            file + " line " + (i + 1) + ": state " + parts[0] + " given twice");
      }
    }
    return out;
  }

  /**
   * Every flag's name ({@code wecom-token}, …); its variable is {@link Flags#envName}. Deployment
   * files are checked against these, since an unknown {@code UPBOT_} variable is not an error (the
   * programs share the prefix) and a misspelt one would be ignored.
   */
  public static Set<String> flagNames() {
    return Set.copyOf(FLAGS.names());
  }

  /** The usage text. */
  public static String usage() {
    return FLAGS.usage(
        "Usage: java -jar upbot-wecom.jar [--flag value]...  (or UPBOT_<FLAG> variables)");
  }

  @Override
  public String toString() {
    // Never print the Token, the EncodingAESKey or the Secret.
    return "WeComConfig[port=" + port + ", path=" + path + ", corpId=" + corpId + "]";
  }
}
