package io.upbot.job;

/**
 * The job cannot start: bad settings, a start refused over this database, or a database that cannot
 * be prepared. Thrown, never an exit, because under Flink {@code main} may run inside the
 * JobManager (REST API, web UI), where an exit would stop the whole cluster; {@link JobCli} turns
 * it into the exit status.
 */
public final class JobStartException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int exitStatus;

  public JobStartException(int exitStatus, String message, Throwable cause) {
    super(message, cause);
    this.exitStatus = exitStatus;
  }

  /**
   * The status the command line exits with: {@link JobMain#EXIT_REFUSED} or {@link
   * JobMain#EXIT_DATABASE}.
   */
  public int exitStatus() {
    return exitStatus;
  }
}
