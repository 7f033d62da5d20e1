package dev.stripeinbox.server.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.stripeinbox.event.Envelope;
import dev.stripeinbox.inbox.JobView;
import dev.stripeinbox.inbox.StoredEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * Writes the admin API's answers. Times are ISO-8601 strings in UTC (or null); {@code created} is
 * Stripe's own Unix seconds, as in the event payload. Stateless.
 */
final class AdminJson {
  private static final JsonFactory JSON = new JsonFactory();

  private AdminJson() {}

  @FunctionalInterface
  private interface Body {
    void write(JsonGenerator json) throws IOException;
  }

  /** {@code {"data":[event...],"has_more":bool}}, events without their jobs. */
  static byte[] list(List<StoredEvent> events, boolean hasMore) {
    return write(
        json -> {
          json.writeStartObject();
          json.writeArrayFieldStart("data");
          for (StoredEvent event : events) {
            json.writeStartObject();
            envelope(json, event);
            json.writeEndObject();
          }
          json.writeEndArray();
          json.writeBooleanField("has_more", hasMore);
          json.writeEndObject();
        });
  }

  /** One event with its jobs. */
  static byte[] event(StoredEvent event) {
    return write(
        json -> {
          json.writeStartObject();
          envelope(json, event);
          json.writeArrayFieldStart("jobs");
          for (JobView job : event.jobs()) {
            json.writeStartObject();
            json.writeStringField("subscriber", job.subscriber());
            json.writeStringField("status", job.state().wireName());
            json.writeNumberField("attempts", job.attempts());
            string(json, "last_error", job.lastError());
            instant(json, "next_attempt_at", job.nextAttemptAt());
            instant(json, "finished_at", job.finishedAt());
            json.writeEndObject();
          }
          json.writeEndArray();
          json.writeEndObject();
        });
  }

  /** {@code {"replayed_jobs":n}}. */
  static byte[] replayed(int jobs) {
    return write(
        json -> {
          json.writeStartObject();
          json.writeNumberField("replayed_jobs", jobs);
          json.writeEndObject();
        });
  }

  /** The contract's error shape, with {@code param} naming the offending parameter if known. */
  static byte[] error(String code, String message, String param) {
    return write(
        json -> {
          json.writeStartObject();
          json.writeObjectFieldStart("error");
          json.writeStringField("code", code);
          json.writeStringField("message", message);
          if (param != null) {
            json.writeStringField("param", param);
          }
          json.writeEndObject();
          json.writeEndObject();
        });
  }

  private static void envelope(JsonGenerator json, StoredEvent event) throws IOException {
    Envelope envelope = event.envelope();
    json.writeStringField("id", envelope.id());
    json.writeStringField("type", envelope.type());
    if (envelope.created() == null) {
      json.writeNullField("created");
    } else {
      json.writeNumberField("created", envelope.created().getEpochSecond());
    }
    json.writeBooleanField("livemode", envelope.livemode());
    string(json, "account", envelope.account());
    string(json, "api_version", envelope.apiVersion());
    instant(json, "received_at", event.receivedAt());
    json.writeStringField("status", event.status().wireName());
  }

  private static void string(JsonGenerator json, String name, String value) throws IOException {
    if (value == null) {
      json.writeNullField(name);
    } else {
      json.writeStringField(name, value);
    }
  }

  private static void instant(JsonGenerator json, String name, Instant value) throws IOException {
    if (value == null) {
      json.writeNullField(name);
    } else {
      json.writeStringField(name, value.toString());
    }
  }

  private static byte[] write(Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      body.write(json);
    } catch (IOException e) {
      throw new UncheckedIOException("writing JSON to memory failed", e);
    }
    return out.toByteArray();
  }
}
