package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upbot.ingest.ExampleToken;
import io.upbot.ingest.IngestConfig;
import io.upbot.ingest.TokenStore;
import io.upbot.job.JobSettings;
import io.upbot.settings.Flags;
import io.upbot.wecom.WeComConfig;
import io.upbot.wecom.WeComReceiver;
import io.upbot.wecom.WeComReceiverMain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * No Docker engine runs here, so {@code docker-compose.yml} is checked by reading it: every file it
 * builds from or mounts exists, every flag and variable it passes is accepted by the real parsers
 * of the jars it runs, and the pieces agree on the topic.
 */
class ComposeFileTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static Map<String, Map<String, Object>> services;
  private static Map<String, Object> compose;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void readCompose() throws IOException {
    compose =
        new Yaml()
            .load(Files.readString(ROOT.resolve("docker-compose.yml"), StandardCharsets.UTF_8));
    services = (Map<String, Map<String, Object>>) compose.get("services");
    assertThat(services)
        .containsKeys(
            "kafka",
            "kafka-init",
            "postgres",
            "jobmanager",
            "taskmanager",
            "ingest",
            "wecom-topics",
            "wecom-receiver");
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldBuildFromDockerfilesWhoseSourcesExist() throws IOException {
    int builds = 0;
    for (Map.Entry<String, Map<String, Object>> s : services.entrySet()) {
      Map<String, Object> build = (Map<String, Object>) s.getValue().get("build");
      if (build == null) {
        continue;
      }
      builds++;
      Path context = ROOT.resolve((String) build.get("context")).normalize();
      Path dockerfile = context.resolve((String) build.get("dockerfile"));
      assertThat(dockerfile).as(s.getKey() + "'s Dockerfile").isRegularFile();
      for (String source : copiedFromContext(dockerfile)) {
        if (!source.equals(".")) {
          assertThat(context.resolve(source))
              .as("COPY source in " + dockerfile.getFileName())
              .exists();
        }
      }
    }
    assertThat(builds).isEqualTo(3);
  }

  @Test
  void shouldShipTheJarsTheModulesBuild() throws IOException {
    Map<Path, String> jarOfModule =
        Map.of(
            ROOT.resolve("docker/ingest.Dockerfile"), "ingest-endpoint",
            ROOT.resolve("docker/flink-job.Dockerfile"), "flink-job",
            ROOT.resolve("docker/wecom.Dockerfile"), "wecom");
    Pattern copyJar = Pattern.compile("COPY --from=build .*?/src/([a-z-]+)/target/([a-z-]+)\\.jar");
    for (Map.Entry<Path, String> e : jarOfModule.entrySet()) {
      Matcher m = copyJar.matcher(Files.readString(e.getKey()));
      assertThat(m.find()).as("a jar copied from the build stage in " + e.getKey()).isTrue();
      assertThat(m.group(1)).isEqualTo(e.getValue());
      // The module's pom must name the same shaded jar.
      assertThat(Files.readString(ROOT.resolve(e.getValue()).resolve("pom.xml")))
          .containsAnyOf(
              "<finalName>" + m.group(2) + "</finalName>", "/" + m.group(2) + ".jar</outputFile>");
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldMountOnlyFilesThatExist() {
    int mounts = 0;
    for (Map.Entry<String, Map<String, Object>> s : services.entrySet()) {
      for (Object v : (List<Object>) s.getValue().getOrDefault("volumes", List.of())) {
        String source = ((String) v).split(":")[0];
        if (source.startsWith("./")) {
          mounts++;
          assertThat(ROOT.resolve(source)).as(s.getKey() + " mounts " + source).exists();
        }
      }
    }
    assertThat(mounts).isGreaterThanOrEqualTo(2);
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldStartTheJobWithFlagsAndVariablesItAccepts() throws IOException {
    Map<String, Object> jm = services.get("jobmanager");
    List<String> args = (List<String>) jm.get("command");
    Map<String, String> env = environment(jm);
    assertThatCode(() -> JobSettings.parse(args.toArray(String[]::new), env))
        .doesNotThrowAnyException();
    JobSettings s = JobSettings.parse(args.toArray(String[]::new), env);
    assertThat(s.jdbcPassword()).isEqualTo(env.get("UPBOT_JDBC_PASSWORD"));

    // The entrypoint runs the job's main class, and the job image puts the script where it is
    // called.
    String entrypoint = ((List<String>) jm.get("entrypoint")).get(0);
    assertThat(Files.readString(ROOT.resolve("docker/flink-job.Dockerfile")))
        .contains("docker/jobmanager-entrypoint.sh " + entrypoint);
    String script = Files.readString(ROOT.resolve("docker/jobmanager-entrypoint.sh"));
    Matcher main = Pattern.compile("--job-classname (\\S+)").matcher(script);
    assertThat(main.find()).isTrue();
    assertThatCode(() -> Class.forName(main.group(1))).doesNotThrowAnyException();
    assertThat(Files.isExecutable(ROOT.resolve("docker/jobmanager-entrypoint.sh"))).isTrue();
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldStartTheEndpointWithVariablesItAcceptsAndAValidTokenFile() throws Exception {
    Map<String, Object> ingest = services.get("ingest");
    Map<String, String> env = new LinkedHashMap<>(environment(ingest));
    // The token file is mounted into the container: check the file on this side of the mount.
    String inContainer = env.get("UPBOT_TOKENS_FILE");
    Path onHost = null;
    for (Object v : (List<Object>) ingest.get("volumes")) {
      String[] parts = ((String) v).split(":");
      if (parts[1].equals(inContainer)) {
        onHost = ROOT.resolve(parts[0]);
      }
    }
    assertThat(onHost).as("a volume mounting " + inContainer).isNotNull();
    env.put("UPBOT_TOKENS_FILE", onHost.toString());
    IngestConfig config = IngestConfig.parse(new String[0], env);
    assertThat(config.kafkaBootstrap()).isEqualTo("kafka:19092");
    assertThat(TokenStore.load(onHost)).isNotNull();
  }

  /**
   * The shipped token file holds the public example token: with the compose file as shipped the
   * endpoint refuses to start, and only {@code UPBOT_DEMO=true} in the shell (a deliberate demo)
   * lets it.
   */
  @Test
  @SuppressWarnings("unchecked")
  void shouldRefuseTheExampleTokenUnlessTheShellSaysDemo() throws Exception {
    Map<String, Object> ingest = services.get("ingest");
    Path onHost = null;
    for (Object v : (List<Object>) ingest.get("volumes")) {
      String[] parts = ((String) v).split(":");
      if (parts[1].equals(environment(ingest).get("UPBOT_TOKENS_FILE"))) {
        onHost = ROOT.resolve(parts[0]);
      }
    }
    TokenStore tokens = TokenStore.load(onHost);
    for (Map.Entry<Map<String, String>, Boolean> shell :
        Map.of(
                Map.<String, String>of(),
                false,
                Map.of("UPBOT_DEMO", "false"),
                false,
                Map.of("UPBOT_DEMO", "true"),
                true)
            .entrySet()) {
      Map<String, String> env = new LinkedHashMap<>(environment(ingest, shell.getKey()));
      env.put("UPBOT_TOKENS_FILE", onHost.toString());
      IngestConfig config = IngestConfig.parse(new String[0], env);
      if (shell.getValue()) {
        assertThatCode(() -> ExampleToken.refuseUnlessAllowed(tokens, config))
            .doesNotThrowAnyException();
      } else {
        assertThatThrownBy(() -> ExampleToken.refuseUnlessAllowed(tokens, config))
            .as("shell " + shell.getKey())
            .hasMessageContaining("example token");
      }
    }
  }

  /**
   * Only the endpoint and the WeCom receiver (WeCom calls it from the internet) are published on
   * every interface; Kafka, PostgreSQL and Flink's REST/UI on loopback.
   */
  @Test
  @SuppressWarnings("unchecked")
  void shouldPublishOnlyTheEndpointAndTheReceiverBeyondLoopback() {
    Map<String, List<String>> published = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, Object>> s : services.entrySet()) {
      for (Object p : (List<Object>) s.getValue().getOrDefault("ports", List.of())) {
        published.computeIfAbsent(s.getKey(), k -> new ArrayList<>()).add(String.valueOf(p));
      }
    }
    assertThat(published)
        .containsOnlyKeys("kafka", "postgres", "jobmanager", "ingest", "wecom-receiver");
    published.forEach(
        (service, ports) -> {
          for (String p : ports) {
            String[] parts = p.split(":");
            if (service.equals("ingest")) {
              assertThat(p).isEqualTo("8080:8080");
            } else if (service.equals("wecom-receiver")) {
              assertThat(p).isEqualTo("8090:8090");
            } else {
              assertThat(parts).as(service + " publishes " + p).hasSize(3);
              assertThat(parts[0]).as(service + " publishes " + p).isEqualTo("127.0.0.1");
            }
          }
        });
    assertThat(published.get("jobmanager")).containsExactly("127.0.0.1:8081:8081");
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldUseOneTopicEverywhere() throws Exception {
    List<String> create = (List<String>) services.get("kafka-init").get("command");
    String created = create.get(create.indexOf("--topic") + 1);
    List<String> jobArgs = (List<String>) services.get("jobmanager").get("command");
    assertThat(
            JobSettings.parse(jobArgs.toArray(String[]::new), Map.of("UPBOT_JDBC_PASSWORD", "x"))
                .topic())
        .isEqualTo(created);
    assertThat(environment(services.get("ingest")).get("UPBOT_TOPIC")).isEqualTo(created);
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldSetOnlyFlinkOptionsThatExist() throws Exception {
    Set<String> known = FlinkOptionKeys.known();
    for (String service : List.of("jobmanager", "taskmanager")) {
      String props = environment(services.get(service)).get("FLINK_PROPERTIES");
      assertThat(props).as(service + " FLINK_PROPERTIES").isNotBlank();
      for (String line : props.split("\n")) {
        if (!line.isBlank()) {
          assertThat(known).as("Flink option in " + service).contains(line.split(":", 2)[0].trim());
        }
      }
    }
  }

  // ---------------------------------------------------------------- the WeCom receiver

  /** What the shell (or .env) gives the receiver in a real setup: the two settings not secret. */
  private static final Map<String, String> WECOM_SHELL =
      Map.of(
          "UPBOT_WECOM_CORP_ID", "ww5823bf96d3bd56c7", "UPBOT_WECOM_APPID", "wx1234567890abcdef");

  /** Every variable the receiver reads: UPBOT_ and the name of one of its flags. */
  private static Set<String> receiverVariables() {
    Set<String> out = new java.util.TreeSet<>();
    WeComConfig.flagNames().forEach(n -> out.add(Flags.envName(n)));
    return out;
  }

  /**
   * The variables as the container gets them: the service's environment, plus each secret file
   * turned into UPBOT_NAME by the entrypoint (values here stand in for the files' contents).
   */
  @SuppressWarnings("unchecked")
  private static Map<String, String> receiverEnvironment(Map<String, String> shell) {
    Map<String, Object> receiver = services.get("wecom-receiver");
    Map<String, String> env = new LinkedHashMap<>(environment(receiver, shell));
    for (Object secret : (List<Object>) receiver.get("secrets")) {
      String name = (String) secret;
      env.put(
          "UPBOT_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_'),
          name.equals("wecom-aes-key") ? "a".repeat(43) : "from-" + name);
    }
    return env;
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldPassTheReceiverOnlyVariablesItsConfigAccepts() {
    Map<String, Object> receiver = services.get("wecom-receiver");
    assertThat(environment(receiver).keySet()).isSubsetOf(receiverVariables());
    // The entrypoint names a secret file's variable after the file: the names must be flags.
    List<String> secrets = (List<String>) receiver.get("secrets");
    assertThat(secrets).containsExactlyInAnyOrder("wecom-token", "wecom-aes-key", "wecom-secret");
    assertThat(WeComConfig.flagNames()).containsAll(secrets);
    // No secret in the file: the three come from files only.
    assertThat(environment(receiver).keySet())
        .doesNotContain("UPBOT_WECOM_TOKEN", "UPBOT_WECOM_AES_KEY", "UPBOT_WECOM_SECRET");
  }

  @Test
  void shouldStartTheReceiverWithTheFileTheShellAndTheSecrets() throws Exception {
    WeComConfig config = WeComConfig.parse(new String[0], receiverEnvironment(WECOM_SHELL));
    assertThat(config.bootstrapServers()).isEqualTo("kafka:19092");
    assertThat(config.token()).isEqualTo("from-wecom-token");
    assertThat(config.secret()).isEqualTo("from-wecom-secret");
    assertThat(config.corpId()).isEqualTo(WECOM_SHELL.get("UPBOT_WECOM_CORP_ID"));
    // No map by default: state = code.
    assertThat(config.stateToCode()).isNull();

    // Without the shell's two settings the receiver says what is missing (and exits 2).
    assertThatThrownBy(() -> WeComConfig.parse(new String[0], receiverEnvironment(Map.of())))
        .hasMessageContaining("--wecom-corp-id: required")
        .hasMessageContaining("--wecom-appid: required");
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldShipAStatesExampleTheReceiverReadsWhereTheServiceMountsIt() throws Exception {
    String mount = null;
    for (Object v : (List<Object>) services.get("wecom-receiver").get("volumes")) {
      String[] parts = ((String) v).split(":");
      if (parts[0].equals("./docker/wecom")) {
        mount = parts[1];
      }
    }
    assertThat(mount).as("docker/wecom mounted").isNotNull();
    Map<String, String> env = new LinkedHashMap<>(receiverEnvironment(WECOM_SHELL));
    env.put("UPBOT_WECOM_STATES", ROOT.resolve("docker/wecom/states.example.txt").toString());
    assertThat(WeComConfig.parse(new String[0], env).stateToCode())
        .containsEntry("spring-poster", "IsFXtWUZ3x3hywGl");
    // The secrets' files live in the same folder, which git ignores but for the example.
    assertThat(Files.readAllLines(ROOT.resolve(".gitignore")))
        .contains("docker/wecom/*", "!docker/wecom/states.example.txt");
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldKeepTheReceiversSecretsInFilesUnderTheIgnoredFolder() {
    Map<String, Map<String, Object>> secrets =
        (Map<String, Map<String, Object>>) compose().get("secrets");
    for (Object name : (List<Object>) services.get("wecom-receiver").get("secrets")) {
      Map<String, Object> secret = secrets.get((String) name);
      assertThat(secret).as("top-level secret " + name).isNotNull();
      assertThat((String) secret.get("file")).isEqualTo("./docker/wecom/" + name);
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldRunTheReceiverJarAndCheckItsHealthOnItsPort() throws Exception {
    Map<String, Object> receiver = services.get("wecom-receiver");
    assertThat((List<String>) receiver.get("profiles")).containsExactly("wecom");
    assertThat((List<String>) services.get("wecom-topics").get("profiles"))
        .containsExactly("wecom");
    // The image's entrypoint runs the shaded jar, whose Main-Class is the receiver's main.
    String dockerfile = Files.readString(ROOT.resolve("docker/wecom.Dockerfile"));
    Matcher entry = Pattern.compile("ENTRYPOINT \\[\"([^\"]+)\"]").matcher(dockerfile);
    assertThat(entry.find()).isTrue();
    assertThat(dockerfile).contains("docker/wecom-entrypoint.sh " + entry.group(1));
    assertThat(dockerfile).contains("/wecom/target/upbot-wecom.jar /opt/upbot/upbot-wecom.jar");
    assertThat(Files.isExecutable(ROOT.resolve("docker/wecom-entrypoint.sh"))).isTrue();
    assertThat(Files.readString(ROOT.resolve("docker/wecom-entrypoint.sh")))
        .contains("-jar /opt/upbot/upbot-wecom.jar \"$@\"");
    assertThat(Files.readString(ROOT.resolve("wecom/pom.xml")))
        .contains("<mainClass>" + WeComReceiverMain.class.getName() + "</mainClass>");

    int port = WeComConfig.parse(new String[0], receiverEnvironment(WECOM_SHELL)).port();
    assertThat((List<Object>) receiver.get("ports")).containsExactly(port + ":" + port);
    Map<String, Object> health = (Map<String, Object>) receiver.get("healthcheck");
    assertThat((List<String>) health.get("test"))
        .containsExactly(
            "CMD",
            "curl",
            "-fsS",
            "-o",
            "/dev/null",
            "http://127.0.0.1:" + port + WeComReceiver.HEALTH_PATH);
    // It needs the outbox topics, made before it starts.
    Map<String, Map<String, String>> deps =
        (Map<String, Map<String, String>>) receiver.get("depends_on");
    assertThat(deps.get("wecom-topics"))
        .containsEntry("condition", "service_completed_successfully");
    assertThat(deps.get("kafka-init")).containsEntry("condition", "service_completed_successfully");
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldCreateTheTopicsTheReceiverUses() throws Exception {
    WeComConfig config = WeComConfig.parse(new String[0], receiverEnvironment(WECOM_SHELL));
    List<String> create = (List<String>) services.get("kafka-init").get("command");
    assertThat(config.topic()).isEqualTo(create.get(create.indexOf("--topic") + 1));
    String script = ((List<String>) services.get("wecom-topics").get("command")).get(0);
    Matcher topic = Pattern.compile("--topic (\\S+)").matcher(script);
    List<String> created = new ArrayList<>();
    while (topic.find()) {
      created.add(topic.group(1));
    }
    assertThat(created)
        .containsExactlyInAnyOrder(config.callbacksTopic(), config.deadLetterTopic());
    assertThat(script).contains("--bootstrap-server " + config.bootstrapServers());
  }

  /**
   * A healthcheck in the CMD-SHELL form runs /bin/sh: dash in the eclipse-temurin images, which has
   * no /dev/tcp, so such a check fails for ever and the container is never healthy.
   */
  @Test
  @SuppressWarnings("unchecked")
  void shouldNotCheckTheJavaServicesHealthThroughBashOnlyRedirections() {
    for (String service : List.of("ingest", "wecom-receiver")) {
      Map<String, Object> health = (Map<String, Object>) services.get(service).get("healthcheck");
      List<String> test = (List<String>) health.get("test");
      assertThat(test.get(0)).as(service).isEqualTo("CMD");
      assertThat(String.join(" ", test)).as(service).doesNotContain("/dev/tcp");
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> environment(Map<String, Object> service) {
    return environment(service, Map.of());
  }

  private static Map<String, Object> compose() {
    return compose;
  }

  /** The service's environment as compose resolves it when the shell sets {@code shell}. */
  @SuppressWarnings("unchecked")
  private static Map<String, String> environment(
      Map<String, Object> service, Map<String, String> shell) {
    Map<String, String> env = new LinkedHashMap<>();
    ((Map<String, Object>) service.getOrDefault("environment", Map.of()))
        .forEach((k, v) -> env.put(k, interpolate(String.valueOf(v), shell)));
    return env;
  }

  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+)(?::-([^}]*))?}");

  /** Compose's {@code ${NAME}} and {@code ${NAME:-default}} (the only forms the file uses). */
  private static String interpolate(String value, Map<String, String> shell) {
    Matcher m = VARIABLE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String set = shell.get(m.group(1));
      String v = set != null && !set.isEmpty() ? set : m.group(2) == null ? "" : m.group(2);
      m.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    return m.appendTail(out).toString();
  }

  /** The sources of the Dockerfile's COPY lines that copy from the build context. */
  private static List<String> copiedFromContext(Path dockerfile) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(dockerfile)) {
      String l = line.trim();
      if (!l.startsWith("COPY ") || l.contains("--from=")) {
        continue;
      }
      List<String> words = new ArrayList<>(List.of(l.substring(5).trim().split("\\s+")));
      words.removeIf(w -> w.startsWith("--"));
      out.addAll(words.subList(0, words.size() - 1));
    }
    return out;
  }
}
