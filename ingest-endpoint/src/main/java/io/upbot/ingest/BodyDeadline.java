package io.upbot.ingest;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;

/**
 * A deadline for the whole request body, counted from the moment the headers were parsed.
 * Undertow's own timeouts do not bound it: {@code IDLE_TIMEOUT} restarts with every byte, so a
 * client trickling one byte a second holds its connection (and its buffers) for ever.
 *
 * <p>At the deadline, a request whose body is still arriving is answered (when nothing was answered
 * yet) and its connection closed: the rest of the body may still be on its way, so the connection
 * can never be reused. A request answered before its body was read (a wrong token, a body declared
 * too large) has its connection closed without a second answer. A body that completes after the
 * deadline is ignored: its request was already answered.
 */
final class BodyDeadline {
  private static final AttachmentKey<Boolean> EXPIRED = AttachmentKey.create(Boolean.class);

  private BodyDeadline() {}

  /** A handler arming the deadline on every request, then passing it on. */
  static HttpHandler armed(
      Duration timeout, Consumer<HttpServerExchange> answer, HttpHandler next) {
    return ex -> {
      arm(ex, timeout, answer);
      next.handleRequest(ex);
    };
  }

  /**
   * Arms the deadline on a request whose body has not been read yet. {@code answer} writes the
   * answer (the connection is already marked not persistent); it runs on the exchange's I/O thread.
   */
  static void arm(HttpServerExchange ex, Duration timeout, Consumer<HttpServerExchange> answer) {
    if (ex.isRequestComplete()) {
      return;
    }
    XnioExecutor.Key key;
    try {
      key =
          ex.getIoThread()
              .executeAfter(() -> expire(ex, answer), timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      // The server is stopping (the I/O thread takes no more timers): its connections close with
      // it.
      return;
    }
    ex.addExchangeCompleteListener(
        (e, next) -> {
          // An answer sent before the body was read leaves it to be drained: the timer stays armed
          // for it.
          if (e.isRequestComplete()) {
            key.remove();
          }
          next.proceed();
        });
  }

  /** Whether the request's body missed its deadline (the request has been answered or closed). */
  static boolean expired(HttpServerExchange ex) {
    return ex.getAttachment(EXPIRED) != null;
  }

  private static void expire(HttpServerExchange ex, Consumer<HttpServerExchange> answer) {
    if (ex.isRequestComplete()) {
      return;
    }
    ex.putAttachment(EXPIRED, Boolean.TRUE);
    if (ex.isResponseStarted()) {
      IoUtils.safeClose(ex.getConnection());
      return;
    }
    ex.setPersistent(false);
    answer.accept(ex);
  }
}
