package dev.stripeinbox.server.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors raised by the HTTP layer itself (a control character in a header, headers over the limit,
 * an unparseable request line) in the same JSON shape as every other error, never an HTML page or a
 * stack trace.
 */
final class JsonErrorHandler extends ErrorHandler {
  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback) {
    JsonResponses.error(response, callback, code, codeFor(code), describe(code, message));
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(new HttpField(HttpHeader.CONTENT_TYPE, "application/json"));
    return ByteBuffer.wrap(
        JsonResponses.errorBody(codeFor(status), describe(status, reason)).getBytes(UTF_8));
  }

  private static String codeFor(int status) {
    return switch (status) {
      case 400 -> "request_malformed";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 413 -> "payload_too_large";
      case 414 -> "uri_too_long";
      case 431 -> "headers_too_large";
      case 503 -> "unavailable";
      default -> status >= 500 ? "internal_error" : "request_rejected";
    };
  }

  private static String describe(int status, String message) {
    if (status == 503) {
      return "the server is shutting down; retry";
    }
    if (status >= 500) {
      return "the server could not answer this request";
    }
    return message == null || message.isBlank() ? HttpStatus.getMessage(status) : message;
  }
}
