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
    } catch (TokenStore.TokenFileException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Logger log = LoggerFactory.getLogger(IngestMain.class);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "upbot-ingest-shutdown"));
    log.info("Ready on port {}", server.port());
  }
}
