package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import io.upbot.job.JobSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No Kubernetes API server runs here, so {@code deploy/k8s/upbot-analytics.yaml} is checked by
 * reading it: against the Flink Kubernetes Operator's own CRD schema (a copy in the test resources,
 * source and version noted in it), strictly (an unknown field is an error, as with {@code kubectl
 * apply --validate=strict}), and for what upbot needs of it: application mode, RocksDB, checkpoints
 * and savepoints on object storage, upgrade mode {@code savepoint}, flags the job accepts.
 */
class FlinkDeploymentFileTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String CRD = "/k8s/flinkdeployments.flink.apache.org-v1.yml";

  private static JsonNode deployment;
  private static JsonNode crd;
  private static Schema schema;

  @BeforeAll
  static void read() throws IOException {
    deployment = YAML.readTree(ROOT.resolve("deploy/k8s/upbot-analytics.yaml").toFile());
    try (InputStream in = FlinkDeploymentFileTest.class.getResourceAsStream(CRD)) {
      crd = YAML.readTree(in);
    }
    String[] apiVersion = deployment.path("apiVersion").asText().split("/");
    assertThat(apiVersion[0]).isEqualTo(crd.path("spec").path("group").asText());
    JsonNode version = null;
    for (JsonNode v : crd.path("spec").path("versions")) {
      if (v.path("name").asText().equals(apiVersion[1]) && v.path("served").asBoolean()) {
        version = v;
      }
    }
    assertThat(version).as("a served version " + apiVersion[1] + " in the CRD").isNotNull();
    ObjectNode openApi =
        (ObjectNode) strict(version.path("schema").path("openAPIV3Schema").deepCopy());
    // Every resource has these at its root; Kubernetes checks them itself, CRDs do not list them.
    ObjectNode root = (ObjectNode) openApi.path("properties");
    root.putObject("apiVersion").put("type", "string");
    root.putObject("kind").put("type", "string");
    root.putObject("metadata").put("type", "object");
    // OpenAPI v3 schemas are JSON Schema draft 4 plus Kubernetes' annotations, which the API server
    // applies itself (int-or-string also comes with an anyOf that says the same).
    Dialect kubernetes =
        Dialect.builder(Dialects.getDraft4())
            .keyword(new NonValidationKeyword("x-kubernetes-preserve-unknown-fields"))
            .keyword(new NonValidationKeyword("x-kubernetes-int-or-string"))
            .build();
    schema = SchemaRegistry.withDefaultDialect(kubernetes).getSchema(openApi);
  }

  /**
   * Kubernetes drops unknown fields unless the validation is strict; a misspelt field would then be
   * silently ignored. Every object schema that lists its properties (and does not keep unknown
   * fields) is made to refuse others.
   */
  static JsonNode strict(JsonNode node) {
    if (node instanceof ObjectNode o) {
      if (o.has("properties")
          && !o.has("additionalProperties")
          && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
        o.put("additionalProperties", false);
      }
      for (Iterator<JsonNode> it = o.elements(); it.hasNext(); ) {
        strict(it.next());
      }
    } else if (node.isArray()) {
      node.forEach(FlinkDeploymentFileTest::strict);
    }
    return node;
  }

  static List<String> errors(JsonNode document) {
    List<String> out = new ArrayList<>();
    for (Error e : schema.validate(document)) {
      out.add(e.toString());
    }
    return out;
  }

  @Test
  void shouldMatchTheOperatorsCrdSchemaWithoutAnUnknownField() {
    assertThat(deployment.path("kind").asText())
        .isEqualTo(crd.path("spec").path("names").path("kind").asText());
    assertThat(errors(deployment)).isEmpty();
  }

  @Test
  void shouldCatchAMisspeltFieldAndAnUnknownUpgradeMode() {
    ObjectNode misspelt = deployment.deepCopy();
    ObjectNode job = (ObjectNode) misspelt.path("spec").path("job");
    job.set("upgradMode", job.remove("upgradeMode"));
    assertThat(errors(misspelt)).anyMatch(e -> e.contains("upgradMode"));

    ObjectNode unknownMode = deployment.deepCopy();
    ((ObjectNode) unknownMode.path("spec").path("job")).put("upgradeMode", "snapshot");
    assertThat(errors(unknownMode)).anyMatch(e -> e.contains("upgradeMode"));
  }

  @Test
  void shouldRunTheImagesJarInApplicationModeAndUpgradeThroughASavepoint() throws IOException {
    JsonNode spec = deployment.path("spec");
    // A FlinkDeployment with a job is application mode: the job gets its own JobManager.
    assertThat(spec.path("job").isObject()).isTrue();
    assertThat(spec.path("flinkVersion").asText()).isEqualTo("v2_0");
    assertThat(spec.path("job").path("upgradeMode").asText()).isEqualTo("savepoint");
    assertThat(spec.path("job").path("state").asText()).isEqualTo("running");

    // The jar is where the image built from docker/flink-job.Dockerfile puts it.
    String jarUri = spec.path("job").path("jarURI").asText();
    assertThat(jarUri).startsWith("local://");
    assertThat(Files.readString(ROOT.resolve("docker/flink-job.Dockerfile")))
        .contains("/upbot-flink-job.jar " + jarUri.substring("local://".length()));
    // The entry class throws on a bad start (JobCli, the command line's, would exit the
    // JobManager).
    assertThat(spec.path("job").path("entryClass").asText())
        .isEqualTo(io.upbot.job.JobMain.class.getName());
  }

  @Test
  void shouldKeepRocksDbStateWithCheckpointsAndSavepointsOnObjectStorage() {
    JsonNode conf = deployment.path("spec").path("flinkConfiguration");
    assertThat(conf.path("state.backend.type").asText()).isEqualTo("rocksdb");
    String checkpoints = conf.path("execution.checkpointing.dir").asText();
    assertThat(checkpoints).startsWith("s3://");
    assertThat(conf.path("execution.checkpointing.savepoint-dir").asText()).startsWith("s3://");
    assertThat(conf.path("high-availability.storageDir").asText()).startsWith("s3://");
    // The official image enables the S3 file system plugin named here.
    assertThat(containerEnvironment())
        .containsEntry("ENABLE_BUILT_IN_PLUGINS", "flink-s3-fs-presto-2.0.2.jar");

    List<String> args = new ArrayList<>();
    deployment.path("spec").path("job").path("args").forEach(a -> args.add(a.asText()));
    JobSettings s =
        JobSettings.parse(
            args.toArray(String[]::new), Map.of("UPBOT_JDBC_PASSWORD", "from-the-secret"));
    assertThat(s.stateBackend()).isEqualTo("rocksdb");
    assertThat(s.checkpointDir()).isEqualTo(checkpoints);
    assertThat(s.bounded()).isFalse();
  }

  @Test
  void shouldTakeTheDatabasePasswordFromASecret() {
    assertThat(containerEnvironment())
        .containsEntry("UPBOT_JDBC_PASSWORD", "secret upbot-database/password");
    assertThat(deployment.path("spec").path("job").path("args").toString())
        .doesNotContain("password");
  }

  @Test
  void shouldSetOnlyFlinkOptionsThatExist() throws Exception {
    Set<String> known = FlinkOptionKeys.known();
    List<String> keys = new ArrayList<>();
    deployment.path("spec").path("flinkConfiguration").fieldNames().forEachRemaining(keys::add);
    assertThat(keys).isNotEmpty();
    for (String key : keys) {
      // Reporters and file systems are plugins: their options have no constant in Flink's core.
      if (!key.startsWith("metrics.reporter.") && !key.startsWith("s3.")) {
        assertThat(known).as("Flink option " + key).contains(key);
      }
    }
  }

  /** The main container's variables: plain values, and secret references as "secret name/key". */
  private static Map<String, String> containerEnvironment() {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    for (JsonNode c : deployment.path("spec").path("podTemplate").path("spec").path("containers")) {
      if (c.path("name").asText().equals("flink-main-container")) {
        env.putAll(K8sContainers.environment(c));
      }
    }
    return env;
  }
}
