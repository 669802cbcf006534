package io.upbot.console;

/** A request the console cannot answer as asked: a 400 with this message. */
public final class BadRequest extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BadRequest(String message) {
    super(message);
  }
}
