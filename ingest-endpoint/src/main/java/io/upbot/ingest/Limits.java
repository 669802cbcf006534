package io.upbot.ingest;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import org.xnio.Options;

/**
 * The bounds on what a client controls below the API's own checks: connections, header block, body
 * bytes on the wire and body time. Each is set explicitly, so an Undertow upgrade cannot move them;
 * the module README lists them with the answer a request over each one gets.
 */
final class Limits {
  /**
   * The request line plus all headers, in bytes. Over it: Undertow's bare 400, connection closed.
   */
  static final int MAX_HEADER_SIZE = 64 * 1024;

  /** Header lines per request. Over it: Undertow's bare 400, connection closed. */
  static final int MAX_HEADERS = 100;

  /**
   * Cookies parsed per request. The endpoint never reads cookies (Undertow parses them only on
   * demand), so this bounds nothing today; it is set so a future handler that reads them is bounded
   * too.
   */
  static final int MAX_COOKIES = 50;

  /**
   * Over-limit bodies up to this size are read and discarded after the 1003 answer; beyond, closed.
   */
  static final long DRAIN_LIMIT = 16L * 1024 * 1024;

  /** Connections accepted by the kernel but not yet by the server (the listen backlog). */
  static final int BACKLOG = 1024;

  private Limits() {}

  static void apply(Undertow.Builder b, IngestConfig config) {
    b.setServerOption(UndertowOptions.MAX_HEADER_SIZE, MAX_HEADER_SIZE)
        .setServerOption(UndertowOptions.MAX_HEADERS, MAX_HEADERS)
        .setServerOption(UndertowOptions.MAX_COOKIES, MAX_COOKIES)
        // No body, chunked or not, is read past this: the connection is closed instead.
        .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, maxEntitySize(config))
        // At the cap the server stops accepting: new connections wait in the backlog until one
        // closes.
        .setSocketOption(Options.CONNECTION_HIGH_WATER, config.maxConnections())
        .setSocketOption(Options.CONNECTION_LOW_WATER, config.maxConnections())
        .setSocketOption(Options.BACKLOG, BACKLOG);
  }

  /** Bytes read from a request body at most: the (compressed) body limit, or the drain limit. */
  static long maxEntitySize(IngestConfig config) {
    return Math.max(DRAIN_LIMIT, Bodies.gzipWireLimit(config.maxBodyBytes()));
  }

  /** The answer to a body that missed its deadline. */
  static Answer bodyTimedOut(IngestConfig config) {
    return new Answer(
        Ret.BODY_TIMEOUT, "body: not received within " + config.bodyTimeout().toMillis() + " ms");
  }
}
