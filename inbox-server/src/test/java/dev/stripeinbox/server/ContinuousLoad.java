package dev.stripeinbox.server;

import dev.stripeinbox.server.DistinctEvents.Event;
import dev.stripeinbox.testkit.Signer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Signed webhook deliveries from several client threads at once, each thread sending one event
 * after another over HTTP/1.1 until it is stopped, its source runs dry, or its connection fails. It
 * records what the server promised: every event answered 200 {@code "received":true} (new or
 * duplicate) with the exact bytes sent, so a test can check them against the database later.
 *
 * <p>A sender whose request fails with an {@link IOException} (the server died or refused the
 * connection) records the event as failed and stops: after a crash each thread leaves at most one
 * failure, the request it had in flight.
 *
 * <p>Thread-safe: the counters may be read while the senders run.
 */
final class ContinuousLoad implements AutoCloseable {
  /** Where the events come from; returns null when there are no more. */
  @FunctionalInterface
  interface Source {
    Event next();
  }

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final URI url;
  private final String secret;
  private final HttpClient client;
  private final List<Thread> senders = new ArrayList<>();
  private final Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
  private final Set<String> failed = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> otherAnswers = new ConcurrentHashMap<>();
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicInteger duplicates = new AtomicInteger();
  private volatile boolean stopping;

  private ContinuousLoad(URI url, String secret) {
    this.url = url;
    this.secret = secret;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
  }

  /** Starts {@code threads} senders that share {@code source}. */
  static ContinuousLoad start(URI url, String secret, int threads, Source source) {
    ContinuousLoad load = new ContinuousLoad(url, secret);
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(() -> load.sendAll(source), "load-" + i);
      t.setDaemon(true);
      load.senders.add(t);
    }
    load.senders.forEach(Thread::start);
    return load;
  }

  /** An endless source. */
  static Source of(DistinctEvents events) {
    return events::next;
  }

  /** A source that hands out each event of {@code events} once, in order. */
  static Source of(List<Event> events) {
    AtomicInteger next = new AtomicInteger();
    return () -> {
      int i = next.getAndIncrement();
      return i < events.size() ? events.get(i) : null;
    };
  }

  private void sendAll(Source source) {
    while (!stopping) {
      Event event = source.next();
      if (event == null) {
        return;
      }
      HttpRequest request =
          HttpRequest.newBuilder(url)
              .timeout(REQUEST_TIMEOUT)
              .header("Content-Type", "application/json; charset=utf-8")
              .header(
                  "Stripe-Signature",
                  Signer.header(event.body(), secret, System.currentTimeMillis() / 1000))
              .POST(HttpRequest.BodyPublishers.ofByteArray(event.body()))
              .build();
      sent.incrementAndGet();
      HttpResponse<String> response;
      try {
        response = client.send(request, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        failed.add(event.id());
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      String body = response.body();
      if (response.statusCode() == 200
          && body.contains("\"received\":true")
          && !body.contains("\"ignored\"")) {
        acknowledged.put(event.id(), event.body());
        if (body.contains("\"duplicate\":true")) {
          duplicates.incrementAndGet();
        }
      } else {
        otherAnswers
            .computeIfAbsent(response.statusCode() + " " + body, k -> new AtomicInteger())
            .incrementAndGet();
      }
    }
  }

  /** Requests started so far. */
  int sent() {
    return sent.get();
  }

  /** Events answered 200 {@code received}, by id, with the exact bytes sent. */
  Map<String, byte[]> acknowledged() {
    return acknowledged;
  }

  int acknowledgedCount() {
    return acknowledged.size();
  }

  /** Of the acknowledged, how many the server called duplicates. */
  int duplicates() {
    return duplicates.get();
  }

  /** Ids whose request failed with no answer: in flight at a crash, or refused after it. */
  Set<String> failed() {
    return failed;
  }

  /** Answers other than 200 {@code received}: status and body, with how often each came. */
  Map<String, Integer> otherAnswers() {
    Map<String, Integer> out = new TreeMap<>();
    otherAnswers.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** Stops the senders after their current request; false if one is still busy at the timeout. */
  boolean stop(Duration timeout) throws InterruptedException {
    stopping = true;
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread t : senders) {
      t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
    }
    boolean allStopped = senders.stream().noneMatch(Thread::isAlive);
    if (!allStopped) {
      senders.forEach(Thread::interrupt);
    }
    return allStopped;
  }

  /** True once every sender has returned (source exhausted, failure or stop). */
  boolean finished() {
    return senders.stream().noneMatch(Thread::isAlive);
  }

  String summary() {
    return "sent "
        + sent()
        + ", acknowledged "
        + acknowledgedCount()
        + " (duplicates "
        + duplicates()
        + "), failed without an answer "
        + failed.size()
        + ", other answers "
        + otherAnswers();
  }

  @Override
  public void close() {
    try {
      stop(REQUEST_TIMEOUT.plusSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
