package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.upbot.testkit.KafkaBroker;
import io.upbot.testkit.wecom.MockWeCom;
import io.upbot.testkit.wecom.WeComCallbackSender;
import io.upbot.wecom.WeComConfig;
import io.upbot.wecom.WeComReceiver;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The WeCom receiver as docker-compose.yml and the Kubernetes manifest start it, on this machine:
 * the image's entrypoint script (run by /bin/sh, dash here as in the image) with the service's
 * variables and its secrets as files, the shaded jar, a real broker. The compose healthcheck's own
 * command passes while the receiver serves and fails once its resolver is fenced; the manifest's
 * probe paths answer.
 */
class WeComReceiverDeployITCase {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path JAR = ROOT.resolve("wecom/target/upbot-wecom.jar");
  private static final String CORP = "ww5823bf96d3bd56c7";
  private static final String TOKEN = "token-from-a-file";
  private static final String AES_KEY = WeComCallbackSender.randomEncodingAesKey();

  @TempDir Path dir;

  @Test
  @SuppressWarnings("unchecked")
  void shouldStartFromTheComposeServiceAndPassItsHealthcheckUntilTheResolverIsFenced()
      throws Exception {
    assertThat(JAR).as("the shaded jar (mvn -pl upbot-local -am verify builds it)").exists();
    Map<String, Object> compose =
        new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
    Map<String, Map<String, Object>> services =
        (Map<String, Map<String, Object>>) compose.get("services");
    Map<String, Object> service = services.get("wecom-receiver");
    int port = freePort();
    try (KafkaBroker broker = KafkaBroker.start();
        MockWeCom wecom = MockWeCom.start(CORP, "the-app-secret")) {
      // The topics kafka-init and wecom-topics create.
      Map<String, String> env = serviceEnvironment(service);
      for (String topic :
          List.of(
              env.get("UPBOT_TOPIC"),
              env.get("UPBOT_CALLBACKS_TOPIC"),
              env.get("UPBOT_DEAD_LETTER_TOPIC"))) {
        broker.createTopic(topic, 1);
      }
      // What differs on this machine: the broker, the API, a free port on loopback.
      env.put("UPBOT_KAFKA_BOOTSTRAP", broker.bootstrapServers());
      env.put("UPBOT_WECOM_API_URL", wecom.url());
      env.put("UPBOT_HOST", "127.0.0.1");
      env.put("UPBOT_PORT", Integer.toString(port));
      // The secrets as compose mounts them: one file each, named after the secret, a newline at
      // the end as an editor leaves it.
      Path secrets = Files.createDirectories(dir.resolve("secrets"));
      Map<String, String> values =
          Map.of("wecom-token", TOKEN, "wecom-aes-key", AES_KEY, "wecom-secret", "the-app-secret");
      for (Object name : (List<Object>) service.get("secrets")) {
        Files.writeString(secrets.resolve((String) name), values.get((String) name) + "\n");
      }
      env.put("UPBOT_SECRETS_DIR", secrets.toString());

      Path log = dir.resolve("receiver.log");
      Process receiver = startEntrypoint(env, log);
      try {
        // The container port the service publishes, where its healthcheck asks.
        String inContainer =
            String.valueOf(((List<Object>) service.get("ports")).get(0)).split(":")[1];
        List<String> healthcheck =
            healthcheck(service, "127.0.0.1:" + inContainer + "/", "127.0.0.1:" + port + "/");
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> {
                  // A receiver that exited (a setting it refused) fails at once, with its words.
                  assertThat(receiver.isAlive())
                      .as("the receiver runs; its output:\n%s", Files.readString(log))
                      .isTrue();
                  return run(healthcheck) == 0;
                });

        // The Token and key came from the files (their newline dropped): WeCom's URL check passes.
        String url =
            "http://127.0.0.1:" + port + env.getOrDefault("UPBOT_PATH", "/upbot/wecom/callback");
        WeComCallbackSender sender = new WeComCallbackSender(TOKEN, AES_KEY, CORP);
        assertThat(sender.verifyUrl(url, "echo-7").body()).isEqualTo("echo-7");

        // The manifest's probes ask paths the receiver answers with 200 while all is well.
        HttpClient http = HttpClient.newHttpClient();
        for (String probePath : probePaths()) {
          assertThat(get(http, port, probePath)).as(probePath).isEqualTo(200);
        }

        // The healthcheck passes as soon as the receiver serves, which may be before its resolver
        // holds the transactional id (the broker creates its transaction log on that first
        // request, seconds on a loaded machine). The first must hold it before the second asks,
        // or the first's late initialisation fences the second and stays healthy: CI's failure.
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> metrics(http, port).contains("upbot_wecom_resolver_ready 1\n"));

        // A second receiver with the same transactional id fences this one's resolver: the
        // healthcheck's command must fail then (compose shows the container unhealthy).
        WeComConfig secondConfig =
            WeComConfig.parse(
                new String[] {"--port", "0", "--host", "127.0.0.1", "--group-id", "other-group"},
                new LinkedHashMap<>(
                    Map.of(
                        "UPBOT_KAFKA_BOOTSTRAP",
                        broker.bootstrapServers(),
                        "UPBOT_WECOM_API_URL",
                        wecom.url(),
                        "UPBOT_WECOM_TOKEN",
                        TOKEN,
                        "UPBOT_WECOM_AES_KEY",
                        AES_KEY,
                        "UPBOT_WECOM_CORP_ID",
                        CORP,
                        "UPBOT_WECOM_SECRET",
                        "the-app-secret",
                        "UPBOT_WECOM_APPID",
                        env.get("UPBOT_WECOM_APPID"))));
        try (WeComReceiver second = WeComReceiver.start(secondConfig)) {
          await().atMost(Duration.ofSeconds(60)).until(() -> second.metrics().resolverReady());
          AtomicInteger n = new AtomicInteger();
          try {
            await()
                .atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500))
                .until(
                    () -> {
                      String chat = "chat-" + n.incrementAndGet();
                      long now = Instant.now().getEpochSecond();
                      wecom.addMember(
                          chat, MockWeCom.Member.external("wm-" + chat, "u-" + chat, "C1", now));
                      sender.post(
                          url,
                          WeComCallbackSender.addMemberEvent(
                              CORP, chat, now, 1, List.of("wm-" + chat)));
                      return run(healthcheck) != 0;
                    });
          } catch (ConditionTimeoutException e) {
            // What the first receiver did meanwhile is the only clue to why it was never fenced.
            throw new AssertionError(
                "the first receiver still passes its healthcheck; its output:\n"
                    + Files.readString(log),
                e);
          }
          assertThat(get(http, port, WeComReceiver.HEALTH_PATH)).isEqualTo(503);
          assertThat(second.metrics().resolverReady()).as("the second holds the id").isTrue();
        }
      } finally {
        receiver.destroy();
        assertThat(receiver.waitFor(60, TimeUnit.SECONDS)).isTrue();
      }
      String out = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(out)
          .contains("Ready on port " + port)
          .doesNotContain(TOKEN)
          .doesNotContain(AES_KEY);
    }
  }

  /** The service's environment with the shell's two settings, as compose interpolates it. */
  @SuppressWarnings("unchecked")
  private static Map<String, String> serviceEnvironment(Map<String, Object> service) {
    Map<String, String> shell =
        Map.of("UPBOT_WECOM_CORP_ID", CORP, "UPBOT_WECOM_APPID", "wx1234567890abcdef");
    Pattern variable = Pattern.compile("\\$\\{([A-Z0-9_]+):-([^}]*)}");
    Map<String, String> env = new LinkedHashMap<>();
    ((Map<String, Object>) service.get("environment"))
        .forEach(
            (k, v) -> {
              Matcher m = variable.matcher(String.valueOf(v));
              env.put(
                  k, m.matches() ? shell.getOrDefault(m.group(1), m.group(2)) : String.valueOf(v));
            });
    return env;
  }

  /** The healthcheck's command, its address moved to where the receiver listens here. */
  @SuppressWarnings("unchecked")
  private static List<String> healthcheck(Map<String, Object> service, String from, String to) {
    List<String> test =
        (List<String>) ((Map<String, Object>) service.get("healthcheck")).get("test");
    assertThat(test.get(0)).isEqualTo("CMD");
    List<String> command = new ArrayList<>();
    for (String word : test.subList(1, test.size())) {
      command.add(word.replace(from, to));
    }
    assertThat(command).anyMatch(w -> w.contains(to));
    return command;
  }

  /** The HTTP paths of the Kubernetes manifest's probes. */
  private static List<String> probePaths() throws IOException {
    List<String> out = new ArrayList<>();
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    try (var p =
        new YAMLFactory()
            .createParser(ROOT.resolve("deploy/k8s/upbot-wecom-receiver.yaml").toFile())) {
      for (JsonNode doc : yaml.readValues(p, JsonNode.class).readAll()) {
        for (JsonNode c : doc.path("spec").path("template").path("spec").path("containers")) {
          for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            out.add(c.path(probe).path("httpGet").path("path").asText());
          }
        }
      }
    }
    assertThat(out).hasSize(3).doesNotContain("");
    return out;
  }

  /**
   * Runs docker/wecom-entrypoint.sh as the image does, with a {@code java} on the PATH that runs
   * this JVM on the jar the module built instead of /opt/upbot/upbot-wecom.jar.
   */
  private Process startEntrypoint(Map<String, String> env, Path log) throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path java = bin.resolve("java");
    String realJava = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Files.writeString(
        java,
        "#!/bin/sh\n"
            + "# The image's java, with the jar where this build put it.\n"
            + "for a in \"$@\"; do\n"
            + "  shift\n"
            + "  if [ \"$a\" = /opt/upbot/upbot-wecom.jar ]; then a='"
            + JAR
            + "'; fi\n"
            + "  set -- \"$@\" \"$a\"\n"
            + "done\n"
            + "exec '"
            + realJava
            + "' -Xmx256m \"$@\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    ProcessBuilder b =
        new ProcessBuilder("/bin/sh", ROOT.resolve("docker/wecom-entrypoint.sh").toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    b.environment().keySet().removeIf(k -> k.startsWith("UPBOT_"));
    b.environment().putAll(env);
    b.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    return b.start();
  }

  private static int run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(10, TimeUnit.SECONDS) ? p.exitValue() : -1;
  }

  private static int get(HttpClient http, int port, String path) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static String metrics(HttpClient http, int port) throws Exception {
    return http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + WeComReceiver.METRICS_PATH))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
