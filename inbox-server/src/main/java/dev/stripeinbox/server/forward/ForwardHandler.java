package dev.stripeinbox.server.forward;

import dev.stripeinbox.Handler;
import dev.stripeinbox.InboxEvent;
import dev.stripeinbox.testkit.Signer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.eclipse.jetty.http.HttpDateTime;

/**
 * Forwards each event it is given to one {@link Destination}: a {@code POST} of the exact stored
 * bytes, re-signed with the destination's secret so the downstream verifies it with any Stripe SDK
 * ({@code Webhook.constructEvent(body, header, secret)}), plus {@code Stripe-Inbox-Event-Id} and
 * {@code Stripe-Inbox-Attempt}.
 *
 * <p>A 2xx answer is success. Anything else throws a {@link ForwardException}, so the job system
 * retries under the destination's retry policy: a 3xx (redirects are never followed: the signature
 * was made for this URL), a 4xx or 5xx, no answer within the destination's timeout, or a connection
 * error. A failed answer's {@code Retry-After} (seconds or an HTTP date) makes the next attempt
 * wait at least that long, capped at the policy's {@code max_delay}. At most {@link
 * Destination#maxConcurrency()} deliveries are in flight at once; waiting for a free slot is
 * bounded by the timeout too.
 *
 * <p>Get one from {@link Forwarder#subscriber(Destination)}. Thread-safe: the workers call it
 * concurrently. It never logs; its failure messages name the URL without user info or query, and
 * never the payload or the secret.
 */
public final class ForwardHandler implements Handler {
  private static final String USER_AGENT = "stripe-inbox";

  private final Forwarder forwarder;
  private final Destination destination;
  private final Semaphore slots;
  private final String shownUrl;
  private final String origin;

  ForwardHandler(Forwarder forwarder, Destination destination) {
    this.forwarder = forwarder;
    this.destination = destination;
    this.slots = new Semaphore(destination.maxConcurrency());
    this.shownUrl = redact(destination.url());
    this.origin = origin(destination.url());
  }

  /** The destination this handler delivers to. */
  public Destination destination() {
    return destination;
  }

  @Override
  public void handle(InboxEvent event) throws ForwardException {
    if (forwarder.isClosed()) {
      throw new ForwardException("the forwarder is closed", -1);
    }
    Duration timeout = destination.timeout();
    long waitStart = System.nanoTime();
    if (!acquireSlot(timeout)) {
      report(-1, System.nanoTime() - waitStart);
      throw new ForwardException(
          "no delivery slot free within "
              + format(timeout)
              + " (max_concurrency "
              + destination.maxConcurrency()
              + ")",
          -1);
    }
    int status = -1;
    HttpResponse<Void> response;
    long start = System.nanoTime();
    try {
      response = send(event, timeout);
      status = response.statusCode();
    } finally {
      slots.release();
      report(status, System.nanoTime() - start);
    }
    if (status < 200 || status > 299) {
      Duration retryAfter =
          response
              .headers()
              .firstValue("Retry-After")
              .flatMap(value -> retryAfter(value, forwarder.clock().instant()))
              .orElse(null);
      throw new ForwardException(
          "HTTP "
              + status
              + " from "
              + shownUrl
              + (status >= 300 && status < 400 ? " (redirects are not followed)" : "")
              + (retryAfter == null ? "" : " (Retry-After " + format(retryAfter) + ")"),
          status,
          retryAfter);
    }
  }

  /**
   * The delay a {@code Retry-After} value asks for, measured from {@code now}: delay-seconds
   * ({@code 120}) or an HTTP date in any of its three forms ({@code Wed, 21 Oct 2026 07:28:00 GMT},
   * the obsolete {@code Wednesday, 21-Oct-26 07:28:00 GMT} and {@code Wed Oct 21 07:28:00 2026}),
   * read as Jetty reads dates, which ignores the day of the week. A past date asks for no wait.
   * Empty for anything else, which is then ignored.
   */
  static Optional<Duration> retryAfter(String value, Instant now) {
    String v = value.strip();
    if (!v.isEmpty() && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      // More than 12 digits is over 31,000 years: the policy's max_delay caps it anyway.
      return Optional.of(
          Duration.ofSeconds(v.length() > 12 ? 999_999_999_999L : Long.parseLong(v)));
    }
    try {
      Instant at = HttpDateTime.parse(v).toInstant();
      return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
    } catch (IllegalArgumentException | DateTimeException e) {
      return Optional.empty();
    }
  }

  private boolean acquireSlot(Duration timeout) throws ForwardException {
    try {
      return slots.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ForwardException("interrupted while waiting for a delivery slot", e);
    }
  }

  /** Sends one request and returns the answer, or throws when there is none in time. */
  private HttpResponse<Void> send(InboxEvent event, Duration timeout) throws ForwardException {
    byte[] body = event.payload();
    long now = forwarder.clock().instant().getEpochSecond();
    HttpRequest request =
        HttpRequest.newBuilder(destination.url())
            .timeout(timeout)
            .header("Content-Type", "application/json; charset=utf-8")
            .header("Stripe-Signature", Signer.header(body, destination.secret(), now))
            .header("Stripe-Inbox-Event-Id", event.id())
            .header("Stripe-Inbox-Attempt", Integer.toString(event.attempt()))
            .header("User-Agent", USER_AGENT)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    // The blocking send: sendAsync would hand every completion to the JDK's default async pool,
    // which on a machine with one or two CPUs starts a new thread per task (one per delivery).
    // The request timeout covers the wait for the headers; the watchdog bounds the whole delivery.
    Forwarder.Watchdog watchdog = forwarder.watch(Thread.currentThread(), timeout);
    try {
      return forwarder.client().send(request, HttpResponse.BodyHandlers.discarding());
    } catch (InterruptedException e) {
      if (watchdog.fired()) {
        throw new ForwardException("timed out after " + format(timeout), e);
      }
      Thread.currentThread().interrupt();
      throw new ForwardException("interrupted while delivering", e);
    } catch (IOException e) {
      throw new ForwardException(describe(e, timeout), e);
    } catch (RuntimeException e) {
      // For example a rejected task once the forwarder's threads are stopped.
      throw new ForwardException("cannot send: " + oneLine(e), e);
    } finally {
      watchdog.disarm();
    }
  }

  private String describe(Throwable error, Duration timeout) {
    while ((error instanceof CompletionException || error instanceof ExecutionException)
        && error.getCause() != null) {
      error = error.getCause();
    }
    if (error instanceof HttpConnectTimeoutException) {
      return "connect timed out (" + origin + ")";
    }
    if (error instanceof HttpTimeoutException) {
      return "timed out after " + format(timeout);
    }
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
        return "unknown host " + destination.url().getHost();
      }
    }
    if (error instanceof ConnectException) {
      String message = error.getMessage();
      return message == null || message.toLowerCase(java.util.Locale.ROOT).contains("refused")
          ? "connection refused (" + origin + ")"
          : "cannot connect (" + origin + "): " + oneLine(error);
    }
    if (error instanceof SSLException) {
      return "TLS failure (" + origin + "): " + oneLine(error);
    }
    if (error instanceof IOException) {
      return "connection error (" + origin + "): " + oneLine(error);
    }
    return error.getClass().getSimpleName() + " (" + origin + "): " + oneLine(error);
  }

  private void report(int status, long nanos) {
    try {
      forwarder.listener().onForward(destination.name(), status, nanos);
    } catch (RuntimeException e) {
      // A listener must not throw; if one does, the delivery's outcome still stands.
    }
  }

  /** {@code 10s} or {@code 250ms}: how durations are written in settings. */
  static String format(Duration d) {
    long millis = d.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }

  /** The URL without user info, query or fragment, which may hold credentials. */
  static String redact(URI url) {
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "" : url.getRawPath();
    return origin(url) + path;
  }

  private static String origin(URI url) {
    return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
  }

  private static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    message = message.replaceAll("\\s+", " ").strip();
    return message.length() > 200 ? message.substring(0, 200) + "..." : message;
  }
}
