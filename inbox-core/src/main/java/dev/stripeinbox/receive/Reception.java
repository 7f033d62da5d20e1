package dev.stripeinbox.receive;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.stripeinbox.verify.SignatureFailure;

/**
 * The answer to one delivery: the HTTP status and JSON body to send, and what happened.
 *
 * @param status the HTTP status code
 * @param body the JSON response body
 * @param outcome what happened to the delivery
 * @param eventId the event id when the envelope was read, else null
 * @param type the event type when the envelope was read, else null
 * @param errorCode the error code of a rejection, else null
 */
public record Reception(
    int status, String body, Outcome outcome, String eventId, String type, String errorCode) {
  private static final JsonStringEncoder ENCODER = JsonStringEncoder.getInstance();

  /** What happened to a delivery. */
  public enum Outcome {
    RECEIVED,
    DUPLICATE,
    IGNORED,
    REJECTED,
    UNAVAILABLE
  }

  static Reception received(String eventId, String type) {
    return new Reception(200, "{\"received\":true}", Outcome.RECEIVED, eventId, type, null);
  }

  static Reception duplicate(String eventId, String type) {
    return new Reception(
        200, "{\"received\":true,\"duplicate\":true}", Outcome.DUPLICATE, eventId, type, null);
  }

  static Reception ignored(String eventId, String type) {
    return new Reception(
        200, "{\"received\":true,\"ignored\":true}", Outcome.IGNORED, eventId, type, null);
  }

  static Reception rejected(SignatureFailure failure) {
    return error(400, Outcome.REJECTED, failure.code(), failure.message(), null, null);
  }

  static Reception invalidPayload(String message) {
    return error(400, Outcome.REJECTED, "payload_invalid", message, null, null);
  }

  static Reception unavailable(String eventId, String type) {
    return error(
        503,
        Outcome.UNAVAILABLE,
        "storage_unavailable",
        "the event could not be stored; retry later",
        eventId,
        type);
  }

  /** An error answer in the contract's shape, {@code {"error":{"code":C,"message":M}}}. */
  public static Reception error(
      int status, Outcome outcome, String code, String message, String eventId, String type) {
    String body =
        "{\"error\":{\"code\":\""
            + new String(ENCODER.quoteAsString(code))
            + "\",\"message\":\""
            + new String(ENCODER.quoteAsString(message))
            + "\"}}";
    return new Reception(status, body, outcome, eventId, type, code);
  }
}
