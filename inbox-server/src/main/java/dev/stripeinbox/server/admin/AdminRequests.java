package dev.stripeinbox.server.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.stripeinbox.dispatch.TypePattern;
import dev.stripeinbox.inbox.EventQuery;
import dev.stripeinbox.inbox.EventStatus;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.eclipse.jetty.util.Fields;

/** Reads the admin API's query parameters and request bodies into store queries. Stateless. */
final class AdminRequests {
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 500;

  private static final Set<String> LIST_PARAMS = Set.of("status", "type", "limit", "before");
  private static final Set<String> REPLAY_FIELDS = Set.of("status", "type", "since");
  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private AdminRequests() {}

  /**
   * The query of {@code GET /api/events}: {@code status}, {@code type}, {@code limit} (1 to 500,
   * default 50) and {@code before}: an instant, a date, or the id of a stored event (the last one
   * of the previous page), looked up with {@code receivedAtOf}. An empty value counts as absent; an
   * unknown or repeated parameter is refused, so a typo never silently widens the listing.
   */
  static EventQuery listQuery(Fields fields, Function<String, Optional<Instant>> receivedAtOf) {
    Map<String, String> values = new HashMap<>();
    for (Fields.Field field : fields) {
      String name = field.getName();
      if (!LIST_PARAMS.contains(name)) {
        throw new InvalidRequestException(
            name, "unknown parameter \"" + name + "\"; use status, type, limit or before");
      }
      List<String> all = field.getValues();
      if (all.size() > 1) {
        throw new InvalidRequestException(name, name + ": give it once");
      }
      String value = all.isEmpty() ? null : all.get(0);
      if (value != null && !value.isEmpty()) {
        values.put(name, value);
      }
    }
    EventQuery query = EventQuery.latest(limit(values.get("limit")));
    String status = values.get("status");
    if (status != null) {
      query =
          query.withStatus(
              EventStatus.fromWire(status)
                  .orElseThrow(
                      () ->
                          new InvalidRequestException(
                              "status",
                              "status: \""
                                  + status
                                  + "\" is not one of pending, retrying, processed, dead")));
    }
    String type = values.get("type");
    if (type != null) {
      query = query.withType(type(type));
    }
    String before = values.get("before");
    if (before != null) {
      query = before(query, before, receivedAtOf);
    }
    return query;
  }

  private static EventQuery before(
      EventQuery query, String value, Function<String, Optional<Instant>> receivedAtOf) {
    try {
      return query.withBefore(instant("before", value));
    } catch (InvalidRequestException notAnInstant) {
      Optional<Instant> receivedAt = receivedAtOf.apply(value);
      if (receivedAt.isEmpty()) {
        throw new InvalidRequestException(
            "before",
            "before: \""
                + value
                + "\" is not the id of a stored event, an instant such as"
                + " 2026-11-01T12:00:00Z, or a date such as 2026-11-01");
      }
      return query.after(receivedAt.get(), value);
    }
  }

  private static int limit(String value) {
    if (value == null) {
      return DEFAULT_LIMIT;
    }
    int limit;
    try {
      limit = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidRequestException(
          "limit",
          "limit: must be a whole number from 1 to " + MAX_LIMIT + ", was \"" + value + "\"");
    }
    return limit;
  }

  /**
   * The filter of {@code POST /api/replay}: a JSON object with {@code status} (required: dead,
   * retrying or processed), and optional {@code type} and {@code since}. No limit: every matching
   * event's jobs are re-queued, as with {@code events replay --status}.
   */
  static EventQuery replayQuery(byte[] body) {
    Map<String, String> fields = replayFields(body);
    String status = fields.get("status");
    if (status == null) {
      throw new InvalidRequestException(
          "status", "status is required: dead, retrying or processed");
    }
    EventStatus parsed =
        switch (status) {
          case "dead" -> EventStatus.DEAD;
          case "retrying" -> EventStatus.RETRYING;
          case "processed" -> EventStatus.PROCESSED;
          case "pending" ->
              throw new InvalidRequestException(
                  "status",
                  "status: pending events are already queued; replay dead, retrying or processed"
                      + " ones");
          default ->
              throw new InvalidRequestException(
                  "status", "status: \"" + status + "\" is not one of dead, retrying, processed");
        };
    EventQuery query = EventQuery.latest(Integer.MAX_VALUE).withStatus(parsed);
    String type = fields.get("type");
    if (type != null) {
      query = query.withType(type(type));
    }
    String since = fields.get("since");
    if (since != null) {
      query = query.withSince(instant("since", since));
    }
    return query;
  }

  /** The string fields of a flat JSON object; null values count as absent. */
  private static Map<String, String> replayFields(byte[] body) {
    Map<String, String> fields = new HashMap<>();
    try (JsonParser parser = JSON.createParser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw notAnObject();
      }
      for (JsonToken token = parser.nextToken();
          token != JsonToken.END_OBJECT;
          token = parser.nextToken()) {
        if (token != JsonToken.FIELD_NAME) {
          throw notAnObject();
        }
        String name = parser.currentName();
        if (!REPLAY_FIELDS.contains(name)) {
          throw new InvalidRequestException(
              name, "unknown field \"" + name + "\"; use status, type and since");
        }
        JsonToken value = parser.nextToken();
        if (value == JsonToken.VALUE_STRING) {
          fields.put(name, parser.getText());
        } else if (value != JsonToken.VALUE_NULL) {
          throw new InvalidRequestException(name, name + ": must be a string");
        }
      }
      if (parser.nextToken() != null) {
        throw notAnObject();
      }
    } catch (JsonProcessingException e) {
      throw notAnObject();
    } catch (IOException e) {
      // Parsing an in-memory array does no I/O; treat anything else as unreadable input.
      throw notAnObject();
    }
    return fields;
  }

  private static InvalidRequestException notAnObject() {
    return new InvalidRequestException(
        null,
        "the body must be one JSON object such as"
            + " {\"status\":\"dead\",\"type\":\"invoice.*\",\"since\":\"2026-11-01T00:00:00Z\"}");
  }

  private static String type(String value) {
    try {
      TypePattern.parse(value);
      return value;
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(
          "type", "type: \"" + value + "\" is not an exact type, a prefix such as invoice.*, or *");
    }
  }

  /** An ISO-8601 instant ({@code 2026-11-01T12:00:00Z}), or a date taken as midnight UTC. */
  static Instant instant(String param, String value) {
    return EventQuery.parseInstant(value)
        .orElseThrow(
            () ->
                new InvalidRequestException(
                    param,
                    param
                        + ": \""
                        + value
                        + "\" is not an instant such as 2026-11-01T12:00:00Z or a date such as 2026-11-01"));
  }
}
