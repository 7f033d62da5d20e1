package dev.stripeinbox.server.forward;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.Event;
import com.stripe.net.Webhook;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntBiFunction;

/**
 * A downstream application on a real socket, as a forward destination's owner would write it: it
 * verifies every request with stripe-java's {@code Webhook.constructEvent} and the forward secret,
 * and records what it received. Its answers, delays and in-flight count are under the test's
 * control. Thread-safe.
 */
final class Downstream implements AutoCloseable {
  /** One request to {@code /hook}. */
  record Request(
      byte[] body,
      String eventId,
      String attempt,
      String signature,
      String contentType,
      String userAgent,
      String verifiedEventId,
      int status,
      int remotePort) {}

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final String secret;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final List<String> verificationFailures = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> perEvent = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicInteger redirectTargetHits = new AtomicInteger();
  private volatile ToIntBiFunction<String, Integer> answer = (eventId, nth) -> 200;
  private volatile Duration delay = Duration.ZERO;
  private volatile Duration bodyTrickle = Duration.ZERO;
  private volatile String retryAfter;

  private Downstream(HttpServer server, String secret) {
    this.server = server;
    this.secret = secret;
    server.setExecutor(threads);
    server.createContext("/hook", this::hook);
    server.createContext(
        "/elsewhere",
        exchange -> {
          redirectTargetHits.incrementAndGet();
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
  }

  /** A downstream on a free port. */
  static Downstream start(String secret) throws IOException {
    return start(secret, 0);
  }

  /** A downstream on the given port (0 for a free one). */
  static Downstream start(String secret, int port) throws IOException {
    return new Downstream(HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128), secret);
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
  }

  /** How to answer the nth (1-based) request for an event id. */
  Downstream answering(ToIntBiFunction<String, Integer> answer) {
    this.answer = answer;
    return this;
  }

  /** How long to wait before answering. */
  Downstream delaying(Duration delay) {
    this.delay = delay;
    return this;
  }

  /** Sends this {@code Retry-After} value with every answer that is not a 2xx. */
  Downstream retryAfter(String value) {
    this.retryAfter = value;
    return this;
  }

  /** Answer the headers at once, then a body of which one byte comes every {@code pause}. */
  Downstream tricklingTheBody(Duration pause) {
    this.bodyTrickle = pause;
    return this;
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  List<Request> requestsFor(String eventId) {
    return requests.stream().filter(r -> eventId.equals(r.eventId())).toList();
  }

  List<String> verificationFailures() {
    return List.copyOf(verificationFailures);
  }

  int maxInFlight() {
    return maxInFlight.get();
  }

  int redirectTargetHits() {
    return redirectTargetHits.get();
  }

  private void hook(HttpExchange exchange) throws IOException {
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    boolean counted = true;
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      String eventId = exchange.getRequestHeaders().getFirst("Stripe-Inbox-Event-Id");
      String signature = exchange.getRequestHeaders().getFirst("Stripe-Signature");
      String verified = null;
      try {
        Event event = Webhook.constructEvent(new String(body, UTF_8), signature, secret);
        verified = event.getId();
      } catch (SignatureVerificationException | RuntimeException e) {
        verificationFailures.add(eventId + ": " + e.getMessage());
      }
      int nth =
          perEvent
              .computeIfAbsent(String.valueOf(eventId), k -> new AtomicInteger())
              .incrementAndGet();
      int status = verified == null ? 400 : answer.applyAsInt(eventId, nth);
      requests.add(
          new Request(
              body,
              eventId,
              exchange.getRequestHeaders().getFirst("Stripe-Inbox-Attempt"),
              signature,
              exchange.getRequestHeaders().getFirst("Content-Type"),
              exchange.getRequestHeaders().getFirst("User-Agent"),
              verified,
              status,
              exchange.getRemoteAddress().getPort()));
      if (!delay.isZero()) {
        try {
          Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      if (status >= 300 && status < 400) {
        exchange.getResponseHeaders().set("Location", "/elsewhere");
      }
      String wait = retryAfter;
      if (wait != null && (status < 200 || status > 299)) {
        exchange.getResponseHeaders().set("Retry-After", wait);
      }
      // Out of flight before answering: the client may send its next request the moment it has
      // this answer.
      inFlight.decrementAndGet();
      counted = false;
      if (!bodyTrickle.isZero()) {
        trickle(exchange, status);
        return;
      }
      exchange.sendResponseHeaders(status, -1);
    } finally {
      if (counted) {
        inFlight.decrementAndGet();
      }
    }
  }

  private void trickle(HttpExchange exchange, int status) throws IOException {
    exchange.sendResponseHeaders(status, 0); // chunked: the client cannot know when it ends
    var out = exchange.getResponseBody();
    for (int i = 0; i < 100; i++) {
      out.write('x');
      out.flush();
      try {
        Thread.sleep(bodyTrickle.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
