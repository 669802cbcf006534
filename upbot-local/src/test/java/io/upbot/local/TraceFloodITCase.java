package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.sink.JdbcSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./upbot loadgen --one-trace --jdbc-url …} against the local stack: every accepted event of
 * the one journey is counted, and another user's event posted right after reaches its row, both
 * reported.
 */
class TraceFloodITCase {

  @TempDir Path dataDir;

  @Test
  void shouldCountEveryEventOfOneTraceAndReportTheOtherUsersRow() throws Exception {
    LocalStack.Options options =
        new LocalStack.Options(
            0,
            0,
            0,
            dataDir,
            null,
            null,
            null,
            null,
            false,
            "upbot.media-events",
            Duration.ofSeconds(2));
    try (LocalStack stack = LocalStack.start(options, StackEvents.quiet())) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();

      int code =
          UpbotCli.run(
              new String[] {
                "loadgen",
                "--one-trace",
                "--events",
                "3000",
                "--appid",
                "wx-flood-it",
                "--url",
                stack.apiUrl().toString(),
                "--token",
                stack.token(),
                "--jdbc-url",
                stack.jdbcUrl(),
                "--wait",
                "90s"
              },
              new PrintStream(out, true, StandardCharsets.UTF_8),
              new PrintStream(err, true, StandardCharsets.UTF_8));

      String printed = out.toString(StandardCharsets.UTF_8);
      assertThat(code).as(printed + err).isZero();
      assertThat(printed)
          .contains("accepted items: 3000")
          .contains("last post answered at")
          .contains("another user's event reached its row")
          .contains("the 3000 accepted events: 3000 counted, 0 dead-lettered");
      assertThat(
              new TableCounts(JdbcSettings.defaults(stack.jdbcUrl())).countedEvents("wx-flood-it"))
          .isEqualTo(3000);
    }
  }
}
