package io.upbot.wecom;

/** Where the receiver makes a callback durable before it answers "success". */
public interface CallbackStore extends AutoCloseable {

  /** The callback could not be made durable in time; the receiver answers 503. */
  final class StoreException extends Exception {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Stores {@code c} durably, or throws; blocks at most the store's deadline. */
  void store(PendingCallback c) throws StoreException;

  @Override
  default void close() {}
}
