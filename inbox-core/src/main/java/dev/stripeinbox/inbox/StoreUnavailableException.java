package dev.stripeinbox.inbox;

/**
 * The store could not commit or answer. Callers answer 503 so that Stripe retries; nothing is
 * acknowledged that was not committed. This is the root of the store's unchecked exceptions.
 */
public class StoreUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreUnavailableException(String message) {
    super(message);
  }
}
