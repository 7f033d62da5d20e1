package dev.stripeinbox.event;

/**
 * The body is not a Stripe event: not a JSON object, malformed JSON, or missing {@code id} or
 * {@code type}. It maps onto the {@code payload_invalid} error code.
 */
public final class InvalidPayloadException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidPayloadException(String message) {
    super(message);
  }
}
