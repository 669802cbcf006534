package io.upbot.console;

import io.upbot.settings.Flags;
import io.upbot.settings.Values;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** {@code ./upbot console}: reads its flags, starts the console and serves until stopped. */
public final class ConsoleCli {

  private ConsoleCli() {}

  static Flags flags() {
    return Flags.withoutEnvironment()
        .value("jdbc-url", null, "the job's database (default: the SQLite file in --data-dir)")
        .value("jdbc-user", null, "PostgreSQL user")
        .value("jdbc-password", null, "PostgreSQL password")
        .value("port", Integer.toString(ConsoleSettings.DEFAULT_PORT), "HTTP port (0: a free one)")
        .value("bind", "127.0.0.1", "address to listen on")
        .value("data-dir", ".upbot", "where the console token is kept (and the local database)")
        .value("time-zone", ConsoleSettings.DEFAULT_ZONE.getId(), "the zone of days, as the job's");
  }

  /** The settings from the arguments; a usage error lists every bad flag. */
  static ConsoleSettings settings(String[] args) {
    Values v = flags().parse(args, Map.of());
    Integer port = v.integer("port", 0, 65535);
    ZoneId zone =
        v.parsed(
            "time-zone",
            z -> {
              try {
                return ZoneId.of(z.trim());
              } catch (DateTimeException e) {
                throw new IllegalArgumentException("not a time zone (e.g. Asia/Shanghai)");
              }
            });
    String bind = v.required("bind");
    String dir = v.required("data-dir");
    Path dataDir = Path.of(dir == null ? ".upbot" : dir);
    String url = v.optional("jdbc-url");
    if (url != null) {
      try {
        Dialect.of(url);
      } catch (IllegalArgumentException e) {
        v.problem(e.getMessage());
      }
    }
    if (!v.problems().isEmpty()) {
      throw new IllegalArgumentException(
          "upbot console: "
              + v.problems().size()
              + " bad option(s):\n  "
              + String.join("\n  ", v.problems()));
    }
    return new ConsoleSettings(
        url != null ? url : ConsoleSettings.localSqliteUrl(dataDir),
        v.optional("jdbc-user"),
        v.optional("jdbc-password"),
        bind,
        port,
        dataDir,
        zone);
  }

  /** Runs the console until the process is stopped; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("help"))) {
      out.print(flags().usage("usage: ./upbot console [options]"));
      return 0;
    }
    ConsoleSettings s;
    try {
      s = settings(args);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return 2;
    }
    ConsoleToken token = ConsoleToken.ensure(s.dataDir());
    ConsoleServer server = ConsoleServer.start(s, token);
    out.printf("console    %s  (database %s, days in %s)%n", server.url(), s.jdbcUrl(), s.zone());
    out.printf(
        "token      %s  (console only; kept in %s)%n",
        token.value(), s.dataDir().resolve(ConsoleToken.FILE).toAbsolutePath());
    out.printf("open       %s%n", server.loginUrl());
    if (!isLoopback(s.bind())) {
      out.printf(
          "warning    listening on %s: anyone who reaches it and has the token can read the"
              + " tables; plain HTTP, put TLS in front%n",
          s.bind());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "upbot-console-stop"));
    stopped.await();
    return 0;
  }

  static boolean isLoopback(String bind) {
    return bind.equals("127.0.0.1") || bind.equals("localhost") || bind.equals("::1");
  }
}
