package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** Which port {@code ./upbot local} binds the Flink web UI to. */
class WebUiPortTest {

  @Test
  void shouldDefaultTo8081WithFallbackWhenNoPortIsAsked() {
    LocalStack.Options o = UpbotCli.localOptions(new String[0]);

    assertThat(o.webPort()).isEqualTo(8081);
    assertThat(o.webPortFallback()).isTrue();
  }

  @Test
  void shouldKeepAnAskedPortWithoutFallback() {
    LocalStack.Options o = UpbotCli.localOptions(new String[] {"--ui-port", "18081"});

    assertThat(o.webPort()).isEqualTo(18081);
    assertThat(o.webPortFallback()).isFalse();
    assertThat(UpbotCli.localOptions(new String[] {"--web-port=0"}).webPortFallback()).isFalse();
  }

  @Test
  void shouldPickAFreePortWhenTheDefaultIsTaken() throws Exception {
    try (ServerSocket taken = listening()) {
      int chosen = LocalStack.chooseWebPort(taken.getLocalPort(), true);

      assertThat(chosen).isNotEqualTo(taken.getLocalPort()).isPositive();
      assertThat(LocalStack.isFree(chosen)).isTrue();
    }
  }

  @Test
  void shouldKeepAnAskedPortEvenWhenTakenSoTheStartSaysWhichPort() throws Exception {
    try (ServerSocket taken = listening()) {
      assertThat(LocalStack.chooseWebPort(taken.getLocalPort(), false))
          .isEqualTo(taken.getLocalPort());
    }
  }

  @Test
  void shouldKeepAFreePreferredPort() throws Exception {
    int free;
    try (ServerSocket s = listening()) {
      free = s.getLocalPort();
    }
    assertThat(LocalStack.chooseWebPort(free, true)).isEqualTo(free);
    assertThat(LocalStack.chooseWebPort(0, false)).isPositive();
  }

  private static ServerSocket listening() throws Exception {
    ServerSocket s = new ServerSocket();
    s.bind(new InetSocketAddress("127.0.0.1", 0));
    return s;
  }
}
