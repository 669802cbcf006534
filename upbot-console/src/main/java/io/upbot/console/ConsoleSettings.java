package io.upbot.console;

import java.nio.file.Path;
import java.time.ZoneId;

/**
 * What {@code ./upbot console} serves: the database (read-only), where to listen, the data dir
 * holding the console token, and the zone its days are in.
 */
public record ConsoleSettings(
    String jdbcUrl,
    String jdbcUser,
    String jdbcPassword,
    String bind,
    int port,
    Path dataDir,
    ZoneId zone) {

  /** The default port. */
  public static final int DEFAULT_PORT = 8090;

  /** The default zone of days, as the job's daily views. */
  public static final ZoneId DEFAULT_ZONE = ZoneId.of("Asia/Shanghai");

  /** These settings on another port. */
  public ConsoleSettings withPort(int p) {
    return new ConsoleSettings(jdbcUrl, jdbcUser, jdbcPassword, bind, p, dataDir, zone);
  }

  /** The local SQLite database of a data dir, as {@code ./upbot local} writes it. */
  public static String localSqliteUrl(Path dataDir) {
    return "jdbc:sqlite:" + dataDir.resolve("upbot.db").toAbsolutePath();
  }
}
