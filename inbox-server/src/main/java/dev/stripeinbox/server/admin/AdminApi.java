package dev.stripeinbox.server.admin;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.stripeinbox.inbox.EventQuery;
import dev.stripeinbox.inbox.InboxStore;
import dev.stripeinbox.inbox.StoreUnavailableException;
import dev.stripeinbox.inbox.StoredEvent;
import dev.stripeinbox.server.http.InboxServer;
import dev.stripeinbox.server.http.JsonResponses;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API under {@code /api/}: list and inspect stored events, fetch their exact bytes, and
 * replay their jobs. Mount it on an {@link InboxServer}:
 *
 * <pre>{@code
 * server.route(AdminApi.PREFIX,
 *     new AdminApi(store, Optional.of(adminToken), Clock.systemUTC(), inbox::wake));
 * }</pre>
 *
 * <p>Routes, each answering JSON with {@code Authorization: Bearer <token>}:
 *
 * <ul>
 *   <li>{@code GET /api/events?status=&type=&limit=&before=}: newest first, {@code
 *       {"data":[...],"has_more":bool}}. {@code limit} is 1 to 500 (default 50). For the next page
 *       pass the last item's {@code id} as {@code before}: the page resumes right after that event,
 *       even inside a millisecond. {@code before} also takes an instant or a date (events received
 *       strictly before it); a page that would split events received in the same millisecond ends
 *       before them, so paging by the last item's {@code received_at} skips none either, unless a
 *       whole page is one millisecond.
 *   <li>{@code GET /api/events/{id}}: the envelope, derived status and per-subscriber jobs. Times
 *       are ISO-8601 strings or null; {@code created} is Stripe's Unix seconds, a number.
 *   <li>{@code GET /api/events/{id}/payload}: the exact stored bytes.
 *   <li>{@code POST /api/events/{id}/replay}: re-queues the event's finished or waiting jobs.
 *   <li>{@code POST /api/replay} with {@code {"status":"dead","type":"invoice.*","since":...}}.
 * </ul>
 *
 * <p>Without a token the API is off and every path answers 404, so an unconfigured server reveals
 * nothing. A missing or wrong token answers 401 before any route is resolved. Bad input answers 400
 * {@code invalid_request} naming the parameter, an unreachable store 503 {@code
 * storage_unavailable}. Replays never re-ingest: they re-queue jobs, then call {@code wake} so the
 * workers start on them at once.
 *
 * <p>Immutable and thread-safe. Handlers block on the store, on the HTTP server's request threads.
 */
public final class AdminApi implements InboxServer.Route {
  /** The prefix to mount this route on. */
  public static final String PREFIX = "/api/";

  /** The largest accepted request body; replay filters are tiny. */
  static final int MAX_BODY = 64 * 1024;

  private static final Logger log = LoggerFactory.getLogger(AdminApi.class);

  private final InboxStore store;
  private final byte[] tokenDigest; // null when the API is off
  private final Clock clock;
  private final Runnable wake;

  /**
   * @param store the inbox to inspect and replay
   * @param token the bearer token; when empty the API is off and answers 404
   * @param clock the source of the replay time
   * @param wake called after a replay re-queued jobs, such as {@code inbox::wake}
   * @throws IllegalArgumentException when the token is present but blank
   */
  public AdminApi(InboxStore store, Optional<String> token, Clock clock, Runnable wake) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.wake = Objects.requireNonNull(wake, "wake");
    Objects.requireNonNull(token, "token");
    if (token.isPresent() && token.get().isBlank()) {
      throw new IllegalArgumentException("the admin token must not be blank");
    }
    this.tokenDigest = token.map(t -> sha256(t.getBytes(UTF_8))).orElse(null);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    if (!path.startsWith(PREFIX)) {
      return false;
    }
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    if (tokenDigest == null) {
      send(response, callback, 404, AdminJson.error("not_found", "no route for " + path, null));
      return true;
    }
    if (!authorized(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
      response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
      send(
          response,
          callback,
          401,
          AdminJson.error(
              "unauthorized", "send the admin token as Authorization: Bearer <token>", null));
      return true;
    }
    try {
      route(path.substring(PREFIX.length()).split("/", -1), request, response, callback);
    } catch (InvalidRequestException e) {
      send(response, callback, e.status(), AdminJson.error(e.code(), e.getMessage(), e.param()));
    } catch (StoreUnavailableException e) {
      log.warn("admin API: the store is unavailable: {}", e.getMessage());
      send(
          response,
          callback,
          503,
          AdminJson.error("storage_unavailable", "the store does not answer; retry later", null));
    } catch (RuntimeException e) {
      log.error("admin API: {} {} failed", request.getMethod(), path, e);
      send(
          response,
          callback,
          500,
          AdminJson.error("internal_error", "the request failed; see the server log", null));
    }
    return true;
  }

  private void route(String[] parts, Request request, Response response, Callback callback) {
    if (parts.length == 1 && parts[0].equals("events")) {
      if (allow(request, response, callback, HttpMethod.GET)) {
        list(request, response, callback);
      }
    } else if (parts.length == 1 && parts[0].equals("replay")) {
      if (allow(request, response, callback, HttpMethod.POST)) {
        replayByFilter(request, response, callback);
      }
    } else if (parts.length >= 2
        && parts.length <= 3
        && parts[0].equals("events")
        && !parts[1].isEmpty()) {
      String id = parts[1];
      String action = parts.length == 3 ? parts[2] : "";
      switch (action) {
        case "" -> {
          if (allow(request, response, callback, HttpMethod.GET)) {
            show(id, response, callback);
          }
        }
        case "payload" -> {
          if (allow(request, response, callback, HttpMethod.GET)) {
            payload(id, response, callback);
          }
        }
        case "replay" -> {
          if (allow(request, response, callback, HttpMethod.POST)) {
            replayOne(id, response, callback);
          }
        }
        default -> notFound(request, response, callback);
      }
    } else {
      notFound(request, response, callback);
    }
  }

  private void list(Request request, Response response, Callback callback) {
    Fields fields;
    try {
      fields = Request.extractQueryParameters(request, UTF_8);
    } catch (RuntimeException e) {
      throw new InvalidRequestException(null, "the query string is not valid URL encoding");
    }
    EventQuery query =
        AdminRequests.listQuery(fields, id -> store.find(id).map(StoredEvent::receivedAt));
    int limit = query.limit();
    // One more than asked tells whether there is a next page, and whether this page's last
    // millisecond continues past it.
    List<StoredEvent> found = store.list(query.withLimit(limit + 1));
    boolean hasMore = found.size() > limit;
    List<StoredEvent> page = hasMore ? pageEndingOnAWholeMillisecond(found, limit) : found;
    send(response, callback, 200, AdminJson.list(page, hasMore));
  }

  /**
   * The first {@code limit} events, less any at the end that share their {@code received_at} with
   * the first event left out. {@code before} is strict, so a page ending inside a millisecond would
   * make the next page skip the rest of it. A page that is all one millisecond is kept whole;
   * paging from the last item's id resumes right after it either way.
   */
  private static List<StoredEvent> pageEndingOnAWholeMillisecond(
      List<StoredEvent> found, int limit) {
    Instant next = found.get(limit).receivedAt();
    int end = limit;
    while (end > 0 && found.get(end - 1).receivedAt().equals(next)) {
      end--;
    }
    return new ArrayList<>(found.subList(0, end == 0 ? limit : end));
  }

  private void show(String id, Response response, Callback callback) {
    Optional<StoredEvent> event = store.find(id);
    if (event.isEmpty()) {
      noSuchEvent(id, response, callback);
      return;
    }
    send(response, callback, 200, AdminJson.event(event.get()));
  }

  private void payload(String id, Response response, Callback callback) {
    Optional<byte[]> payload = store.payload(id);
    if (payload.isEmpty()) {
      noSuchEvent(id, response, callback);
      return;
    }
    send(response, callback, 200, payload.get());
  }

  private void replayOne(String id, Response response, Callback callback) {
    if (store.find(id).isEmpty()) {
      noSuchEvent(id, response, callback);
      return;
    }
    int jobs = store.replay(List.of(id), clock.instant());
    replayed(jobs, "event " + id, response, callback);
  }

  private void replayByFilter(Request request, Response response, Callback callback) {
    EventQuery query = AdminRequests.replayQuery(body(request));
    int jobs = store.replay(query, clock.instant());
    String filter =
        "status="
            + query.status().orElseThrow().wireName()
            + query.type().map(t -> " type=" + t).orElse("")
            + query.since().map(s -> " since=" + s).orElse("");
    replayed(jobs, filter, response, callback);
  }

  private void replayed(int jobs, String what, Response response, Callback callback) {
    log.info("admin replay of {}: {} {} re-queued", what, jobs, jobs == 1 ? "job" : "jobs");
    if (jobs > 0) {
      wake.run();
    }
    send(response, callback, 200, AdminJson.replayed(jobs));
  }

  /** Reads the whole body, up to {@link #MAX_BODY}; blocking is fine on a request thread here. */
  private static byte[] body(Request request) {
    try (InputStream in = Request.asInputStream(request)) {
      if (request.getLength() > MAX_BODY) {
        discardSmall(in, request.getLength());
        throw InvalidRequestException.tooLarge(MAX_BODY);
      }
      byte[] bytes = in.readNBytes(MAX_BODY + 1);
      if (bytes.length > MAX_BODY) {
        throw InvalidRequestException.tooLarge(MAX_BODY);
      }
      return bytes;
    } catch (IOException e) {
      throw new InvalidRequestException(null, "the request body could not be read");
    }
  }

  /**
   * Reads and drops a moderately oversized body before the 413, so the client finishes sending and
   * reads the answer instead of a reset connection. Huge bodies are not read at all.
   */
  private static void discardSmall(InputStream in, long length) throws IOException {
    if (length <= 1024 * 1024) {
      in.skipNBytes(length);
    }
  }

  private boolean authorized(String header) {
    if (header == null || header.length() < 7) {
      return false;
    }
    // The scheme is case-insensitive (RFC 9110); the token is compared as sent.
    if (!header.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      return false;
    }
    byte[] given = header.substring(7).trim().getBytes(UTF_8);
    // Comparing digests keeps the time independent of both the content and the length.
    return MessageDigest.isEqual(tokenDigest, sha256(given));
  }

  private static boolean allow(
      Request request, Response response, Callback callback, HttpMethod method) {
    if (method.is(request.getMethod())) {
      return true;
    }
    response.getHeaders().put(HttpHeader.ALLOW, method.asString());
    send(
        response,
        callback,
        405,
        AdminJson.error(
            "method_not_allowed",
            "use " + method.asString() + " for " + Request.getPathInContext(request),
            null));
    return false;
  }

  private static void notFound(Request request, Response response, Callback callback) {
    send(
        response,
        callback,
        404,
        AdminJson.error("not_found", "no route for " + Request.getPathInContext(request), null));
  }

  private static void noSuchEvent(String id, Response response, Callback callback) {
    send(response, callback, 404, AdminJson.error("not_found", "no event " + id, null));
  }

  private static void send(Response response, Callback callback, int status, byte[] json) {
    JsonResponses.send(response, callback, status, "application/json", json);
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
