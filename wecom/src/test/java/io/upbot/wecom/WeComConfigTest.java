package io.upbot.wecom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeComConfigTest {

  static final String KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2Z";

  static String[] required(String... more) {
    String[] base = {
      "--wecom-token",
      "t",
      "--wecom-aes-key",
      KEY,
      "--wecom-corp-id",
      "ww1",
      "--wecom-secret",
      "s",
      "--wecom-appid",
      "wx-app",
      "--kafka-bootstrap",
      "127.0.0.1:9092"
    };
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  @Test
  void shouldReadTheRequiredFlagsAndDefaultTheRest() throws Exception {
    WeComConfig c = WeComConfig.parse(required(), Map.of());
    assertThat(c.port()).isEqualTo(8090);
    assertThat(c.path()).isEqualTo("/upbot/wecom/callback");
    assertThat(c.callbacksTopic()).isEqualTo("upbot.wecom-callbacks");
    assertThat(c.topic()).isEqualTo("upbot.media-events");
    assertThat(c.maxAge()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.stateToCode()).isNull();
    assertThat(c.apiUrl().toString()).isEqualTo("https://qyapi.weixin.qq.com");
  }

  @Test
  void shouldListEveryMissingSettingAtOnce() {
    assertThatThrownBy(() -> WeComConfig.parse(new String[0], Map.of()))
        .hasMessageContaining("--wecom-token: required (or UPBOT_WECOM_TOKEN)")
        .hasMessageContaining("--wecom-aes-key: required")
        .hasMessageContaining("--wecom-corp-id: required")
        .hasMessageContaining("--wecom-secret: required")
        .hasMessageContaining("--wecom-appid: required")
        .hasMessageContaining("--kafka-bootstrap: required");
  }

  @Test
  void shouldReadSettingsFromTheEnvironment() throws Exception {
    WeComConfig c =
        WeComConfig.parse(
            new String[0],
            Map.of(
                "UPBOT_WECOM_TOKEN", "t",
                "UPBOT_WECOM_AES_KEY", KEY,
                "UPBOT_WECOM_CORP_ID", "ww1",
                "UPBOT_WECOM_SECRET", "s",
                "UPBOT_WECOM_APPID", "wx",
                "UPBOT_KAFKA_BOOTSTRAP", "b:1",
                "UPBOT_PORT", "0"));
    assertThat(c.port()).isZero();
    assertThat(c.corpId()).isEqualTo("ww1");
  }

  @Test
  void shouldAcceptKafkasNameForTheBootstrapServersWithAWarning() throws Exception {
    String[] args = required();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--kafka-bootstrap")) {
        args[i] = "--bootstrap-servers";
      }
    }
    assertThat(WeComConfig.FLAGS.parse(args, Map.of()).warnings())
        .containsExactly("--bootstrap-servers is deprecated: use --kafka-bootstrap 127.0.0.1:9092");
    assertThat(WeComConfig.parse(args, Map.of()).bootstrapServers()).isEqualTo("127.0.0.1:9092");
  }

  @Test
  void shouldRefuseABadKeyAndNeverPrintTheSecrets() throws Exception {
    assertThatThrownBy(() -> WeComConfig.parse(required("--wecom-aes-key", "short"), Map.of()))
        .hasMessageContaining("--wecom-aes-key: must be the 43 characters");
    WeComConfig c = WeComConfig.parse(required("--wecom-secret", "s3cr3t"), Map.of());
    assertThat(c.toString()).doesNotContain("s3cr3t").doesNotContain(KEY);
  }

  @Test
  void shouldReadTheStateFile(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("states.txt");
    Files.writeString(
        f,
        "# state code\nspring-poster IsFXtWUZ3x3hywGl\n\n  s2\tCODE2 \n",
        StandardCharsets.UTF_8);
    WeComConfig c = WeComConfig.parse(required("--wecom-states", f.toString()), Map.of());
    assertThat(c.stateToCode())
        .containsExactly(Map.entry("spring-poster", "IsFXtWUZ3x3hywGl"), Map.entry("s2", "CODE2"));
    Files.writeString(f, "a X\na Y\n", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> WeComConfig.parse(required("--wecom-states", f.toString()), Map.of()))
        .hasMessageContaining("line 2: state a given twice");
    Files.writeString(f, "a b c\n", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> WeComConfig.parse(required("--wecom-states", f.toString()), Map.of()))
        .hasMessageContaining("line 1: expected 'state code'");
  }
}
