package io.upbot.ingest;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Draining at stop: once begun, new batches are answered 1005 and {@code /healthz} turns 503, while
 * the batches already in flight are waited for, up to a timeout.
 *
 * <p>Undertow's {@code GracefulShutdownHandler} does the same for requests, but not what the API
 * needs: it refuses with a bare 503 (the API answers JSON 1005) and counts a request from its
 * headers on, so a client still uploading its body would hold the stop. Here a batch counts once
 * its body is in.
 */
final class Drain {
  private static final Logger LOG = LoggerFactory.getLogger(Drain.class);

  private final Object lock = new Object();
  private volatile boolean draining;
  private int inflight;

  boolean isDraining() {
    return draining;
  }

  /** Refuses new batches from now on; in-flight ones still finish. */
  void begin() {
    draining = true;
  }

  /** A handler answering 1005 while draining and passing the request on otherwise. */
  HttpHandler refusingWhileDraining(Answers answers, HttpHandler next) {
    return ex -> {
      if (draining) {
        answers.send(ex, Answer.of(Ret.BUSY));
      } else {
        next.handleRequest(ex);
      }
    };
  }

  /**
   * Counts a batch in flight unless draining has begun (then false: answer 1005). The check and the
   * count are one step under the lock {@link #await} waits on, so no batch can pass the check after
   * {@code await} has seen none in flight.
   *
   * <p>The batch leaves when its exchange completes: once its answer is written to the client (or
   * the write failed), not when the answer is merely handed to the I/O thread. Leaving earlier let
   * the stop close the listener under a drained batch's answer, so a client whose items were
   * durable saw a cut connection instead of its 0.
   */
  boolean enter(HttpServerExchange ex) {
    if (!enter()) {
      return false;
    }
    ex.addExchangeCompleteListener(
        (done, next) -> {
          leave();
          next.proceed();
        });
    return true;
  }

  /** Counts one batch in flight unless draining has begun; matched by one {@link #leave}. */
  boolean enter() {
    synchronized (lock) {
      if (draining) {
        return false;
      }
      inflight++;
      return true;
    }
  }

  /** A batch counted by {@link #enter} has been answered (or refused). */
  void leave() {
    synchronized (lock) {
      inflight--;
      lock.notifyAll();
    }
  }

  /**
   * Begins draining and waits until no batch is in flight or the timeout has passed; logs {@code
   * Drained N in-flight batches in T ms} (read by operators and by {@code IngestSigtermITCase}).
   *
   * @return the number of batches in flight when the wait began
   */
  int await(Duration timeout) {
    begin();
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    int atStart;
    synchronized (lock) {
      atStart = inflight;
      while (inflight > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          LOG.warn("Drain timeout: {} batches still in flight", inflight);
          break;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    LOG.info(
        "Drained {} in-flight batches in {} ms",
        atStart,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    return atStart;
  }
}
