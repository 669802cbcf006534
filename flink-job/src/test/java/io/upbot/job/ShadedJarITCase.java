package io.upbot.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.flinkrun.FlinkRunCheck;
import io.upbot.job.database.SchemaInstaller;
import io.upbot.job.sink.JdbcSettings;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar is what {@code flink run} needs: its entry point builds the job graph in a
 * user-code class loader the way the Flink client does, with the connectors, drivers and schema
 * inside and Flink itself left to the cluster.
 */
class ShadedJarITCase {

  static final File JAR = new File("target/upbot-flink-job.jar");

  @TempDir Path tmp;

  @Test
  void shouldBundleConnectorsDriversAndSchemaButNotFlink() throws Exception {
    try (JarFile jar = new JarFile(JAR)) {
      // Flink runs program-class (throws on a bad start); a plain JVM runs Main-Class (exit
      // statuses).
      assertThat(jar.getManifest().getMainAttributes().getValue("program-class"))
          .isEqualTo("io.upbot.job.JobMain");
      assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo("io.upbot.job.JobCli");
      for (String present :
          new String[] {
            "io/upbot/job/JobMain.class",
            "io/upbot/schema/MediaEventCodec.class",
            "org/apache/flink/connector/kafka/source/KafkaSource.class",
            "org/apache/kafka/clients/consumer/KafkaConsumer.class",
            "org/apache/flink/connector/jdbc/core/datastream/sink/JdbcSink.class",
            "org/postgresql/Driver.class",
            "org/sqlite/JDBC.class",
            "io/upbot/shaded/com/fasterxml/jackson/databind/ObjectMapper.class",
            "sql/postgres/tables.sql",
            "sql/sqlite/tables.sql"
          }) {
        assertThat(jar.getEntry(present)).as(present).isNotNull();
      }
      for (String absent :
          new String[] {
            "org/apache/flink/streaming/api/environment/StreamExecutionEnvironment.class",
            "org/apache/flink/runtime/jobgraph/JobGraph.class",
            "com/fasterxml/jackson/databind/ObjectMapper.class",
            "org/slf4j/Logger.class"
          }) {
        assertThat(jar.getEntry(absent)).as(absent).isNull();
      }
      String drivers =
          new String(
              jar.getInputStream(jar.getEntry("META-INF/services/java.sql.Driver")).readAllBytes(),
              StandardCharsets.UTF_8);
      assertThat(drivers).contains("org.postgresql.Driver", "org.sqlite.JDBC");
    }
  }

  @Test
  void shouldBuildTheJobGraphFromTheJarAsFlinkRunDoes() throws Exception {
    Path db = tmp.resolve("upbot.db");
    assertThat(flinkOnlyClassPath())
        .contains("flink-runtime")
        .doesNotContain("kafka-clients", "sqlite");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                flinkOnlyClassPath(),
                FlinkRunCheck.class.getName(),
                JAR.getAbsolutePath(),
                "--kafka-bootstrap",
                "localhost:9",
                "--jdbc-url",
                "jdbc:sqlite:" + db,
                "--state-backend",
                "rocksdb",
                "--checkpoint-dir",
                tmp.resolve("checkpoints").toUri().toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();

    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("main=io.upbot.job.JobMain", "checkpointing=true");
    // One vertex per chain: source, keyed steps, one aggregator and sink per table.
    assertThat(out).containsPattern("vertices=(?:[5-9]|1[0-9])\\b");
    // JobMain installed the schema before building the graph.
    assertThat(db).exists();
  }

  @Test
  void shouldPrintHelpAndListEveryBadFlagWithoutAStackTrace() throws Exception {
    String cp = flinkOnlyClassPath() + File.pathSeparator + JAR.getAbsolutePath();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    Process help =
        new ProcessBuilder(java, "-cp", cp, "io.upbot.job.JobCli", "--help")
            .redirectErrorStream(true)
            .start();
    String helpOut = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(help.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(help.exitValue()).isZero();
    assertThat(helpOut).contains("--kafka-bootstrap", "--bounded", "--state-backend");

    Process bad =
        new ProcessBuilder(
                java,
                "-cp",
                cp,
                "io.upbot.job.JobCli",
                "--session-gap",
                "soon",
                "--state-backend",
                "memory")
            .redirectErrorStream(true)
            .start();
    String badOut = new String(bad.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(bad.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(bad.exitValue()).isEqualTo(2);
    assertThat(badOut)
        .contains("--kafka-bootstrap: required", "--session-gap:", "--state-backend:")
        .doesNotContain("Exception", "\tat ");
  }

  @Test
  void shouldRefuseABackfillIntoTablesThatHoldRowsWithExitStatus2() throws Exception {
    Path db = tmp.resolve("live.db");
    JdbcSettings live = JdbcSettings.defaults("jdbc:sqlite:" + db);
    SchemaInstaller.install(live);
    try (Connection c = live.connect();
        Statement s = c.createStatement()) {
      s.executeUpdate(
          "INSERT INTO code_event_hourly (bucket_start, appid, code, event_id, events, updated_at)"
              + " VALUES ('2026-11-30 10:00:00', 'app', 'c', '1110201', 3, '2026-11-30 10:00:01')");
    }
    String cp = flinkOnlyClassPath() + File.pathSeparator + JAR.getAbsolutePath();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    Process backfill =
        new ProcessBuilder(
                java,
                "-cp",
                cp,
                "io.upbot.job.JobCli",
                "--kafka-bootstrap",
                "localhost:9",
                "--bounded",
                "--jdbc-url",
                "jdbc:sqlite:" + db)
            .redirectErrorStream(true)
            .start();
    String out = new String(backfill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(backfill.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(backfill.exitValue()).as(out).isEqualTo(2);
    assertThat(out)
        .contains("refusing a --bounded backfill", "code_event_hourly", "--allow-overwrite")
        .doesNotContain("Exception", "\tat ");
  }

  /**
   * This JVM's class path without the job, its connectors, drivers and schema: Flink and its own
   * dependencies, as in a cluster's lib/, plus the checker class.
   */
  static String flinkOnlyClassPath() {
    List<String> keep = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String n = e.replace(File.separatorChar, '/');
      boolean job =
          n.endsWith("/target/classes")
              || n.contains("/io/upbot/")
              || n.contains("flink-connector-kafka")
              || n.contains("flink-connector-jdbc")
              || n.contains("/org/apache/kafka/")
              || n.contains("/org/postgresql/")
              || n.contains("/org/xerial/")
              || n.contains("/com/fasterxml/");
      if (!job) {
        keep.add(e);
      }
    }
    return String.join(File.pathSeparator, keep);
  }
}
