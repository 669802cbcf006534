package io.upbot.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token shipped for docker compose is public: the endpoint starts with it only when told it is
 * a demo.
 */
class ExampleTokenTest {
  static final Path SHIPPED = Path.of("..", "docker", "tokens.example.json");
  @TempDir Path dir;

  static IngestConfig config(Path tokens, String... extra) throws Exception {
    String[] base = {
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "--kafka-bootstrap",
      "127.0.0.1:1",
      "--tokens-file",
      tokens.toString()
    };
    String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return IngestConfig.parse(args, Map.of());
  }

  @Test
  void shouldRefuseToStartWithTheShippedTokenFileUnlessItIsADemo() throws Exception {
    // The check knows the token the repository really ships.
    assertThat(TokenStore.load(SHIPPED).lookup(ExampleToken.VALUE)).isNotNull();
    assertThatThrownBy(() -> IngestServer.start(config(SHIPPED)))
        .isInstanceOf(TokenStore.TokenFileException.class)
        .hasMessageContaining("example token")
        .hasMessageContaining("--allow-example-token true")
        .hasMessageContaining("UPBOT_ALLOW_EXAMPLE_TOKEN=true");
    try (IngestServer demo = IngestServer.start(config(SHIPPED, "--allow-example-token", "true"))) {
      assertThat(demo.port()).isPositive();
    }
  }

  @Test
  void shouldStartWithOwnTokensAlsoWhenTheSameNameIsUsed() throws Exception {
    Path own = dir.resolve("tokens.json");
    Files.writeString(
        own, Files.readString(SHIPPED).replace(ExampleToken.VALUE, "a-secret-of-our-own"));
    IngestConfig config = config(own);
    assertThatCode(() -> ExampleToken.refuseUnlessAllowed(TokenStore.load(own), config))
        .doesNotThrowAnyException();
  }

  @Test
  void shouldRecogniseTheExampleTokenGivenAsADigest() throws Exception {
    Path hashed = dir.resolve("tokens.json");
    Files.writeString(
        hashed,
        "{\"tokens\":[{\"sha256\":\""
            + TestEndpoint.sha256Hex(ExampleToken.VALUE)
            + "\",\"appids\":[\"wx1\"]}]}");
    IngestConfig config = config(hashed);
    assertThatThrownBy(() -> ExampleToken.refuseUnlessAllowed(TokenStore.load(hashed), config))
        .isInstanceOf(TokenStore.TokenFileException.class);
  }
}
