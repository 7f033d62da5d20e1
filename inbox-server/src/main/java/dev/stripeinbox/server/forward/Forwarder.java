package dev.stripeinbox.server.forward;

import dev.stripeinbox.dispatch.Subscriber;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Delivers stored events to forward destinations over one shared, pooled HTTP client.
 *
 * <pre>{@code
 * Forwarder forwarder = new Forwarder(Clock.systemUTC(), ForwardListener.NONE);
 * StripeInbox inbox = StripeInbox.builder()
 *     .store(store)
 *     .secrets(webhookSecret)
 *     .subscriber(forwarder.subscriber(destination)) // one per destination
 *     .build();
 * inbox.start();
 * ...
 * inbox.close();     // first: lets running deliveries finish
 * forwarder.close(); // then the client
 * }</pre>
 *
 * <p>Create one per process and give it every destination: all of them share one {@link HttpClient}
 * (HTTP/1.1, keep-alive connection pool, no redirects followed, a connect timeout), so connections
 * to a downstream are reused from one event to the next instead of being opened per delivery. Each
 * destination still gets its own {@link ForwardHandler}, with its own bound on deliveries in
 * flight, its own timeout and its own retry policy (through its {@link Subscriber}).
 *
 * <p>Thread-safe. Lifecycle: use it, then {@link #close()} it once, after the inbox that runs its
 * handlers has been closed; a delivery attempted after that fails and is retried later.
 */
public final class Forwarder implements AutoCloseable {
  /** How long opening a connection to a downstream may take, unless told otherwise. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private final Clock clock;
  private final ForwardListener listener;
  private final ExecutorService executor;
  private final ScheduledExecutorService timer;
  private final HttpClient client;
  private volatile boolean closed;

  /**
   * @param clock the source of the forwarded signatures' timestamps
   * @param listener told of every attempt, for logs and metrics
   */
  public Forwarder(Clock clock, ForwardListener listener) {
    this(clock, listener, DEFAULT_CONNECT_TIMEOUT);
  }

  /**
   * @param clock the source of the forwarded signatures' timestamps
   * @param listener told of every attempt, for logs and metrics
   * @param connectTimeout how long opening a connection may take; each delivery is also bounded as
   *     a whole by its destination's timeout
   */
  public Forwarder(Clock clock, ForwardListener listener, Duration connectTimeout) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.listener = Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connectTimeout must be positive, was " + connectTimeout);
    }
    AtomicInteger n = new AtomicInteger();
    // Our own executor, so close() can stop the client's threads on Java 17, whose HttpClient
    // has no close().
    this.executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "forward-http-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "forward-timer");
              t.setDaemon(true);
              return t;
            });
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(connectTimeout)
            .executor(executor)
            .build();
  }

  /**
   * The job-system subscriber that forwards to {@code destination}: named {@link
   * Destination#subscriberName()}, with the destination's type filter and retry policy.
   *
   * @throws IllegalArgumentException when the destination's URL is not an absolute http or https
   *     URL with a host
   */
  public Subscriber subscriber(Destination destination) {
    return new Subscriber(
        destination.subscriberName(),
        destination.types(),
        handler(destination),
        destination.retryPolicy());
  }

  /**
   * The handler that forwards to {@code destination}; prefer {@link #subscriber}, which wires in
   * the destination's filter and retry policy too.
   *
   * @throws IllegalArgumentException when the destination's URL is not an absolute http or https
   *     URL with a host
   */
  public ForwardHandler handler(Destination destination) {
    Objects.requireNonNull(destination, "destination");
    checkUrl(destination.url());
    return new ForwardHandler(this, destination);
  }

  static void checkUrl(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
      throw new IllegalArgumentException(
          "a destination URL must be an absolute http:// or https:// URL with a host");
    }
  }

  HttpClient client() {
    return client;
  }

  /**
   * Interrupts {@code thread} once {@code timeout} has passed, unless disarmed first: the bound on
   * a whole blocking delivery, body included.
   */
  Watchdog watch(Thread thread, Duration timeout) {
    Watchdog watchdog = new Watchdog(thread);
    try {
      watchdog.task = timer.schedule(watchdog::fire, timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // Closed: the send fails on the stopped client anyway.
    }
    return watchdog;
  }

  /** One delivery's timer. {@link #disarm} must run in a {@code finally} of the watched thread. */
  static final class Watchdog {
    private final Thread thread;
    private ScheduledFuture<?> task;
    private boolean done;
    private boolean fired;

    private Watchdog(Thread thread) {
      this.thread = thread;
    }

    private synchronized void fire() {
      if (!done) {
        fired = true;
        thread.interrupt();
      }
    }

    synchronized boolean fired() {
      return fired;
    }

    /** Stops the timer; once it returns, the watched thread is not interrupted by it. */
    void disarm() {
      boolean interruptedByUs;
      synchronized (this) {
        done = true;
        interruptedByUs = fired;
      }
      if (task != null) {
        task.cancel(false);
      }
      if (interruptedByUs) {
        Thread.interrupted(); // the interrupt was ours, not the caller's: clear it
      }
    }
  }

  Clock clock() {
    return clock;
  }

  ForwardListener listener() {
    return listener;
  }

  boolean isClosed() {
    return closed;
  }

  /**
   * Stops the client's threads and, on Java 21 and later, its connections. Deliveries still in
   * flight fail. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    // Java 21 made HttpClient AutoCloseable; on 17 its connections close once it is unreachable.
    if (client instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        // Closing is best effort; the threads are stopped below either way.
      }
    }
    executor.shutdownNow();
    timer.shutdownNow();
  }
}
