package io.upbot.job.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchTransactionsTest {

  @TempDir Path dir;
  private String url;

  @BeforeEach
  void createTable() throws SQLException {
    url = "jdbc:sqlite:" + dir.resolve("t.db");
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
    }
  }

  @Test
  void shouldCommitABatchWholeAndLeaveTheConnectionInAutocommit() throws SQLException {
    try (Connection c = BatchTransactions.wrap(DriverManager.getConnection(url));
        PreparedStatement ps = c.prepareStatement("INSERT INTO t (id, v) VALUES (?, ?)")) {
      for (int i = 0; i < 100; i++) {
        ps.setInt(1, i);
        ps.setString(2, "v" + i);
        ps.addBatch();
      }
      ps.executeBatch();

      assertThat(c.getAutoCommit()).isTrue();
    }
    assertThat(countFromAnotherConnection()).isEqualTo(100);
  }

  @Test
  void shouldWriteNothingOfABatchThatFails() throws SQLException {
    try (Connection c = BatchTransactions.wrap(DriverManager.getConnection(url));
        PreparedStatement ps = c.prepareStatement("INSERT INTO t (id, v) VALUES (?, ?)")) {
      for (int i = 0; i < 10; i++) {
        ps.setInt(1, i);
        ps.setString(2, i == 7 ? null : "v" + i); // NOT NULL fails on the 8th row
        ps.addBatch();
      }
      assertThatThrownBy(ps::executeBatch).isInstanceOf(SQLException.class);

      assertThat(c.getAutoCommit()).isTrue();
    }
    // In autocommit the first seven rows would stay; one transaction leaves none for the retry to
    // meet.
    assertThat(countFromAnotherConnection()).isZero();
  }

  @Test
  void shouldWrapAConnectionOnlyOnce() throws SQLException {
    try (Connection c = BatchTransactions.wrap(DriverManager.getConnection(url))) {
      assertThat(BatchTransactions.wrap(c)).isSameAs(c);
    }
  }

  private int countFromAnotherConnection() throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM t")) {
      r.next();
      return r.getInt(1);
    }
  }
}
