package io.upbot.ingest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token shipped in {@code docker/tokens.example.json}. It is public (it is in the repository
 * and valid for every appid), so an endpoint whose token file accepts it refuses to start unless
 * {@code --allow-example-token true} says this is a demo.
 */
public final class ExampleToken {
  private static final Logger LOG = LoggerFactory.getLogger(ExampleToken.class);
  public static final String VALUE = "change-me-demo-token";

  private ExampleToken() {}

  /** Fails when the tokens accept the example token and the configuration does not allow it. */
  public static void refuseUnlessAllowed(TokenStore tokens, IngestConfig config)
      throws TokenStore.TokenFileException {
    if (tokens.lookup(VALUE) == null) {
      return;
    }
    if (config.allowExampleToken()) {
      LOG.warn("The public example token is accepted (--allow-example-token true): for demos only");
      return;
    }
    throw new TokenStore.TokenFileException(
        config.tokensFile()
            + " accepts the example token "
            + VALUE
            + ", which is public: put your own"
            + " token in the file, or pass --allow-example-token true ("
            + IngestConfig.envName("allow-example-token")
            + "=true) if this is a demo");
  }
}
