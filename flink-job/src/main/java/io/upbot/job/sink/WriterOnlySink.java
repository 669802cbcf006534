package io.upbot.job.sink;

import java.io.IOException;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * An at-least-once sink as its writer alone, without the committer operator Flink adds for any sink
 * that supports committing.
 *
 * <p>The JDBC upsert sinks commit nothing (each batch is committed by its writer, flushed before
 * every checkpoint barrier), yet {@code JdbcSink} supports committing (for its XA mode), so every
 * table got a committer operator with empty state. In Flink 2.0 that operator registers its {@code
 * pendingCommittables} gauge again each time it copies its state for a checkpoint (a Flink bug),
 * which filled the TaskManager log with metric name collisions on every checkpoint.
 */
final class WriterOnlySink<T> implements Sink<T> {
  private static final long serialVersionUID = 1L;

  private final Sink<T> writer;

  WriterOnlySink(Sink<T> writer) {
    this.writer = writer;
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
    return writer.createWriter(context);
  }
}
