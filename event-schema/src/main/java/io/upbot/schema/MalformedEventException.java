package io.upbot.schema;

/** A stream record that cannot be decoded into a {@link MediaEvent}; the message says why. */
public final class MalformedEventException extends Exception {
  private static final long serialVersionUID = 1L;

  public MalformedEventException(String message) {
    super(message);
  }

  public MalformedEventException(String message, Throwable cause) {
    super(message, cause);
  }
}
