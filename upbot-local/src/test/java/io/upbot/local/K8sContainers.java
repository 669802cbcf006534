package io.upbot.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading Kubernetes containers in the deployment files' tests. */
final class K8sContainers {
  private K8sContainers() {}

  /** A container's variables: plain values, and secret references as "secret name/key". */
  static Map<String, String> environment(JsonNode container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (JsonNode e : container.path("env")) {
      JsonNode secret = e.path("valueFrom").path("secretKeyRef");
      env.put(
          e.path("name").asText(),
          secret.isMissingNode()
              ? e.path("value").asText()
              : "secret " + secret.path("name").asText() + "/" + secret.path("key").asText());
    }
    return env;
  }
}
