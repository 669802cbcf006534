package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The JVM options of the commands that run the analytics job in the launcher's JVM: the launcher
 * passes them to exactly those commands, and a JVM started with them has the young generation they
 * ask for (docs/performance.md#the-local-stacks-jvm).
 */
class LocalJvmOptionsTest {

  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Path OPTIONS =
      ROOT.resolve("upbot-local/src/main/resources/io/upbot/local/jvm.options");

  @Test
  void shouldStartTheCommandsThatRunTheJobWithTheLocalJvmOptions() throws Exception {
    for (String command : List.of("local", "soak", "job", "bench job", "bench pipeline")) {
      assertThat(launcherOptions(command)).as(command).containsExactly("@" + OPTIONS);
    }
  }

  @Test
  void shouldKeepTheEndpointsAndTheIngestBenchsOwnOptions() throws Exception {
    assertThat(launcherOptions("ingest"))
        .containsExactly(
            "@" + ROOT.resolve("ingest-endpoint/src/main/resources/io/upbot/ingest/jvm.options"));
    assertThat(launcherOptions("bench ingest"))
        .contains("-XX:MaxGCPauseMillis=5")
        .doesNotContain("@" + OPTIONS);
    assertThat(launcherOptions("console")).isEmpty();
  }

  @Test
  void shouldGiveTheJvmAYoungGenerationOfAtLeastHalfTheHeapWithG1() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> flags =
        run(List.of(java.toString(), "@" + OPTIONS, "-XX:+PrintFlagsFinal", "-version"), null);

    assertThat(flag(flags, "UseG1GC")).isEqualTo("true");
    assertThat(flag(flags, "G1NewSizePercent")).isEqualTo("50");
  }

  /** What the launcher would pass to java for {@code command}, without building or running it. */
  private static List<String> launcherOptions(String command) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", ROOT.resolve("upbot").toString()));
    cmd.addAll(List.of(command.split(" ")));
    return run(cmd, "UPBOT_PRINT_JVM_OPTIONS");
  }

  private static String flag(List<String> printFlagsFinal, String name) {
    // Lines like "     uint G1NewSizePercent                          = 50
    // {experimental}".
    return printFlagsFinal.stream()
        .map(String::trim)
        .map(l -> l.split("\\s+"))
        .filter(f -> f.length >= 4 && f[1].equals(name) && f[2].equals("="))
        .map(f -> f[3])
        .findFirst()
        .orElse("absent");
  }

  private static List<String> run(List<String> command, String flagVariable)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    if (flagVariable != null) {
      pb.environment().put(flagVariable, "1");
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(out).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out.lines().filter(l -> !l.isBlank()).toList();
  }
}
