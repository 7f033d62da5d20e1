package dev.stripeinbox.server.load;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends through the JDK's {@link HttpClient} over HTTP/1.1: the client for {@code https} endpoints,
 * and a point of comparison for the NIO client. Closed loop: {@code concurrency} chains of
 * requests, each sending when the previous answer arrives. Open loop: one pacing thread sends each
 * delivery when it is due, with at most {@code connections} in flight; latency runs from when it
 * was due.
 *
 * <p>Thread-safe by confinement: the deliveries and the stats are guarded by this object's lock.
 */
final class JdkEngine {
  private final LoadPlan plan;
  private final Phases phases;
  private final Deliveries deliveries;
  private final HttpClient client;
  final Stats warmup = new Stats();
  final Stats measured = new Stats();
  private final AtomicInteger inFlight = new AtomicInteger();

  JdkEngine(LoadPlan plan, Phases phases, Deliveries deliveries) {
    this.plan = plan;
    this.phases = phases;
    this.deliveries = deliveries;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(plan.timeout())
            .build();
  }

  void run() throws InterruptedException {
    if (plan.openLoop()) {
      pace();
    } else {
      for (int i = 0; i < plan.concurrency(); i++) {
        sendNext(System.nanoTime(), null);
      }
      long end;
      while (System.nanoTime() - (end = phases.end()) < 0) {
        LockSupport.parkNanos(Math.min(50_000_000L, end - System.nanoTime()));
      }
    }
    while (inFlight.get() > 0 && System.nanoTime() - phases.drainDeadline() < 0) {
      Thread.sleep(5);
    }
    int abandoned = inFlight.getAndSet(0);
    synchronized (this) {
      for (int i = 0; i < abandoned; i++) {
        measured.failed(false, true, "no answer within the timeout");
      }
    }
  }

  private void pace() throws InterruptedException {
    long interval = 1_000_000_000L / plan.rate();
    Semaphore slots = new Semaphore(plan.connections());
    for (long k = 0; ; k++) {
      long due = phases.start + k * interval;
      if (due - phases.end() >= 0) {
        return;
      }
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      long left = phases.drainDeadline() - System.nanoTime();
      if (left <= 0 || !slots.tryAcquire(left, TimeUnit.NANOSECONDS)) {
        synchronized (this) {
          stats(due).failed(false, true, "not sent: every connection was busy until the end");
        }
        continue;
      }
      sendNext(due, slots);
    }
  }

  private Stats stats(long due) {
    return phases.measured(due) ? measured : warmup;
  }

  private void sendNext(long due, Semaphore slot) {
    byte[] body;
    String signature;
    boolean duplicate;
    long key;
    synchronized (this) {
      deliveries.next(System.currentTimeMillis() / 1000);
      body = Arrays.copyOf(deliveries.body(), deliveries.body().length);
      signature = new String(deliveries.signature(), StandardCharsets.US_ASCII);
      duplicate = deliveries.isDuplicate();
      key = deliveries.key();
    }
    HttpRequest request =
        HttpRequest.newBuilder(plan.url())
            .timeout(plan.timeout())
            .header("Content-Type", "application/json; charset=utf-8")
            .header("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
            .header("Stripe-Signature", signature)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    long sent = System.nanoTime();
    long start = plan.openLoop() ? due : sent;
    inFlight.incrementAndGet();
    client
        .sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .whenComplete(
            (response, error) -> {
              long now = System.nanoTime();
              if (inFlight.getAndDecrement() <= 0) {
                inFlight.incrementAndGet(); // already counted as abandoned
                return;
              }
              if (slot != null) {
                slot.release();
              }
              synchronized (this) {
                Stats stats = stats(start);
                if (error != null) {
                  Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                  stats.failed(
                      duplicate,
                      cause instanceof HttpTimeoutException,
                      cause.getClass().getSimpleName() + ": " + cause.getMessage());
                } else {
                  int status = response.statusCode();
                  String answer = response.body();
                  stats.answered(
                      status,
                      duplicate,
                      status / 100 == 2 && answer.contains("\"duplicate\":true"),
                      now - start);
                  if (status / 100 == 2 && !duplicate) {
                    deliveries.acknowledged(key);
                  } else if (status / 100 != 2) {
                    stats.noteFailure(
                        status + " " + answer.substring(0, Math.min(200, answer.length())));
                  }
                }
              }
              phases.completions.increment();
              if (!plan.openLoop() && System.nanoTime() - phases.end() < 0) {
                sendNext(System.nanoTime(), null);
              }
            });
  }
}
