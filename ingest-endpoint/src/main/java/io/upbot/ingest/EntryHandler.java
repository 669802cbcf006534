package io.upbot.ingest;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chain's outermost handler: notes when the request arrived (the latency metric counts from
 * here) and turns an unexpected exception below into 1005, so a client never sees a stack trace or
 * a 500.
 */
final class EntryHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(EntryHandler.class);

  private final Answers answers;
  private final HttpHandler next;

  EntryHandler(Answers answers, HttpHandler next) {
    this.answers = answers;
    this.next = next;
  }

  @Override
  public void handleRequest(HttpServerExchange ex) {
    Answers.received(ex);
    try {
      next.handleRequest(ex);
    } catch (Exception e) {
      LOG.error("Unexpected error answering a request", e);
      answers.send(ex, Answer.of(Ret.BUSY));
    }
  }
}
