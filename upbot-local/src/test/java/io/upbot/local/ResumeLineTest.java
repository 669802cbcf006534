package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ResumeLineTest {

  private static final Path DATA = Path.of("/tmp/upbot-data");

  @Test
  void shouldSayAFreshStartWhenNothingWasRestored() {
    assertThat(LocalStack.resumeLine(null, DATA))
        .isEqualTo("fresh start (no savepoint or checkpoint under /tmp/upbot-data)");
  }

  @Test
  void shouldNameTheSavepointAfterACleanStop() {
    Path sp = DATA.resolve("savepoints/savepoint-1a2b3c-0123456789ab");
    assertThat(LocalStack.resumeLine(sp, DATA)).isEqualTo("resumed from savepoint " + sp);
  }

  @Test
  void shouldNameTheCheckpointAfterACrash() {
    Path cp = DATA.resolve("checkpoints/0f1e2d/chk-42");
    assertThat(LocalStack.resumeLine(cp, DATA)).isEqualTo("resumed from checkpoint " + cp);
  }
}
