package dev.stripeinbox.bench;

import dev.stripeinbox.verify.SignatureVerifier;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * A fast forward destination, on the same Jetty 12 core stack as the other servers: every {@code
 * POST} is read whole and answered 200 at once, and counted. With {@code --secret} it also checks
 * the {@code Stripe-Signature} that stripe-inbox re-signed with, as a real downstream would, and
 * answers 400 to a bad one (counted apart).
 *
 * <ul>
 *   <li>{@code POST} on any other path: a delivery
 *   <li>{@code GET /stats}: {@code deliveries}, {@code distinct} event ids ({@code
 *       Stripe-Inbox-Event-Id}), {@code bad_signature}, and the times of the first and last
 *       delivery and of now, in milliseconds since the sink started ({@code first_ms}, {@code
 *       last_ms}, {@code now_ms})
 *   <li>{@code POST /reset}: starts counting afresh
 * </ul>
 *
 * <pre>java -cp benchmarks.jar dev.stripeinbox.bench.SinkServer --port 4397 --secret whsec_...
 * </pre>
 */
public final class SinkServer {
  private SinkServer() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = JettyBench.flags(args, "--port", "--host", "--secret");
    String secret = flags.get("--secret");
    JettyBench.start(
            flags.getOrDefault("--host", "127.0.0.1"),
            Integer.parseInt(flags.getOrDefault("--port", "4242")),
            new Sink(secret))
        .join();
  }

  static final class Sink extends Handler.Abstract {
    private static final long NONE = Long.MIN_VALUE;

    private final SignatureVerifier verifier;
    private final long origin = System.nanoTime();
    private final LongAdder deliveries = new LongAdder();
    private final LongAdder badSignatures = new LongAdder();
    private final Set<String> ids = ConcurrentHashMap.newKeySet();
    private final AtomicLong first = new AtomicLong(NONE);
    private final AtomicLong last = new AtomicLong(NONE);

    /**
     * @param secret the secret deliveries are signed with, or null to accept any signature
     */
    Sink(String secret) {
      this.verifier =
          secret == null
              ? null
              : new SignatureVerifier(List.of(secret), Duration.ofMinutes(5), Clock.systemUTC());
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String path = Request.getPathInContext(request);
      if (path.equals("/stats") && HttpMethod.GET.is(request.getMethod())) {
        answer(response, callback, 200, stats());
        return true;
      }
      if (path.equals("/reset") && HttpMethod.POST.is(request.getMethod())) {
        reset();
        answer(response, callback, 200, "{\"reset\":true}");
        return true;
      }
      if (!HttpMethod.POST.is(request.getMethod())) {
        Response.writeError(request, response, callback, 405);
        return true;
      }
      String signature = request.getHeaders().get("Stripe-Signature");
      String eventId = request.getHeaders().get("Stripe-Inbox-Event-Id");
      Content.Source.asByteArrayAsync(request, 1 << 20)
          .whenComplete(
              (bytes, error) -> {
                if (error != null) {
                  Response.writeError(request, response, callback, 400);
                  return;
                }
                boolean valid = verifier == null || verifier.verify(bytes, signature).isEmpty();
                delivered(eventId, valid, System.nanoTime());
                response.setStatus(valid ? 200 : 400);
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
                response.write(true, BufferUtil.EMPTY_BUFFER, callback);
              });
      return true;
    }

    void delivered(String eventId, boolean valid, long nanos) {
      if (!valid) {
        badSignatures.increment();
        return;
      }
      deliveries.increment();
      if (eventId != null) {
        ids.add(eventId);
      }
      first.compareAndSet(NONE, nanos);
      last.accumulateAndGet(nanos, Math::max);
    }

    synchronized void reset() {
      deliveries.reset();
      badSignatures.reset();
      ids.clear();
      first.set(NONE);
      last.set(NONE);
    }

    synchronized String stats() {
      long now = System.nanoTime();
      return String.format(
          Locale.ROOT,
          "{\"deliveries\":%d,\"distinct\":%d,\"bad_signature\":%d,\"first_ms\":%s,"
              + "\"last_ms\":%s,\"now_ms\":%s}",
          deliveries.sum(),
          ids.size(),
          badSignatures.sum(),
          millis(first.get()),
          millis(last.get()),
          millis(now));
    }

    private String millis(long nanos) {
      return nanos == NONE ? "null" : String.format(Locale.ROOT, "%.3f", (nanos - origin) / 1e6);
    }

    private static void answer(Response response, Callback callback, int status, String json) {
      byte[] body = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      response.setStatus(status);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
      response.write(true, java.nio.ByteBuffer.wrap(body), callback);
    }
  }
}
