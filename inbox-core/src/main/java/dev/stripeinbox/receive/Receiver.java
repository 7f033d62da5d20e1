package dev.stripeinbox.receive;

import dev.stripeinbox.event.Envelope;
import dev.stripeinbox.event.EnvelopeReader;
import dev.stripeinbox.event.InvalidPayloadException;
import dev.stripeinbox.inbox.AppendResult;
import dev.stripeinbox.inbox.InboxStore;
import dev.stripeinbox.inbox.NewEvent;
import dev.stripeinbox.verify.SignatureFailure;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Turns one delivery (exact body bytes and the {@code Stripe-Signature} header) into an answer:
 * verify, read the envelope, append to the inbox, and answer 200 only once the append committed.
 *
 * <p>The request thread does only the HMAC and a streaming read of the top-level fields; the
 * returned future completes on the store's writer thread after the group commit, so an HTTP adapter
 * can answer asynchronously without holding a thread per waiting request.
 *
 * <p>Thread-safe.
 */
public final class Receiver {

  /** Told of every answer, for logs and metrics. Must be fast and must not throw. */
  public interface Listener {
    void onReception(Endpoint endpoint, Reception reception, long elapsedNanos);
  }

  private final InboxStore store;
  private final Function<String, List<String>> subscribersForType;
  private final Clock clock;
  private final Listener listener;
  private final Executor callbacks;
  private final AtomicInteger awaitingCommit = new AtomicInteger();

  /**
   * @param store the inbox
   * @param subscribersForType the names of the subscribers that get a job for an event type
   * @param clock the source of the receive time
   * @param listener told of every answer
   * @param callbacks runs the completion of stored deliveries (the listener, and whatever the
   *     caller chains on the future), so that none of it runs on the store's writer thread
   */
  public Receiver(
      InboxStore store,
      Function<String, List<String>> subscribersForType,
      Clock clock,
      Listener listener,
      Executor callbacks) {
    this.store = Objects.requireNonNull(store, "store");
    this.subscribersForType = Objects.requireNonNull(subscribersForType, "subscribersForType");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.callbacks = Objects.requireNonNull(callbacks, "callbacks");
  }

  /**
   * Handles one delivery to {@code endpoint}. The future never completes exceptionally: a store
   * failure becomes a 503 {@code storage_unavailable} answer.
   *
   * @param body the exact request body
   * @param signatureHeader the {@code Stripe-Signature} header, or null when absent
   */
  public CompletableFuture<Reception> receive(
      Endpoint endpoint, byte[] body, String signatureHeader) {
    long start = System.nanoTime();
    CompletableFuture<Reception> answer = decide(endpoint, body, signatureHeader);
    return answer.whenComplete(
        (reception, error) -> listener.onReception(endpoint, reception, System.nanoTime() - start));
  }

  /**
   * How many verified deliveries are waiting for their append to commit: the acknowledgements held
   * up by the store. The dispatcher yields to them while there are many.
   */
  public int awaitingCommit() {
    return awaitingCommit.get();
  }

  private CompletableFuture<Reception> decide(Endpoint endpoint, byte[] body, String header) {
    Optional<SignatureFailure> failure = endpoint.verifier().verify(body, header);
    if (failure.isPresent()) {
      return CompletableFuture.completedFuture(Reception.rejected(failure.get()));
    }
    Envelope envelope;
    try {
      envelope = EnvelopeReader.read(body);
    } catch (InvalidPayloadException e) {
      return CompletableFuture.completedFuture(Reception.invalidPayload(e.getMessage()));
    }
    String id = envelope.id();
    String type = envelope.type();
    if (!endpoint.types().matches(type)) {
      return CompletableFuture.completedFuture(Reception.ignored(id, type));
    }
    NewEvent event =
        new NewEvent(
            envelope, body, endpoint.name(), clock.instant(), subscribersForType.apply(type));
    CompletableFuture<AppendResult> appended;
    awaitingCommit.incrementAndGet();
    try {
      appended = store.append(event);
    } catch (RuntimeException e) {
      appended = CompletableFuture.failedFuture(e);
    }
    return appended.handleAsync(
        (result, error) -> {
          awaitingCommit.decrementAndGet();
          if (error != null) {
            return Reception.unavailable(id, type);
          }
          return result == AppendResult.APPENDED
              ? Reception.received(id, type)
              : Reception.duplicate(id, type);
        },
        callbacks);
  }
}
