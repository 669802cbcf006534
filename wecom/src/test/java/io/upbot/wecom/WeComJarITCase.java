package io.upbot.wecom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.upbot.schema.MediaEventCodec;
import io.upbot.testkit.KafkaBroker;
import io.upbot.testkit.wecom.MockWeCom;
import io.upbot.testkit.wecom.WeComCallbackSender;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shaded jar as an operator runs it: {@code java -jar upbot-wecom.jar}. */
class WeComJarITCase {

  static final Path JAR = Path.of("target", "upbot-wecom.jar");
  static final String AES_KEY = WeComCallbackSender.randomEncodingAesKey();

  static Process start(Path log, String... flags) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(List.of(flags));
    ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
    // Settings come from flags only: no UPBOT_* variable of the machine may leak in.
    b.environment().keySet().removeIf(k -> k.startsWith("UPBOT_"));
    return b.redirectOutput(log.toFile()).start();
  }

  @Test
  void shouldListEveryMissingSettingAndExitWith2() throws Exception {
    Path log = Files.createTempFile("upbot-wecom-jar-", ".log");
    try {
      Process p = start(log);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isEqualTo(2);
      assertThat(Files.readString(log))
          .contains("--wecom-token: required (or UPBOT_WECOM_TOKEN)")
          .contains("--kafka-bootstrap: required")
          .doesNotContain("Exception");
    } finally {
      Files.deleteIfExists(log);
    }
  }

  @Test
  void shouldVerifyTheUrlAndWriteAJoinFromTheJarAndStopOnSigterm() throws Exception {
    assertThat(JAR).exists();
    Path log = Files.createTempFile("upbot-wecom-jar-", ".log");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (KafkaBroker broker = KafkaBroker.start();
        MockWeCom wecom = MockWeCom.start("ww-jar", "jar-secret")) {
      broker.createTopic("jar-events", 1);
      broker.createTopic("jar-callbacks", 1);
      broker.createTopic("jar-dead", 1);
      long now = Instant.now().getEpochSecond();
      wecom.addMember(
          "chat-jar", MockWeCom.Member.external("wm-jar", "union-jar", "CODE-JAR", now));
      Process p =
          start(
              log,
              "--host",
              "127.0.0.1",
              "--port",
              Integer.toString(port),
              "--wecom-token",
              "jar-token",
              "--wecom-aes-key",
              AES_KEY,
              "--wecom-corp-id",
              "ww-jar",
              "--wecom-secret",
              "jar-secret",
              "--wecom-api-url",
              wecom.url(),
              "--wecom-appid",
              "wx-jar",
              "--kafka-bootstrap",
              broker.bootstrapServers(),
              "--topic",
              "jar-events",
              "--callbacks-topic",
              "jar-callbacks",
              "--dead-letter-topic",
              "jar-dead");
      try {
        HttpClient http = HttpClient.newHttpClient();
        URI health = URI.create("http://127.0.0.1:" + port + "/healthz");
        await()
            .atMost(Duration.ofSeconds(60))
            .ignoreExceptions()
            .until(
                () ->
                    http.send(
                                HttpRequest.newBuilder(health).build(),
                                HttpResponse.BodyHandlers.ofString())
                            .statusCode()
                        == 200);
        String url = "http://127.0.0.1:" + port + "/upbot/wecom/callback";
        WeComCallbackSender sender = new WeComCallbackSender("jar-token", AES_KEY, "ww-jar");
        assertThat(sender.verifyUrl(url, "echo-42").body()).isEqualTo("echo-42");
        assertThat(
                sender
                    .post(
                        url,
                        WeComCallbackSender.addMemberEvent(
                            "ww-jar", "chat-jar", now, 3, List.of("wm-jar")))
                    .body())
            .isEqualTo("success");
        await().atMost(Duration.ofSeconds(60)).until(() -> !broker.readAll("jar-events").isEmpty());
        assertThat(broker.readAll("jar-events"))
            .singleElement()
            .satisfies(
                r ->
                    assertThat(MediaEventCodec.decode(r.value()).unionid()).isEqualTo("union-jar"));
        String metrics =
            http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        assertThat(metrics).contains("upbot_wecom_join_records_total 1");
      } finally {
        p.destroy(); // SIGTERM
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      String out = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(out).contains("Ready on port " + port).contains("Stopped");
      assertThat(out)
          .doesNotContain("jar-secret")
          .doesNotContain(AES_KEY)
          .doesNotContain("Exception");
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
