package io.upbot.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The token of the local mode when the user brings none: created once in the data dir, for any
 * appid, and kept across restarts so a saved curl command keeps working.
 */
final class LocalTokens {

  private static final ObjectMapper JSON = new ObjectMapper();

  private LocalTokens() {}

  /** The local token file, created with a fresh random token if missing, and its token. */
  static String ensure(Path file) throws IOException {
    if (Files.exists(file)) {
      JsonNode t = JSON.readTree(file.toFile()).path("tokens").path(0).path("token");
      if (!t.isTextual()) {
        throw new IOException(
            file + " has no plain token; pass --tokens to use your own token file");
      }
      return t.textValue();
    }
    byte[] random = new byte[16];
    new SecureRandom().nextBytes(random);
    String token = "local-" + HexFormat.of().formatHex(random);
    String body =
        "{\n  \"tokens\": [\n    {\"name\": \"local\", \"token\": \""
            + token
            + "\", \"appids\": \"*\"}\n  ]\n}\n";
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, body, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    return token;
  }
}
