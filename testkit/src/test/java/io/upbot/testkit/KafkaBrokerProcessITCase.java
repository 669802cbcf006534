package io.upbot.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.localkafka.KafkaBrokerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerProcessITCase {

  @TempDir Path dir;

  @Test
  void shouldReplaceABrokerLeftRunningOnTheSameDataDir() throws Exception {
    Path libs = KafkaBrokerProcess.libsFromSystemProperty();
    try (KafkaBrokerProcess orphan = KafkaBrokerProcess.start(libs, dir, 0, 0)) {
      long orphanPid = Long.parseLong(Files.readString(dir.resolve("broker.pid")).trim());
      // A second owner of the same data dir (the first one "died") must not fail on busy ports.
      try (KafkaBrokerProcess next =
          KafkaBrokerProcess.start(libs, dir, orphan.port(), orphan.controllerPort())) {
        assertThat(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive))
            .isNotEqualTo(java.util.Optional.of(true));
        assertThat(next.isRunning()).isTrue();
        assertThat(Files.readString(dir.resolve("broker.pid")).trim())
            .isNotEqualTo(Long.toString(orphanPid));
      }
      assertThat(Files.exists(dir.resolve("broker.pid"))).isFalse();
    }
  }
}
