package dev.stripeinbox.server.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Writes JSON answers, errors in the contract's shape {@code {"error":{"code","message"}}}. */
public final class JsonResponses {
  private JsonResponses() {}

  public static void send(Response response, Callback callback, int status, String json) {
    send(response, callback, status, "application/json", json.getBytes(UTF_8));
  }

  public static void send(
      Response response, Callback callback, int status, String contentType, byte[] body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  public static void error(
      Response response, Callback callback, int status, String code, String message) {
    send(response, callback, status, errorBody(code, message));
  }

  public static String errorBody(String code, String message) {
    JsonStringEncoder encoder = JsonStringEncoder.getInstance();
    return "{\"error\":{\"code\":\""
        + new String(encoder.quoteAsString(code))
        + "\",\"message\":\""
        + new String(encoder.quoteAsString(message))
        + "\"}}";
  }
}
