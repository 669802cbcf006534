package io.upbot.job.testing;

import io.upbot.job.JobSinks;
import io.upbot.job.model.DeadLetter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Collecting sinks for a MiniCluster job (same JVM): every written row is kept in order, and {@link
 * #tables()} keeps the last one per key, as an upsert would. Can fail the job once, on the n-th row
 * written after {@link #failOnceAfter}, to test recovery.
 */
public final class TestSinks {

  private static final Map<String, Queue<Object>> WRITTEN = new ConcurrentHashMap<>();
  private static final Map<String, AtomicInteger> FAIL_COUNTDOWN = new ConcurrentHashMap<>();
  private static final Map<String, AtomicInteger> FAILURES = new ConcurrentHashMap<>();

  private final String id = UUID.randomUUID().toString();

  public TestSinks() {
    WRITTEN.put(id, new ConcurrentLinkedQueue<>());
    WRITTEN.put(id + "/dead", new ConcurrentLinkedQueue<>());
    FAIL_COUNTDOWN.put(id, new AtomicInteger(-1));
    FAILURES.put(id, new AtomicInteger());
  }

  public JobSinks jobSinks() {
    return new JobSinks(
        new Collecting<>(id, id),
        new Collecting<>(id, id),
        new Collecting<>(id, id),
        new Collecting<>(id, id),
        new Collecting<>(id, id),
        new Collecting<>(id, id),
        new Collecting<>(id, id),
        new Collecting<>(id, id + "/dead"),
        new Collecting<>(id, id));
  }

  /** The tables as the rows written so far leave them. */
  public Tables tables() {
    Tables t = Tables.empty();
    WRITTEN.get(id).forEach(t::upsert);
    return t.withoutZeroFunnelRows();
  }

  public List<DeadLetter> deadLetters() {
    List<DeadLetter> out = new ArrayList<>();
    WRITTEN.get(id + "/dead").forEach(o -> out.add((DeadLetter) o));
    return out;
  }

  /** Rows written so far (all tables). */
  public int rowsWritten() {
    return WRITTEN.get(id).size();
  }

  /** Makes the {@code n}-th row written from now on throw, once. */
  public void failOnceAfter(int n) {
    FAIL_COUNTDOWN.get(id).set(n);
  }

  /** How many injected failures happened. */
  public int failures() {
    return FAILURES.get(id).get();
  }

  /** Forgets what was collected. */
  public void close() {
    WRITTEN.remove(id);
    WRITTEN.remove(id + "/dead");
    FAIL_COUNTDOWN.remove(id);
    FAILURES.remove(id);
  }

  private static final class Collecting<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private final String sinksId;
    private final String queue;

    Collecting(String sinksId, String queue) {
      this.sinksId = sinksId;
      this.queue = queue;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
      return new SinkWriter<>() {
        @Override
        public void write(T element, Context ctx) throws IOException {
          if (FAIL_COUNTDOWN.get(sinksId).getAndUpdate(n -> n > 0 ? n - 1 : n) == 1) {
            FAIL_COUNTDOWN.get(sinksId).set(-1);
            FAILURES.get(sinksId).incrementAndGet();
            throw new IOException("injected sink failure");
          }
          WRITTEN.get(queue).add(element);
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
      };
    }
  }
}
