package dev.stripeinbox.server.http;

import dev.stripeinbox.StripeInbox;
import dev.stripeinbox.receive.Reception;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The embedded HTTP server: {@code POST} on each webhook path, {@code /healthz}, {@code /readyz},
 * and any extra routes (admin API, metrics) added through {@link #route}.
 *
 * <p>Webhook requests are fully asynchronous: the body is read without blocking, the receiver
 * verifies it on the request thread, and the answer is written when the store's group commit
 * completes, so a request waiting for its commit holds no thread.
 *
 * <p>Shutdown is graceful: new requests are refused, in-flight ones finish (including their
 * commits), then the connector closes. Stop the server before closing the inbox and the store.
 */
public final class InboxServer implements AutoCloseable {
  /** A route beside the webhooks. Returns false to fall through to 404. */
  @FunctionalInterface
  public interface Route {
    boolean handle(Request request, Response response, Callback callback) throws Exception;
  }

  private final StripeInbox inbox;
  private final ServerOptions options;
  private final Map<String, Route> prefixes = new LinkedHashMap<>();
  private final Server server;
  private final ServerConnector connector;

  /** A server on a new thread pool. */
  public InboxServer(StripeInbox inbox, ServerOptions options) {
    this(inbox, options, newThreadPool());
  }

  /**
   * A server on the given pool. Answers to webhooks are written, without blocking, from the thread
   * that completes the inbox's reception (see {@link StripeInbox.Builder#callbackExecutor}).
   */
  public InboxServer(StripeInbox inbox, ServerOptions options, QueuedThreadPool threads) {
    this.inbox = inbox;
    this.options = options;
    for (String endpoint : options.webhookPaths().values()) {
      if (!inbox.endpoints().containsKey(endpoint)) {
        throw new IllegalArgumentException("no endpoint named " + endpoint);
      }
    }
    this.server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    // Room for oversized Stripe-Signature headers to reach the verifier, which calls them
    // malformed; beyond this the HTTP layer answers 431.
    http.setRequestHeaderSize(64 * 1024);
    this.connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(options.host());
    connector.setPort(options.port());
    connector.setAcceptQueueSize(1024);
    server.addConnector(connector);
    GracefulHandler graceful = new GracefulHandler(new Routes());
    // On stop, idle keep-alive connections close after this; busy ones finish their request.
    graceful.setShutdownIdleTimeout(200);
    server.setHandler(graceful);
    server.setErrorHandler(new JsonErrorHandler());
    server.setStopTimeout(options.stopTimeout().toMillis());
    server.setStopAtShutdown(false);
  }

  /** The HTTP thread pool: acceptors, selectors and request threads, named {@code http-N}. */
  public static QueuedThreadPool newThreadPool() {
    QueuedThreadPool threads = new QueuedThreadPool(200, 8);
    threads.setName("http");
    return threads;
  }

  /** Adds a route for every path starting with {@code prefix}. Call before {@link #start()}. */
  public InboxServer route(String prefix, Route route) {
    prefixes.put(prefix, route);
    return this;
  }

  public void start() throws Exception {
    server.start();
  }

  /** The port actually bound, useful with port 0. */
  public int port() {
    return connector.getLocalPort();
  }

  /** Refuses new requests, lets in-flight ones finish within the stop timeout, then stops. */
  @Override
  public void close() throws Exception {
    server.stop();
  }

  private final class Routes extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      String path = Request.getPathInContext(request);
      String endpoint = options.webhookPaths().get(path);
      if (endpoint != null) {
        webhook(endpoint, request, response, callback);
        return true;
      }
      switch (path) {
        case "/healthz" -> {
          JsonResponses.send(response, callback, 200, "{\"status\":\"ok\"}");
          return true;
        }
        case "/readyz" -> {
          boolean ready = inbox.store().isReady();
          JsonResponses.send(
              response,
              callback,
              ready ? 200 : 503,
              ready
                  ? "{\"status\":\"ready\"}"
                  : JsonResponses.errorBody("storage_unavailable", "the store does not answer"));
          return true;
        }
        default -> {
          for (Map.Entry<String, Route> route : prefixes.entrySet()) {
            if (path.startsWith(route.getKey())
                && route.getValue().handle(request, response, callback)) {
              return true;
            }
          }
          JsonResponses.error(response, callback, 404, "not_found", "no route for " + path);
          return true;
        }
      }
    }
  }

  /**
   * Every {@code X-Forwarded-For} line, joined in order as HTTP joins repeated fields, or null. A
   * proxy that adds its own line after the client's must be read last: the first line alone is
   * whatever the client sent.
   */
  private static String forwardedFor(Request request) {
    List<String> lines = request.getHeaders().getValuesList("X-Forwarded-For");
    return lines.isEmpty() ? null : String.join(",", lines);
  }

  private void webhook(String endpoint, Request request, Response response, Callback callback) {
    if (options.allowlist().isPresent()
        && !options
            .allowlist()
            .get()
            .permits(Request.getRemoteAddr(request), forwardedFor(request))) {
      JsonResponses.error(
          response, callback, 403, "ip_not_allowed", "this address may not deliver webhooks");
      return;
    }
    if (!HttpMethod.POST.is(request.getMethod())) {
      response.getHeaders().put(HttpHeader.ALLOW, "POST");
      JsonResponses.error(
          response, callback, 405, "method_not_allowed", "use POST for webhook deliveries");
      return;
    }
    long declared = request.getLength();
    if (declared > options.maxBody()) {
      if (declared - options.maxBody() <= DRAINED_EXCESS) {
        // Read and drop a moderately oversized body before the 413, so the client finishes
        // sending and reads the answer instead of a reset connection. Huge ones are not read.
        Content.Source.consumeAll(
            request,
            Callback.from(
                () -> tooLarge(response, callback), failure -> tooLarge(response, callback)));
      } else {
        tooLarge(response, callback);
      }
      return;
    }
    String signature = request.getHeaders().get("Stripe-Signature");
    CompletableFuture<byte[]> body = Content.Source.asByteArrayAsync(request, options.maxBody());
    body.whenComplete(
        (bytes, error) -> {
          if (error != null) {
            if (isTooLarge(error)) {
              tooLarge(response, callback);
            } else {
              JsonResponses.error(
                  response, callback, 400, "body_unreadable", "the request body could not be read");
            }
            return;
          }
          CompletableFuture<Reception> answer;
          try {
            answer = inbox.receiveAsync(endpoint, bytes, signature);
          } catch (RuntimeException e) {
            callback.failed(e);
            return;
          }
          answer.whenComplete(
              (reception, failure) -> {
                if (failure != null) {
                  callback.failed(failure);
                } else {
                  JsonResponses.send(response, callback, reception.status(), reception.body());
                }
              });
        });
  }

  /** How far over the limit a declared body may be and still be read before its 413. */
  private static final long DRAINED_EXCESS = 1024 * 1024;

  private void tooLarge(Response response, Callback callback) {
    JsonResponses.error(
        response,
        callback,
        413,
        "payload_too_large",
        "the body is larger than the limit of " + options.maxBody() + " bytes");
  }

  /**
   * Whether reading the body failed because it passed {@code maxBody}. A body without a declared
   * length (chunked) only shows its size while it is read: Jetty 12.1's reader then fails with an
   * {@code IllegalStateException} ("Max size exceeded"), where 12.0's failed with an {@code
   * IllegalArgumentException}; both mean the limit, since nothing else reads this body.
   */
  private static boolean isTooLarge(Throwable error) {
    Throwable e =
        error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
    return e instanceof IllegalStateException
        || e instanceof IllegalArgumentException
        || e instanceof org.eclipse.jetty.http.BadMessageException bad && bad.getCode() == 413;
  }
}
