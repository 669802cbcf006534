package io.upbot.job.sink;

import io.upbot.job.JobSinks;
import java.util.Properties;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;

/**
 * The job's JDBC sinks: one at-least-once {@link JdbcSink} writer per table (no committer, see
 * {@link WriterOnlySink}), writing rows by upsert (totals, so a replay rewrites the same values:
 * exactly-once results) and dead letters by insert-if-absent.
 *
 * <p>Two totals of one row must reach the database in the order they were computed, so the stream
 * into each sink must carry a row key through one sink subtask (e.g. forward from the keyed row
 * aggregator at the same parallelism, or key by the row key before the sink).
 */
public final class TableSinks {

  private TableSinks() {}

  /** The four sinks for the database {@code settings} names. The schema must exist. */
  public static JobSinks create(JdbcSettings settings) {
    SqlDialect dialect = settings.dialect();
    JdbcConnectionOptions connection = connectionOptions(settings);
    JdbcExecutionOptions execution = executionOptions(settings);
    return new JobSinks(
        writer(RowStatements.FUNNEL_UPSERT, new RowStatements.FunnelBinder(dialect), connection, execution),
        writer(RowStatements.EVENT_UPSERT, new RowStatements.EventBinder(dialect), connection, execution),
        writer(RowStatements.DWELL_UPSERT, new RowStatements.DwellBinder(dialect), connection, execution),
        writer(
            RowStatements.DEAD_LETTER_INSERT,
            new RowStatements.DeadLetterBinder(dialect),
            connection,
            execution));
  }

  private static <T> Sink<T> writer(
      String sql,
      JdbcStatementBuilder<T> binder,
      JdbcConnectionOptions connection,
      JdbcExecutionOptions execution) {
    return new WriterOnlySink<>(
        JdbcSink.<T>builder()
            .withQueryStatement(sql, binder)
            .withExecutionOptions(execution)
            .buildAtLeastOnce(connection));
  }

  /** URL, driver and every connection property of {@link JdbcSettings#connectionProperties()}. */
  static JdbcConnectionOptions connectionOptions(JdbcSettings settings) {
    JdbcConnectionOptions.JdbcConnectionOptionsBuilder b =
        new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
            .withUrl(settings.url())
            .withDriverName(settings.dialect().driverClass());
    // Flink hands these properties to Driver.connect, credentials included.
    Properties props = settings.connectionProperties();
    for (String key : props.stringPropertyNames()) {
      b.withProperty(key, props.getProperty(key));
    }
    return b.build();
  }

  static JdbcExecutionOptions executionOptions(JdbcSettings settings) {
    return JdbcExecutionOptions.builder()
        .withBatchSize(settings.batchSize())
        .withBatchIntervalMs(settings.batchIntervalMs())
        .withMaxRetries(settings.maxRetries())
        .build();
  }
}
