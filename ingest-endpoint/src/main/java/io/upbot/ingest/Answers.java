package io.upbot.ingest;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import java.nio.ByteBuffer;

/**
 * Sends an {@link Answer} as the JSON body of docs/api.md#answers, with its HTTP status, the CORS
 * headers of an answer and {@code Retry-After} when given, and counts it in the metrics (by ret,
 * with the time since the request was received).
 */
final class Answers {
  static final String JSON = "application/json; charset=utf-8";

  /** When the request entered the chain ({@link System#nanoTime()}), for the latency metric. */
  private static final AttachmentKey<Long> RECEIVED = AttachmentKey.create(Long.class);

  private final Metrics metrics;
  private final Cors cors;

  Answers(Metrics metrics, Cors cors) {
    this.metrics = metrics;
    this.cors = cors;
  }

  /** Marks the request as received now; the latency of its answer is counted from here. */
  static void received(HttpServerExchange ex) {
    ex.putAttachment(RECEIVED, System.nanoTime());
  }

  void send(HttpServerExchange ex, Answer answer) {
    send(ex, answer, 0);
  }

  /** Sends the answer unless one was already sent (a late ack or timer changes nothing). */
  void send(HttpServerExchange ex, Answer answer, long retryAfterSeconds) {
    if (ex.isResponseStarted()) {
      return;
    }
    Ret ret = answer.ret();
    ex.setStatusCode(ret.httpStatus());
    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, JSON);
    cors.onAnswer(ex);
    if (retryAfterSeconds > 0) {
      ex.getResponseHeaders().put(Headers.RETRY_AFTER, Long.toString(retryAfterSeconds));
    }
    // Counted before it is sent: a client that has read its answer finds it in the metrics.
    Long received = ex.getAttachment(RECEIVED);
    long now = System.nanoTime();
    metrics.requestAnswered(ret, now - (received == null ? now : received));
    ex.getResponseSender().send(ByteBuffer.wrap(Responses.body(ret, answer.detail())));
  }
}
