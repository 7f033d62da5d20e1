package dev.stripeinbox.server.admin;

/**
 * A request the admin API cannot accept, answered with a 4xx and the contract's error shape: 400
 * {@code invalid_request} naming the parameter, or 413 {@code payload_too_large}.
 */
final class InvalidRequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final String param;

  /** A 400 {@code invalid_request}; {@code param} is null when the request as a whole is wrong. */
  InvalidRequestException(String param, String message) {
    this(400, "invalid_request", param, message);
  }

  private InvalidRequestException(int status, String code, String param, String message) {
    super(message);
    this.status = status;
    this.code = code;
    this.param = param;
  }

  static InvalidRequestException tooLarge(int maxBytes) {
    return new InvalidRequestException(
        413,
        "payload_too_large",
        null,
        "the body is larger than the limit of " + maxBytes + " bytes");
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }

  /** The offending parameter or field, or null. */
  String param() {
    return param;
  }
}
