package io.upbot.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** {@code ./upbot console}'s flags: the defaults and every mistake at once. */
class ConsoleCliTest {

  @Test
  void shouldServeTheLocalSqliteOnLoopback8090ByDefault() {
    ConsoleSettings s = ConsoleCli.settings(new String[0]);
    assertThat(s.bind()).isEqualTo("127.0.0.1");
    assertThat(s.port()).isEqualTo(8090);
    assertThat(s.dataDir()).isEqualTo(Path.of(".upbot"));
    assertThat(s.jdbcUrl())
        .isEqualTo("jdbc:sqlite:" + Path.of(".upbot", "upbot.db").toAbsolutePath());
    assertThat(s.zone()).isEqualTo(ZoneId.of("Asia/Shanghai"));
  }

  @Test
  void shouldTakeTheDatabaseFromTheDataDirWhenNoUrlIsGiven() {
    ConsoleSettings s =
        ConsoleCli.settings(
            new String[] {"--data-dir", "/tmp/x", "--port", "0", "--time-zone", "UTC"});
    assertThat(s.jdbcUrl()).isEqualTo("jdbc:sqlite:/tmp/x/upbot.db");
    assertThat(s.port()).isZero();
    assertThat(s.zone()).isEqualTo(ZoneId.of("UTC"));
  }

  @Test
  void shouldListEveryBadFlagAtOnce() {
    assertThatThrownBy(
            () ->
                ConsoleCli.settings(
                    new String[] {
                      "--port",
                      "99999",
                      "--time-zone",
                      "Mars/Base",
                      "--jdbc-url",
                      "jdbc:mysql://x",
                      "--colour",
                      "red"
                    }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--port")
        .hasMessageContaining("not a time zone")
        .hasMessageContaining("only jdbc:postgresql: and jdbc:sqlite:")
        .hasMessageContaining("colour");
  }

  @Test
  void shouldExitWithUsageErrorCode2AndNoStackTrace() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        ConsoleCli.run(
            new String[] {"--port", "x"},
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("upbot console: 1 bad option(s)")
        .doesNotContain("Exception");
  }
}
