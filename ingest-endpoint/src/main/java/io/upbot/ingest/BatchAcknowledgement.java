package io.upbot.ingest;

import io.undertow.server.HttpServerExchange;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.XnioExecutor;

/**
 * One batch waiting for its records' acknowledgements: answered 0 once every record is durable,
 * 1005 at its first failure or at the deadline, whichever comes first, exactly once (a late ack
 * changes nothing). The batch was counted in flight by {@link Drain#enter}; its answer releases it.
 */
final class BatchAcknowledgement {
  private static final Logger LOG = LoggerFactory.getLogger(BatchAcknowledgement.class);

  private final HttpServerExchange ex;
  private final int size;
  private final Answers answers;
  private final Metrics metrics;
  private final long sendStart = System.nanoTime();
  private final AtomicInteger remaining;
  private final AtomicBoolean answered = new AtomicBoolean();
  private volatile XnioExecutor.Key timer;

  private BatchAcknowledgement(HttpServerExchange ex, int size, Answers answers, Metrics metrics) {
    this.ex = ex;
    this.size = size;
    this.answers = answers;
    this.metrics = metrics;
    this.remaining = new AtomicInteger(size);
  }

  /** Starts waiting for {@code size} acknowledgements, answering 1005 at the deadline. */
  static BatchAcknowledgement start(
      HttpServerExchange ex, int size, long deadlineMillis, Answers answers, Metrics metrics) {
    BatchAcknowledgement batch = new BatchAcknowledgement(ex, size, answers, metrics);
    metrics.batchStarted();
    try {
      batch.timer =
          ex.getIoThread()
              .executeAfter(() -> batch.fail("deadline"), deadlineMillis, TimeUnit.MILLISECONDS);
    } catch (RuntimeException stopping) {
      // The I/O thread is shutting down: answer now.
      batch.fail(stopping.getClass().getSimpleName());
    }
    return batch;
  }

  /** Whether the batch has been answered (sending its remaining records is pointless). */
  boolean isAnswered() {
    return answered.get();
  }

  /** The writer's callback for one record: null when it is durable, else what stopped it. */
  void acked(Exception error) {
    if (error != null) {
      fail(error.getClass().getSimpleName());
    } else if (remaining.decrementAndGet() == 0) {
      metrics.kafkaAcked(System.nanoTime() - sendStart);
      finish(Ret.OK, null);
    }
  }

  /**
   * Answers 1005 (a record was refused or failed, or the deadline passed); {@code why} is logged.
   */
  void fail(String why) {
    finish(Ret.BUSY, why);
  }

  private void finish(Ret ret, String why) {
    if (!answered.compareAndSet(false, true)) {
      return;
    }
    XnioExecutor.Key t = timer;
    if (t != null) {
      t.remove();
    }
    if (ret == Ret.OK) {
      metrics.itemsAccepted(size);
    } else {
      // DEBUG: during an outage every batch fails; the probe logs the outage once and /metrics
      // counts 1005s.
      LOG.debug("Batch of {} items not made durable in time ({}): answering 1005", size, why);
    }
    try {
      // The answer is written on the exchange's own I/O thread.
      ex.getIoThread().execute(() -> answers.send(ex, Answer.of(ret)));
    } catch (RuntimeException stopped) {
      // The listener stopped after the drain timeout: nobody is left to answer.
      LOG.debug("Could not answer a batch after stop: {}", stopped.toString());
    }
    // The drain count is released when the exchange completes (Drain#enter), after this answer.
    metrics.batchFinished();
  }
}
