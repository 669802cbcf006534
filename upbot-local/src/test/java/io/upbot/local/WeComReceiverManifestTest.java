package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.upbot.settings.Flags;
import io.upbot.wecom.WeComConfig;
import io.upbot.wecom.WeComReceiver;
import io.upbot.wecom.WeComReceiverMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No Kubernetes API server runs here, so {@code deploy/k8s/upbot-wecom-receiver.yaml} is checked by
 * reading it: the probes ask the receiver's own paths on its port, every variable is one the
 * receiver reads and together they start it, the three secrets come from a Secret, one replica
 * (docs/deploy.md#the-wecom-receiver), and the image is the one docker/wecom.Dockerfile builds.
 */
class WeComReceiverManifestTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path FILE = ROOT.resolve("deploy/k8s/upbot-wecom-receiver.yaml");

  private static final Map<String, JsonNode> byKind = new LinkedHashMap<>();
  private static JsonNode container;

  @BeforeAll
  static void read() throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    try (YAMLParser p = new YAMLFactory().createParser(FILE.toFile())) {
      for (JsonNode doc : yaml.readValues(p, JsonNode.class).readAll()) {
        byKind.put(doc.path("kind").asText(), doc);
      }
    }
    assertThat(byKind).containsOnlyKeys("Service", "Deployment");
    JsonNode containers =
        deployment().path("spec").path("template").path("spec").path("containers");
    assertThat(containers).hasSize(1);
    container = containers.get(0);
  }

  static JsonNode deployment() {
    return byKind.get("Deployment");
  }

  static Map<String, String> env() {
    return K8sContainers.environment(container);
  }

  /** The receiver's settings from the container's variables, secrets given stand-in values. */
  static WeComConfig config() throws WeComConfig.ConfigException {
    Map<String, String> env = new LinkedHashMap<>();
    env()
        .forEach(
            (k, v) -> {
              if (k.startsWith(Flags.ENV_PREFIX)) {
                env.put(
                    k,
                    !v.startsWith("secret ")
                        ? v
                        : k.equals("UPBOT_WECOM_AES_KEY") ? "a".repeat(43) : "from-" + v);
              }
            });
    return WeComConfig.parse(new String[0], env);
  }

  @Test
  void shouldSetOnlyVariablesTheReceiverReadsAndStartWithThem() throws Exception {
    List<String> known = new ArrayList<>();
    WeComConfig.flagNames().forEach(n -> known.add(Flags.envName(n)));
    for (String name : env().keySet()) {
      if (name.startsWith(Flags.ENV_PREFIX)) {
        assertThat(known).as(name + " is a receiver flag's variable").contains(name);
      }
    }
    WeComConfig c = config();
    assertThat(c.bootstrapServers()).isEqualTo("kafka.upbot.svc:9092");
    assertThat(c.topic()).isEqualTo("upbot.media-events");
    assertThat(c.stateToCode()).as("state = code unless a map is set").isNull();
    // No args: nothing the variables say is overridden by a flag.
    assertThat(container.has("args")).isFalse();
    assertThat(container.has("command")).as("the image's entrypoint").isFalse();
  }

  @Test
  void shouldTakeTheTokenKeyAndSecretFromASecret() throws Exception {
    assertThat(env())
        .containsEntry("UPBOT_WECOM_TOKEN", "secret upbot-wecom/token")
        .containsEntry("UPBOT_WECOM_AES_KEY", "secret upbot-wecom/aes-key")
        .containsEntry("UPBOT_WECOM_SECRET", "secret upbot-wecom/secret");
    WeComConfig c = config();
    assertThat(c.token()).isEqualTo("from-secret upbot-wecom/token");
    assertThat(c.secret()).isEqualTo("from-secret upbot-wecom/secret");
  }

  @Test
  void shouldProbeTheReceiversOwnPathsOnItsPort() throws Exception {
    int port = config().port();
    JsonNode containerPort = container.path("ports").get(0);
    assertThat(containerPort.path("containerPort").asInt()).isEqualTo(port);
    String portName = containerPort.path("name").asText();
    // Liveness on the health path: 503 once the resolver stopped, which a restart cures.
    assertThat(probe("livenessProbe")).isEqualTo(WeComReceiver.HEALTH_PATH + " " + portName);
    // Readiness and startup: it answers HTTP at all (storing callbacks needs no resolver).
    assertThat(probe("readinessProbe")).isEqualTo(WeComReceiver.METRICS_PATH + " " + portName);
    assertThat(probe("startupProbe")).isEqualTo(WeComReceiver.METRICS_PATH + " " + portName);
    JsonNode annotations =
        deployment().path("spec").path("template").path("metadata").path("annotations");
    assertThat(annotations.path("prometheus.io/path").asText())
        .isEqualTo(WeComReceiver.METRICS_PATH);
    assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo(port + "");

    JsonNode service = byKind.get("Service").path("spec");
    assertThat(service.path("ports").get(0).path("targetPort").asText()).isEqualTo(portName);
    JsonNode labels = deployment().path("spec").path("template").path("metadata").path("labels");
    service
        .path("selector")
        .fields()
        .forEachRemaining(e -> assertThat(labels.path(e.getKey())).isEqualTo(e.getValue()));
    assertThat(deployment().path("spec").path("selector").path("matchLabels"))
        .isEqualTo(service.path("selector"));
  }

  @Test
  void shouldRunOneReplicaAndOverlapOnlyDuringARollout() {
    JsonNode spec = deployment().path("spec");
    assertThat(spec.path("replicas").asInt()).isEqualTo(1);
    JsonNode rolling = spec.path("strategy").path("rollingUpdate");
    assertThat(spec.path("strategy").path("type").asText()).isEqualTo("RollingUpdate");
    assertThat(rolling.path("maxSurge").asInt()).isEqualTo(1);
    assertThat(rolling.path("maxUnavailable").asInt()).isZero();
    // The old pod stops before its liveness probe could restart it (and fence the new one).
    JsonNode liveness = container.path("livenessProbe");
    assertThat(spec.path("template").path("spec").path("terminationGracePeriodSeconds").asInt())
        .isGreaterThanOrEqualTo(35);
    assertThat(liveness.path("periodSeconds").asInt() * liveness.path("failureThreshold").asInt())
        .isGreaterThanOrEqualTo(20);
  }

  @Test
  void shouldRunTheImageBuiltFromTheReceiversDockerfile() throws IOException {
    String image = container.path("image").asText();
    String repository = image.substring(image.indexOf('/') + 1, image.lastIndexOf(':'));
    // The compose file builds the same image from the same Dockerfile.
    String compose = Files.readString(ROOT.resolve("docker-compose.yml"));
    assertThat(compose)
        .contains("dockerfile: docker/wecom.Dockerfile\n    image: " + repository + ":dev");
    String dockerfile = Files.readString(ROOT.resolve("docker/wecom.Dockerfile"));
    assertThat(dockerfile).contains("/wecom/target/upbot-wecom.jar /opt/upbot/upbot-wecom.jar");
    assertThat(Files.readString(ROOT.resolve("wecom/pom.xml")))
        .contains("<mainClass>" + WeComReceiverMain.class.getName() + "</mainClass>");
    // The image's user is the one the pod requires.
    assertThat(dockerfile).contains("--uid 10001");
    assertThat(
            deployment()
                .path("spec")
                .path("template")
                .path("spec")
                .path("securityContext")
                .path("runAsUser")
                .asInt())
        .isEqualTo(10001);
  }

  private static String probe(String name) {
    JsonNode get = container.path(name).path("httpGet");
    return get.path("path").asText() + " " + get.path("port").asText();
  }
}
