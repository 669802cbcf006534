package io.upbot.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A {@link RecordWriter} in memory for unit tests: acknowledges, holds, fails or refuses records.
 */
final class MemoryRecordWriter implements RecordWriter {

  /** How the writer answers a send. */
  enum Mode {
    ACK,
    HOLD,
    FAIL,
    REFUSE
  }

  record Written(String topic, byte[] key, byte[] value, long timestamp) {}

  private record Pending(Written record, Consumer<Exception> callback) {}

  volatile Mode mode = Mode.ACK;
  volatile boolean ready = true;
  volatile boolean closed;
  private final List<Written> acked = new CopyOnWriteArrayList<>();
  private final List<Written> sent = new CopyOnWriteArrayList<>();
  private final List<Pending> pending = new ArrayList<>();

  @Override
  public void send(
      String topic, byte[] key, byte[] value, long ts, Consumer<Exception> onComplete) {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    Written w = new Written(topic, key, value, ts);
    switch (mode) {
      case ACK -> {
        sent.add(w);
        acked.add(w);
        onComplete.accept(null);
      }
      case HOLD -> {
        sent.add(w);
        synchronized (pending) {
          pending.add(new Pending(w, onComplete));
        }
      }
      case FAIL -> {
        sent.add(w);
        onComplete.accept(new org.apache.kafka.common.errors.TimeoutException("simulated"));
      }
      case REFUSE ->
          throw new org.apache.kafka.clients.producer.BufferExhaustedException("simulated");
    }
  }

  /** Acknowledges the oldest held records. */
  void ackHeld(int n) {
    List<Pending> now = new ArrayList<>();
    synchronized (pending) {
      for (int i = 0; i < n && !pending.isEmpty(); i++) {
        now.add(pending.remove(0));
      }
    }
    for (Pending p : now) {
      acked.add(p.record());
      p.callback().accept(null);
    }
  }

  int held() {
    synchronized (pending) {
      return pending.size();
    }
  }

  /** Records acknowledged (written) so far. */
  List<Written> written() {
    return List.copyOf(acked);
  }

  /** Records handed to the writer, acknowledged or not. */
  List<Written> sent() {
    return List.copyOf(sent);
  }

  @Override
  public boolean isReady() {
    return ready;
  }

  @Override
  public void close(Duration timeout) {
    closed = true;
  }
}
