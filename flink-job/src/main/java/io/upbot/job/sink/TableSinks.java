package io.upbot.job.sink;

import io.upbot.job.JobSinks;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.connector.jdbc.datasource.connections.JdbcConnectionProvider;
import org.apache.flink.connector.jdbc.datasource.connections.SimpleJdbcConnectionProvider;

/**
 * The job's JDBC sinks: one at-least-once {@link JdbcSink} writer per table (no committer, see
 * {@link WriterOnlySink}), writing rows by upsert (totals, so a replay rewrites the same values:
 * exactly-once results) and dead letters by insert-if-absent.
 *
 * <p>Two totals of one row must reach the database in the order they were computed, so the stream
 * into each sink must carry a row key through one sink subtask (e.g. forward from the keyed row
 * aggregator at the same parallelism, or key by the row key before the sink).
 *
 * <p>A sink that loses its database waits for it ({@link ReconnectingConnectionProvider}) and then
 * writes the batch it holds; only a longer outage fails the job, which restarts from its last
 * checkpoint.
 */
public final class TableSinks {

  private TableSinks() {}

  /** The sinks for the database {@code settings} names. The schema must exist. */
  public static JobSinks create(JdbcSettings settings) {
    return create(settings, ReconnectingConnectionProvider.DEFAULT_MAX_WAIT);
  }

  /**
   * As {@link #create(JdbcSettings)}, each sink waiting up to {@code outageWait} for an unreachable
   * database before it fails the job.
   */
  public static JobSinks create(JdbcSettings settings, Duration outageWait) {
    SqlDialect dialect = settings.dialect();
    JdbcConnectionOptions options = connectionOptions(settings);
    JdbcExecutionOptions execution = executionOptions(settings);
    return new JobSinks(
        writer(RowStatements.FUNNEL, dialect, options, execution, outageWait),
        writer(RowStatements.EVENT, dialect, options, execution, outageWait),
        writer(RowStatements.DWELL, dialect, options, execution, outageWait),
        writer(RowStatements.BREAKDOWN, dialect, options, execution, outageWait),
        writer(RowStatements.USERS_DAILY, dialect, options, execution, outageWait),
        writer(RowStatements.CONVERT_TIME, dialect, options, execution, outageWait),
        writer(RowStatements.CONVERT_TIME_DAILY, dialect, options, execution, outageWait),
        writer(RowStatements.DEAD_LETTER, dialect, options, execution, outageWait),
        writer(RowStatements.JOIN, dialect, options, execution, outageWait));
  }

  private static <T> Sink<T> writer(
      RowStatements.Statement<T> statement,
      SqlDialect dialect,
      JdbcConnectionOptions options,
      JdbcExecutionOptions execution,
      Duration outageWait) {
    return new WriterOnlySink<>(
        JdbcSink.<T>builder()
            .withQueryStatement(statement.sql(), statement.binder(dialect))
            .withExecutionOptions(execution)
            .buildAtLeastOnce(connection(options, outageWait)));
  }

  /** One connection per sink (each sink subtask holds its own), waiting out outages. */
  private static JdbcConnectionProvider connection(
      JdbcConnectionOptions options, Duration outageWait) {
    return new ReconnectingConnectionProvider(
        new SimpleJdbcConnectionProvider(options), outageWait);
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
