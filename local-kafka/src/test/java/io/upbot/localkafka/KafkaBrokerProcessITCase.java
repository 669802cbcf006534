package io.upbot.localkafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real broker formatted and started by {@link KafkaBrokerProcess}. */
class KafkaBrokerProcessITCase {

  @TempDir Path dataDir;

  @Test
  void shouldFormatAndStartWithAClusterIdStartingWithADash() throws Exception {
    // Such an id, given as a separate argument, is read by kafka-storage as an unknown option.
    String id = "-" + KafkaBrokerProcess.clusterId().substring(1);

    try (KafkaBrokerProcess broker =
        KafkaBrokerProcess.start(
            KafkaBrokerProcess.libsFromSystemProperty(), dataDir, 0, 0, "256m", id)) {
      assertThat(broker.isRunning()).isTrue();
      assertThat(Files.readString(dataDir.resolve("log/meta.properties"), StandardCharsets.UTF_8))
          .contains("cluster.id=" + id);
    }
  }

  @Test
  void shouldServeWithBothCompilersG1AndHugePagesWhenStartedForServing() throws Exception {
    try (KafkaBrokerProcess broker =
        KafkaBrokerProcess.start(
            KafkaBrokerProcess.libsFromSystemProperty(),
            dataDir,
            0,
            0,
            "256m",
            KafkaBrokerProcess.Jvm.SERVING)) {
      List<String> args =
          List.of(ProcessHandle.of(broker.pid()).orElseThrow().info().arguments().orElseThrow());
      assertThat(args)
          .contains("-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:+UseTransparentHugePages")
          .noneMatch(a -> a.startsWith("-XX:TieredStopAtLevel"))
          .doesNotContain("-XX:+UseSerialGC");
      assertThat(broker.isRunning()).isTrue();
    }
  }
}
