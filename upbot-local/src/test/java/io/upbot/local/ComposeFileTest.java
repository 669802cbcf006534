package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upbot.ingest.ExampleToken;
import io.upbot.ingest.IngestConfig;
import io.upbot.ingest.TokenStore;
import io.upbot.job.JobSettings;
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

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void readCompose() throws IOException {
    Map<String, Object> compose =
        new Yaml()
            .load(Files.readString(ROOT.resolve("docker-compose.yml"), StandardCharsets.UTF_8));
    services = (Map<String, Map<String, Object>>) compose.get("services");
    assertThat(services)
        .containsKeys("kafka", "kafka-init", "postgres", "jobmanager", "taskmanager", "ingest");
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
    assertThat(builds).isEqualTo(2);
  }

  @Test
  void shouldShipTheJarsTheModulesBuild() throws IOException {
    Map<Path, String> jarOfModule =
        Map.of(
            ROOT.resolve("docker/ingest.Dockerfile"), "ingest-endpoint",
            ROOT.resolve("docker/flink-job.Dockerfile"), "flink-job");
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
   * Only the endpoint is published on every interface; Kafka, PostgreSQL and Flink's REST/UI on
   * loopback.
   */
  @Test
  @SuppressWarnings("unchecked")
  void shouldPublishOnlyTheEndpointBeyondLoopback() {
    Map<String, List<String>> published = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, Object>> s : services.entrySet()) {
      for (Object p : (List<Object>) s.getValue().getOrDefault("ports", List.of())) {
        published.computeIfAbsent(s.getKey(), k -> new ArrayList<>()).add(String.valueOf(p));
      }
    }
    assertThat(published).containsOnlyKeys("kafka", "postgres", "jobmanager", "ingest");
    published.forEach(
        (service, ports) -> {
          for (String p : ports) {
            String[] parts = p.split(":");
            if (service.equals("ingest")) {
              assertThat(p).isEqualTo("8080:8080");
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

  @SuppressWarnings("unchecked")
  private static Map<String, String> environment(Map<String, Object> service) {
    return environment(service, Map.of());
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
