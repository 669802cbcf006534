package io.upbot.job;

/**
 * The job will not start with these settings over this database; the message says why and what to
 * do.
 */
public final class StartRefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StartRefusedException(String message) {
    super(message);
  }
}
