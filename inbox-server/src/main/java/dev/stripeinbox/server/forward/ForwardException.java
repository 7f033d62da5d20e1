package dev.stripeinbox.server.forward;

/**
 * A failed forward attempt: a non-2xx answer, a timeout or a connection error. Thrown by {@link
 * ForwardHandler} so that the job system retries the delivery; its message is one line, such as
 * {@code HTTP 500 from http://localhost:9000/stripe}, and never holds a payload or a secret.
 */
public final class ForwardException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int status;

  ForwardException(String message, int status) {
    super(message);
    this.status = status;
  }

  ForwardException(String message, Throwable cause) {
    super(message, cause);
    this.status = -1;
  }

  /** The HTTP status the destination answered, or -1 when it gave no answer. */
  public int status() {
    return status;
  }
}
