package io.upbot.wecom;

import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Command-line entry: reads the settings, starts the receiver, stops it on SIGTERM. */
public final class WeComReceiverMain {
  private WeComReceiverMain() {}

  public static void main(String[] args) {
    if (Arrays.asList(args).contains("--help")) {
      System.out.print(WeComConfig.usage());
      return;
    }
    WeComConfig config;
    try {
      config = WeComConfig.parse(args, System.getenv());
    } catch (WeComConfig.ConfigException e) {
      System.err.println(e.getMessage());
      System.err.print(WeComConfig.usage());
      System.exit(2);
      return;
    }
    WeComReceiver receiver;
    try {
      receiver = WeComReceiver.start(config);
    } catch (RuntimeException e) {
      // Typically the port is taken or a Kafka setting is refused: say what, no trace.
      System.err.println("cannot start: " + e.getMessage());
      System.exit(1);
      return;
    }
    Logger log = LoggerFactory.getLogger(WeComReceiverMain.class);
    Runtime.getRuntime().addShutdownHook(new Thread(receiver::close, "upbot-wecom-shutdown"));
    log.info("Ready on port {}, callback path {}", receiver.port(), config.path());
  }
}
