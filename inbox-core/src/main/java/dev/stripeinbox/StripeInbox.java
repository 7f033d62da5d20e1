package dev.stripeinbox;

import dev.stripeinbox.dispatch.DispatchListener;
import dev.stripeinbox.dispatch.Dispatcher;
import dev.stripeinbox.dispatch.DispatcherOptions;
import dev.stripeinbox.dispatch.RetryPolicy;
import dev.stripeinbox.dispatch.Subscriber;
import dev.stripeinbox.dispatch.TypeFilter;
import dev.stripeinbox.inbox.InboxStore;
import dev.stripeinbox.receive.Endpoint;
import dev.stripeinbox.receive.Receiver;
import dev.stripeinbox.receive.Reception;
import dev.stripeinbox.verify.SignatureVerifier;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The webhook inbox: verifies and durably stores Stripe events, then runs each subscriber's handler
 * asynchronously, with retries, a dead state and replay.
 *
 * <pre>{@code
 * StripeInbox inbox = StripeInbox.builder()
 *     .secrets(System.getenv("STRIPE_WEBHOOK_SECRET"))
 *     .store(JdbcInboxStore.open("stripe-inbox.db"))
 *     .on("fulfil-order", "checkout.session.completed", event -> fulfil(event))
 *     .build();
 * inbox.start();
 * // from any HTTP framework:
 * Reception r = inbox.receive(rawBodyBytes, request.getHeader("Stripe-Signature"));
 * response.status(r.status()).json(r.body());
 * }</pre>
 *
 * <p>Create one per application and share it; it is immutable after {@link Builder#build()} and
 * thread-safe. {@link #close()} stops the workers; the store is closed by whoever opened it.
 */
public final class StripeInbox implements AutoCloseable {
  /** The name of the endpoint {@link Builder#secrets} configures. */
  public static final String DEFAULT_ENDPOINT = "default";

  private final Map<String, Endpoint> endpoints;
  private final List<Subscriber> subscribers;
  private final InboxStore store;
  private final Receiver receiver;
  private final Dispatcher dispatcher;
  private final Clock clock;

  private StripeInbox(Builder b) {
    this.store = b.store;
    this.clock = b.clock;
    this.endpoints = Map.copyOf(b.endpoints);
    this.subscribers = List.copyOf(b.subscribers);
    this.dispatcher =
        new Dispatcher(
            store,
            subscribers,
            clock,
            b.dispatcherOptions,
            b.dispatchListener,
            this::awaitingCommit);
    Receiver.Listener userListener = b.receiveListener;
    this.receiver =
        new Receiver(
            store,
            this::subscribersFor,
            clock,
            (endpoint, reception, nanos) -> {
              if (reception.outcome() == Reception.Outcome.RECEIVED) {
                dispatcher.wake();
              }
              userListener.onReception(endpoint, reception, nanos);
            },
            b.callbacks != null ? b.callbacks : Runnable::run);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts the workers. Receiving works before this; processing starts here. */
  public void start() {
    dispatcher.start();
  }

  /**
   * Handles one delivery to the default endpoint and waits for the answer.
   *
   * @param body the exact request body bytes (never a re-serialised JSON)
   * @param signatureHeader the {@code Stripe-Signature} header, or null when absent
   */
  public Reception receive(byte[] body, String signatureHeader) {
    return receiveAsync(DEFAULT_ENDPOINT, body, signatureHeader).join();
  }

  /**
   * Handles one delivery to the named endpoint. The future completes after the store committed (or
   * could not), never exceptionally.
   *
   * @throws IllegalArgumentException when there is no endpoint of that name
   */
  public CompletableFuture<Reception> receiveAsync(
      String endpointName, byte[] body, String signatureHeader) {
    Endpoint endpoint = endpoints.get(endpointName);
    if (endpoint == null) {
      throw new IllegalArgumentException("no endpoint named " + endpointName);
    }
    return receiver.receive(endpoint, body, signatureHeader);
  }

  /** The endpoints by name. */
  public Map<String, Endpoint> endpoints() {
    return endpoints;
  }

  public List<Subscriber> subscribers() {
    return subscribers;
  }

  public InboxStore store() {
    return store;
  }

  public Clock clock() {
    return clock;
  }

  /** Makes the workers look for due work now, for example after a replay. */
  public void wake() {
    dispatcher.wake();
  }

  /** The dispatcher's view of the receiver; only called once both exist (after {@link #start}). */
  private int awaitingCommit() {
    return receiver.awaitingCommit();
  }

  private List<String> subscribersFor(String type) {
    List<String> names = new ArrayList<>(2);
    for (Subscriber s : subscribers) {
      if (s.types().matches(type)) {
        names.add(s.name());
      }
    }
    return names;
  }

  /** Stops claiming work and waits, bounded, for running handlers. The store stays open. */
  @Override
  public void close() {
    dispatcher.close();
  }

  /** Builds a {@link StripeInbox}. Not thread-safe; use it from one thread, then discard it. */
  public static final class Builder {
    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    private final List<Subscriber> subscribers = new ArrayList<>();
    private List<String> defaultSecrets = List.of();
    private Duration tolerance = Duration.ofMinutes(5);
    private InboxStore store;
    private Clock clock = Clock.systemUTC();
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private DispatcherOptions dispatcherOptions = DispatcherOptions.defaults();
    private Receiver.Listener receiveListener = (endpoint, reception, nanos) -> {};
    private DispatchListener dispatchListener = DispatchListener.NONE;
    private Executor callbacks;

    private Builder() {}

    /** The default endpoint's signing secrets; a match with any one is accepted (rotation). */
    public Builder secrets(String... secrets) {
      this.defaultSecrets = List.of(secrets);
      return this;
    }

    /** The default endpoint's signing secrets; a match with any one is accepted (rotation). */
    public Builder secrets(List<String> secrets) {
      this.defaultSecrets = List.copyOf(secrets);
      return this;
    }

    /** The largest allowed gap between a signature's timestamp and now (default 300 s). */
    public Builder tolerance(Duration tolerance) {
      this.tolerance = Objects.requireNonNull(tolerance, "tolerance");
      return this;
    }

    /** An extra endpoint, for example a Connect endpoint with its own secret. */
    public Builder endpoint(Endpoint endpoint) {
      if (endpoints.putIfAbsent(endpoint.name(), endpoint) != null) {
        throw new IllegalArgumentException("two endpoints are named " + endpoint.name());
      }
      return this;
    }

    public Builder store(InboxStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** The source of now, for signatures, receive times and retries (default the UTC clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The retry policy of subscribers added after this call without one of their own. */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /**
     * Adds a subscriber.
     *
     * @param name a stable name: it identifies the subscriber's jobs across restarts
     * @param pattern {@code invoice.paid}, {@code invoice.*} or {@code *}
     */
    public Builder on(String name, String pattern, Handler handler) {
      return subscriber(
          new Subscriber(name, TypeFilter.of(List.of(pattern)), handler, retryPolicy));
    }

    /** Adds a subscriber of several patterns with its own retry policy. */
    public Builder on(String name, List<String> patterns, Handler handler, RetryPolicy policy) {
      return subscriber(new Subscriber(name, TypeFilter.of(patterns), handler, policy));
    }

    public Builder subscriber(Subscriber subscriber) {
      for (Subscriber s : subscribers) {
        if (s.name().equals(subscriber.name())) {
          throw new IllegalArgumentException("two subscribers are named " + subscriber.name());
        }
      }
      subscribers.add(subscriber);
      return this;
    }

    public Builder dispatcherOptions(DispatcherOptions options) {
      this.dispatcherOptions = Objects.requireNonNull(options, "options");
      return this;
    }

    /** Told of every answer, for logs and metrics. */
    public Builder receiveListener(Receiver.Listener listener) {
      this.receiveListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Told of every job attempt, for logs and metrics. */
    public Builder dispatchListener(DispatchListener listener) {
      this.dispatchListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Where completed deliveries continue (the receive listener, and whatever is chained on the
     * future of {@link #receive}). By default they continue on the thread that completes the
     * store's append: for the JDBC store, its {@code inbox-completions} thread, which settles a
     * whole group commit in one hand-off. Pass an executor when that work may block.
     */
    public Builder callbackExecutor(Executor executor) {
      this.callbacks = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * @throws IllegalStateException when no store or no endpoint was configured
     */
    public StripeInbox build() {
      if (store == null) {
        throw new IllegalStateException("a store is required: .store(JdbcInboxStore.open(...))");
      }
      if (!defaultSecrets.isEmpty() && !endpoints.containsKey(DEFAULT_ENDPOINT)) {
        endpoints.put(
            DEFAULT_ENDPOINT,
            new Endpoint(
                DEFAULT_ENDPOINT,
                new SignatureVerifier(defaultSecrets, tolerance, clock),
                TypeFilter.all()));
      }
      if (endpoints.isEmpty()) {
        throw new IllegalStateException("no endpoint: set .secrets(...) or add an .endpoint(...)");
      }
      return new StripeInbox(this);
    }
  }
}
