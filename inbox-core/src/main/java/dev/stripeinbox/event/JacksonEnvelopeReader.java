package dev.stripeinbox.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The reference reader of an event's {@link Envelope}: Jackson's streaming parser, in one pass.
 *
 * <p>It tokenises the whole body, so malformed JSON anywhere is rejected, but it never builds a
 * tree: {@code data} is skipped except for the id and type of {@code data.object}. It defines the
 * result of {@link EnvelopeReader#read} for every input, error messages included; {@link
 * EnvelopeScanner} answers the common case faster and defers to it whenever it is not certain.
 *
 * <p>Thread-safe and stateless; the underlying {@link JsonFactory} is shared.
 */
final class JacksonEnvelopeReader {
  static final JsonFactory JSON =
      JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(256).build())
          .build();

  /**
   * The range of {@code created}: the stores keep it in epoch milliseconds, which end long before
   * {@link Instant} does (about 292 million years either side of 1970 against a billion). An event
   * between the two would pass here and fail at every append, a 503 that Stripe retries for days.
   */
  private static final Instant EARLIEST = Instant.ofEpochMilli(Long.MIN_VALUE);

  private static final Instant LATEST = Instant.ofEpochMilli(Long.MAX_VALUE);

  private JacksonEnvelopeReader() {}

  /** Whether {@code created} is within the range the stores can keep; see {@link #EARLIEST}. */
  static boolean inRange(Instant created) {
    return !created.isBefore(EARLIEST) && !created.isAfter(LATEST);
  }

  /**
   * Reads the envelope of an event body.
   *
   * @throws InvalidPayloadException when the body is not a JSON object with a string {@code id} and
   *     {@code type}
   */
  static Envelope read(byte[] body) {
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new InvalidPayloadException("body is not a JSON object");
      }
      String id = null;
      String object = null;
      String type = null;
      Instant created = null;
      boolean livemode = false;
      String apiVersion = null;
      String account = null;
      String context = null;
      String[] data = new String[2];
      String[] related = new String[2];
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "id" -> id = string(p, value, field);
          case "object" -> object = string(p, value, field);
          case "type" -> type = string(p, value, field);
          case "created" -> created = instant(p, value);
          case "livemode" -> {
            livemode = value == JsonToken.VALUE_TRUE;
            p.skipChildren(); // an object or array here must not be read as top-level fields
          }
          case "api_version" -> apiVersion = string(p, value, field);
          case "account" -> account = string(p, value, field);
          case "context" -> context = string(p, value, field);
          case "data" -> readData(p, value, data);
          case "related_object" -> readIdAndType(p, value, "type", related);
          default -> p.skipChildren();
        }
      }
      if (p.nextToken() != null) {
        throw new InvalidPayloadException("unexpected content after the JSON object");
      }
      if (id == null || id.isEmpty()) {
        throw new InvalidPayloadException("event has no id");
      }
      if (type == null || type.isEmpty()) {
        throw new InvalidPayloadException("event has no type");
      }
      return Envelope.of(
          id, object, type, created, livemode, apiVersion, account, context, data, related);
    } catch (IOException e) {
      // Jackson's message quotes the offending token, which may be part of the body: keep only
      // the location, so no payload content reaches an answer or a log.
      throw new InvalidPayloadException("body is not valid JSON" + location(e));
    } catch (IllegalStateException e) {
      // Jackson's defence against field names crafted to collide in its symbol table.
      throw new InvalidPayloadException("body is not valid JSON: too many colliding field names");
    }
  }

  private static void readData(JsonParser p, JsonToken value, String[] out) throws IOException {
    if (value != JsonToken.START_OBJECT) {
      p.skipChildren();
      return;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken next = p.nextToken();
      if (field.equals("object")) {
        readIdAndType(p, next, "object", out);
      } else {
        p.skipChildren();
      }
    }
  }

  /** Reads {@code id} and the named type field of an object, skipping everything else in it. */
  private static void readIdAndType(JsonParser p, JsonToken value, String typeField, String[] out)
      throws IOException {
    if (value != JsonToken.START_OBJECT) {
      p.skipChildren();
      return;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken next = p.nextToken();
      if (field.equals("id") && next == JsonToken.VALUE_STRING) {
        out[0] = p.getText();
      } else if (field.equals(typeField) && next == JsonToken.VALUE_STRING) {
        out[1] = p.getText();
      } else {
        p.skipChildren();
      }
    }
  }

  private static String string(JsonParser p, JsonToken value, String field) throws IOException {
    if (value == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    throw new InvalidPayloadException("field \"" + field + "\" is not a string");
  }

  private static Instant instant(JsonParser p, JsonToken value) throws IOException {
    Instant created;
    if (value == JsonToken.VALUE_NUMBER_INT) {
      try {
        created = Instant.ofEpochSecond(p.getLongValue());
      } catch (DateTimeException e) {
        throw new InvalidPayloadException("field \"created\" is out of range");
      }
    } else if (value == JsonToken.VALUE_STRING) {
      try {
        created = Instant.parse(p.getText());
      } catch (DateTimeParseException e) {
        throw new InvalidPayloadException("field \"created\" is not a timestamp");
      }
    } else if (value == JsonToken.VALUE_NULL) {
      return null;
    } else {
      throw new InvalidPayloadException("field \"created\" is not a timestamp");
    }
    if (!inRange(created)) {
      throw new InvalidPayloadException("field \"created\" is out of range");
    }
    return created;
  }

  private static String location(IOException e) {
    if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
        && j.getLocation() != null) {
      return " (line "
          + j.getLocation().getLineNr()
          + ", column "
          + j.getLocation().getColumnNr()
          + ")";
    }
    return "";
  }
}
