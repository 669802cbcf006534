package io.upbot.job.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.apache.flink.connector.jdbc.datasource.connections.JdbcConnectionProvider;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReconnectingConnectionProviderTest {

  static final Connection CONNECTION =
      (Connection)
          Proxy.newProxyInstance(
              Connection.class.getClassLoader(),
              new Class<?>[] {Connection.class},
              (p, m, a) -> null);

  /** A database that refuses {@code failures} connections with {@code state}, then answers. */
  static final class FlakyDatabase implements JdbcConnectionProvider {
    private static final long serialVersionUID = 1L;
    final int failures;
    final String state;
    int attempts;

    FlakyDatabase(int failures, String state) {
      this.failures = failures;
      this.state = state;
    }

    @Override
    public Connection getConnection() {
      return CONNECTION;
    }

    @Override
    public boolean isConnectionValid() {
      return attempts > failures;
    }

    @Override
    public Connection getOrEstablishConnection() throws SQLException {
      if (++attempts <= failures) {
        throw new SQLException("refused", state);
      }
      return CONNECTION;
    }

    @Override
    public void closeConnection() {}

    @Override
    public Connection reestablishConnection() throws SQLException {
      return getOrEstablishConnection();
    }
  }

  @Test
  void shouldReconnectOnceTheDatabaseAnswersAgain() throws Exception {
    FlakyDatabase db = new FlakyDatabase(3, "08001");
    ReconnectingConnectionProvider p =
        new ReconnectingConnectionProvider(db, Duration.ofSeconds(30));

    assertThat(BatchTransactions.unwrap(p.reestablishConnection())).isSameAs(CONNECTION);
    assertThat(db.attempts).isEqualTo(4);
  }

  @Test
  void shouldFailAtOnceWhenTheDatabaseRefusesTheRequestItself() {
    FlakyDatabase db = new FlakyDatabase(1, "28P01");
    ReconnectingConnectionProvider p =
        new ReconnectingConnectionProvider(db, Duration.ofSeconds(30));

    assertThatThrownBy(p::getOrEstablishConnection).isInstanceOf(SQLException.class);
    assertThat(db.attempts).isEqualTo(1);
  }

  @Test
  void shouldFailTheJobWhenTheOutageOutlastsTheWait() {
    FlakyDatabase db = new FlakyDatabase(Integer.MAX_VALUE, "08001");
    ReconnectingConnectionProvider p =
        new ReconnectingConnectionProvider(db, Duration.ofMillis(400));

    assertThatThrownBy(p::reestablishConnection)
        .isInstanceOf(SQLException.class)
        .hasMessage("refused");
    assertThat(db.attempts).isBetween(2, 5);
  }

  @Test
  void shouldBeSerializableWithItsDelegate() throws Exception {
    ReconnectingConnectionProvider p =
        new ReconnectingConnectionProvider(new FlakyDatabase(0, "08001"), Duration.ofSeconds(1));

    assertThat(BatchTransactions.unwrap(InstantiationUtil.clone(p).getOrEstablishConnection()))
        .isSameAs(CONNECTION);
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource({
    "08001, true",
    "08006, true",
    "57P01, true",
    "57P03, true",
    "53300, true",
    "28P01, false",
    "23505, false",
    "42P01, false",
    ", false"
  })
  void shouldWaitOnlyForConnectionFailures(String state, boolean wait) {
    assertThat(ReconnectingConnectionProvider.isConnectionFailure(new SQLException("x", state)))
        .isEqualTo(wait);
  }
}
