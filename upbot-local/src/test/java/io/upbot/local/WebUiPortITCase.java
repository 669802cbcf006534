package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./upbot local} starts when something else holds the Flink web UI's default port. */
class WebUiPortITCase {

  @TempDir Path dataDir;

  @Test
  void shouldStartOnAFreeUiPortAndPrintItWhen8081IsTaken() throws Exception {
    // Hold 8081 ourselves; if something else already holds it, it is taken all the same.
    try (ServerSocket holder = holdIfFree(LocalStack.DEFAULT_WEB_PORT)) {
      assertThat(LocalStack.isFree(LocalStack.DEFAULT_WEB_PORT)).isFalse();
      LocalStack.Options options =
          UpbotCli.localOptions(
              new String[] {"--port", "0", "--kafka-port", "0", "--data-dir", dataDir.toString()});
      ByteArrayOutputStream printed = new ByteArrayOutputStream();

      try (LocalStack stack =
          LocalStack.start(options, new PrintStream(printed, true, StandardCharsets.UTF_8))) {
        assertThat(stack.webPort()).isNotEqualTo(LocalStack.DEFAULT_WEB_PORT);
        assertThat(printed.toString(StandardCharsets.UTF_8))
            .contains("flink ui   http://127.0.0.1:" + stack.webPort() + "  (8081 was taken)");
        HttpResponse<String> overview =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + stack.webPort() + "/jobs/overview"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(overview.statusCode()).isEqualTo(200);
        assertThat(overview.body()).contains("upbot analytics (local)").contains("RUNNING");
      }
    }
  }

  private static ServerSocket holdIfFree(int port) throws IOException {
    ServerSocket s = new ServerSocket();
    try {
      s.bind(new InetSocketAddress("127.0.0.1", port));
    } catch (IOException alreadyTaken) {
      s.close();
    }
    return s;
  }
}
