package io.upbot.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class PostgresServerITCase {

  @Test
  void shouldKeepCommittedRowsAcrossAnImmediateStopAndLeaveNothingBehindAtClose() throws Exception {
    PostgresServer server = PostgresServer.start();
    Path log = server.logFile();
    long pid;
    try {
      String url = server.createDatabase("faults");
      try (Connection c = DriverManager.getConnection(url, server.user(), "");
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE t (v int)");
        s.execute("INSERT INTO t VALUES (1), (2), (3)");
      }
      pid = server.pid().orElseThrow();

      server.stop(true);
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      assertThatThrownBy(() -> DriverManager.getConnection(url, server.user(), ""))
          .isInstanceOf(SQLException.class);

      server.restart();
      try (Connection c = DriverManager.getConnection(url, server.user(), "");
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT sum(v) FROM t")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(6);
      }
      pid = server.pid().orElseThrow();
    } finally {
      server.close();
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(Files.exists(log.getParent())).isFalse();
  }
}
