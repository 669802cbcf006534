package io.upbot.ingest;

import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Command-line entry: parses the configuration, starts the endpoint, stops it on SIGTERM. */
public final class IngestMain {
  private IngestMain() {}

  public static void main(String[] args) throws Exception {
    if (Arrays.asList(args).contains("--help")) {
      System.out.print(IngestConfig.usage());
      return;
    }
    IngestConfig config;
    try {
      config = IngestConfig.parse(args, System.getenv());
    } catch (IngestConfig.ConfigException e) {
      System.err.println(e.getMessage());
      System.err.print(IngestConfig.usage());
      System.exit(2);
      return;
    }
    IngestServer server;
    try {
      server = IngestServer.start(config);
    } catch (TokenStore.TokenFileException | org.apache.kafka.common.KafkaException e) {
      // A bad token file or producer setting (e.g. an extra --kafka-property): say what, no trace.
      System.err.println("cannot start: " + e.getMessage());
      System.exit(2);
      return;
    } catch (RuntimeException e) {
      // Typically the port is taken.
      System.err.println("cannot start: " + e);
      System.exit(1);
      return;
    }
    Logger log = LoggerFactory.getLogger(IngestMain.class);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "upbot-ingest-shutdown"));
    log.info("Ready on port {}", server.port());
  }
}
