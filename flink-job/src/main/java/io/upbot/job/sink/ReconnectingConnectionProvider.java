package io.upbot.job.sink;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.connector.jdbc.datasource.connections.JdbcConnectionProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection provider that waits for the database to come back instead of failing at the first
 * refused connection: while a sink cannot reconnect, it holds its batch and the job backs up behind
 * it (back-pressure), then writes the same batch once the database answers.
 *
 * <p>Why: the connector retries a failed batch only after re-establishing the connection, and it
 * gives up at once when that fails. So a database restart of a few seconds failed the whole job,
 * which then had to restart from its last checkpoint and replay. Waiting here turns such a restart
 * into a pause. Only connection failures are waited out (SQLSTATE class 08, the server shutting
 * down or starting up, too many connections); anything else, and an outage longer than {@code
 * maxWait}, still fails the job, whose restart strategy and checkpoints then take over. Rewriting a
 * batch is safe: rows are totals and dead letters are inserted if absent (docs/reliability.md).
 */
public final class ReconnectingConnectionProvider implements JdbcConnectionProvider {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ReconnectingConnectionProvider.class);

  /** How long a sink waits for its database before it fails the job. */
  public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(60);

  private static final long FIRST_DELAY_MS = 100;
  private static final long MAX_DELAY_MS = 2_000;

  private final JdbcConnectionProvider delegate;
  private final long maxWaitMs;

  public ReconnectingConnectionProvider(JdbcConnectionProvider delegate, Duration maxWait) {
    this.delegate = delegate;
    this.maxWaitMs = maxWait.toMillis();
  }

  @Override
  public Connection getConnection() {
    return BatchTransactions.wrap(delegate.getConnection());
  }

  @Override
  public Properties getProperties() {
    return delegate.getProperties();
  }

  @Override
  public boolean isConnectionValid() throws SQLException {
    return delegate.isConnectionValid();
  }

  @Override
  public Connection getOrEstablishConnection() throws SQLException, ClassNotFoundException {
    return BatchTransactions.wrap(waitFor(delegate::getOrEstablishConnection));
  }

  @Override
  public Connection reestablishConnection() throws SQLException, ClassNotFoundException {
    return BatchTransactions.wrap(waitFor(delegate::reestablishConnection));
  }

  @Override
  public void closeConnection() {
    delegate.closeConnection();
  }

  @Override
  public void close() throws Exception {
    delegate.close();
  }

  private interface Connect {
    Connection get() throws SQLException, ClassNotFoundException;
  }

  private Connection waitFor(Connect connect) throws SQLException, ClassNotFoundException {
    long start = System.nanoTime();
    long delayMs = FIRST_DELAY_MS;
    int attempts = 0;
    while (true) {
      try {
        Connection c = connect.get();
        if (attempts > 0) {
          LOG.info(
              "Database reachable again after {} ms and {} attempts",
              (System.nanoTime() - start) / 1_000_000,
              attempts + 1);
        }
        return c;
      } catch (SQLException e) {
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        if (!isConnectionFailure(e) || waitedMs + delayMs > maxWaitMs) {
          throw e;
        }
        if (attempts++ == 0) {
          LOG.warn(
              "Database unreachable ({}); holding the batch and retrying for up to {} s",
              e.getMessage(),
              maxWaitMs / 1000);
        }
        try {
          Thread.sleep(delayMs);
        } catch (InterruptedException interrupted) {
          // The task is being cancelled: give up now, the failure is reported as it was.
          Thread.currentThread().interrupt();
          throw e;
        }
        delayMs = Math.min(MAX_DELAY_MS, delayMs * 2);
      }
    }
  }

  /**
   * Whether {@code e} says the database could not be reached (rather than refusing the request):
   * SQLSTATE class 08 (connection exception), 57P01–57P03 (shutting down, crashed, starting up) and
   * 53300 (too many connections).
   */
  static boolean isConnectionFailure(SQLException e) {
    String state = e.getSQLState();
    return state != null
        && (state.startsWith("08") || state.startsWith("57P") || state.equals("53300"));
  }
}
