package io.upbot.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.JobSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UpbotCliTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) throws Exception {
    return UpbotCli.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void shouldPrintHelpForHelpCommand() throws Exception {
    assertThat(run("help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("./upbot <command>")
        .contains("loadgen")
        .contains("console");
  }

  @Test
  void shouldListEveryBadConsoleOptionWithoutStartingIt() throws Exception {
    assertThat(run("console", "--port", "x", "--time-zone", "Nowhere/City")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("upbot console: 2 bad option(s)")
        .contains("--port")
        .contains("--time-zone: not a time zone")
        .doesNotContain("Exception");
  }

  @Test
  void shouldRejectUnknownCommandWithHelp() throws Exception {
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown command 'frobnicate'");
  }

  @Test
  void shouldListEveryBadLoadgenOptionAtOnce() throws Exception {
    assertThat(
            run("loadgen", "--url", "ftp://x", "--rate", "fast", "--batch", "501", "--bogus", "1"))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--token: required")
        .contains("--url: must be an http(s) URL")
        .contains("--rate: not a rate")
        .contains("--batch: must be between 1 and 500")
        .contains("--bogus: unknown flag")
        .doesNotContain("Exception");
  }

  @Test
  void shouldRefuseDemoWithOwnTokensBeforeStartingAnything() throws Exception {
    assertThat(run("local", "--demo", "--tokens", "/nonexistent/tokens.json", "--port", "x"))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--demo: posts with the generated local token")
        .contains("--port: not a whole number");
  }

  @Test
  void shouldRaiseTheJourneyCapOfTheLocalJobWhenAsked() {
    JobSettings base = JobSettings.defaults("127.0.0.1:9092");

    assertThat(
            UpbotCli.localOptions(new String[] {"--max-journey-events", "1000000"})
                .jobTuning()
                .apply(base)
                .maxJourneyEvents())
        .isEqualTo(1_000_000);
    assertThat(UpbotCli.localOptions(new String[0]).jobTuning().apply(base).maxJourneyEvents())
        .isEqualTo(base.maxJourneyEvents());
  }

  @Test
  void shouldStartWeComAndCountWeComJoinsOnlyWithTheWeComDemo() {
    JobSettings base = JobSettings.defaults("127.0.0.1:9092");
    LocalStack.Options wecomDemo = UpbotCli.localOptions(new String[] {"--wecom-demo"});
    LocalStack.Options plainDemo = UpbotCli.localOptions(new String[] {"--demo"});

    assertThat(wecomDemo.demo()).isTrue();
    assertThat(wecomDemo.wecom()).isTrue();
    assertThat(wecomDemo.tune(base).stages().wecomJoinsOnly()).isTrue();
    assertThat(plainDemo.wecom()).isFalse();
    assertThat(plainDemo.tune(base).stages().wecomJoinsOnly()).isFalse();
  }

  @Test
  void shouldRefuseTheWeComDemoWithOwnTokens() throws Exception {
    assertThat(run("local", "--wecom-demo", "--tokens", "/nonexistent/tokens.json")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--wecom-demo: posts with the generated local token");
  }

  @Test
  void shouldSummariseAFailureWithoutAStackTrace() {
    Exception e =
        new IllegalStateException(
            "could not start the endpoint",
            new java.io.UncheckedIOException(new java.net.BindException("Address already in use")));
    assertThat(UpbotCli.causes(e))
        .isEqualTo("could not start the endpoint: java.net.BindException: Address already in use");
  }
}
