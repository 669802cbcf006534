package io.upbot.job.sink;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Makes each {@code executeBatch} of a connection's prepared statements one transaction.
 *
 * <p>The JDBC connector writes a sink's buffered rows with {@code executeBatch} on a connection
 * left in autocommit, which commits every row on its own: one WAL sync per row on SQLite (about
 * 3,000 rows/s here), so a flood of dead letters from one client held the whole job back. One
 * transaction per batch syncs once per batch, and a batch that fails leaves nothing half-written
 * for the retry to meet. The connector never calls {@code commit}, so the commit happens here,
 * around the batch.
 */
final class BatchTransactions {

  private BatchTransactions() {}

  /** {@code connection}, with prepared statements whose batches commit as one transaction. */
  static Connection wrap(Connection connection) {
    if (connection == null
        || Proxy.isProxyClass(connection.getClass())
            && Proxy.getInvocationHandler(connection) instanceof Wrapped) {
      return connection;
    }
    return (Connection)
        Proxy.newProxyInstance(
            BatchTransactions.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            new Wrapped(connection));
  }

  /** The connection {@link #wrap} wrapped, or {@code connection} itself. */
  static Connection unwrap(Connection connection) {
    return connection != null
            && Proxy.isProxyClass(connection.getClass())
            && Proxy.getInvocationHandler(connection) instanceof Wrapped w
        ? w.connection()
        : connection;
  }

  /** The handler of a wrapped connection: statements it prepares batch in transactions. */
  private record Wrapped(Connection connection) implements InvocationHandler {
    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      Object result = BatchTransactions.invoke(connection, method, args);
      return result instanceof PreparedStatement ps && method.getName().equals("prepareStatement")
          ? statement(connection, ps)
          : result;
    }
  }

  private static PreparedStatement statement(Connection connection, PreparedStatement ps) {
    InvocationHandler handler =
        (proxy, method, args) ->
            method.getName().equals("executeBatch") && method.getParameterCount() == 0
                ? executeBatch(connection, ps)
                : invoke(ps, method, args);
    return (PreparedStatement)
        Proxy.newProxyInstance(
            BatchTransactions.class.getClassLoader(),
            new Class<?>[] {PreparedStatement.class},
            handler);
  }

  private static int[] executeBatch(Connection connection, PreparedStatement ps)
      throws SQLException {
    if (!connection.getAutoCommit()) {
      return ps.executeBatch(); // someone else runs the transaction
    }
    connection.setAutoCommit(false);
    try {
      int[] counts = ps.executeBatch();
      connection.commit();
      return counts;
    } catch (SQLException | RuntimeException e) {
      try {
        connection.rollback();
      } catch (SQLException rollback) {
        e.addSuppressed(rollback);
      }
      throw e;
    } finally {
      try {
        connection.setAutoCommit(true);
      } catch (SQLException ignored) {
        // The connection is broken: the connector's next check re-establishes it.
      }
    }
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
