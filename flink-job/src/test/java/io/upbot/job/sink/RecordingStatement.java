package io.upbot.job.sink;

import java.lang.reflect.Proxy;
import java.sql.PreparedStatement;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link PreparedStatement} that only records its {@code setX(index, value)} calls, for unit
 * tests of statement builders. Any other call fails the test.
 */
final class RecordingStatement {

  /** What was bound: parameter index → (setter name, value). */
  final Map<Integer, Bound> bound = new TreeMap<>();

  final PreparedStatement statement =
      (PreparedStatement)
          Proxy.newProxyInstance(
              PreparedStatement.class.getClassLoader(),
              new Class<?>[] {PreparedStatement.class},
              (proxy, method, args) -> {
                if (method.getName().startsWith("set")
                    && args != null
                    && args.length == 2
                    && args[0] instanceof Integer index) {
                  Bound previous = bound.put(index, new Bound(method.getName(), args[1]));
                  if (previous != null) {
                    throw new AssertionError("parameter " + index + " bound twice");
                  }
                  return null;
                }
                throw new UnsupportedOperationException(method.getName());
              });

  /** One bound parameter. */
  record Bound(String setter, Object value) {}
}
