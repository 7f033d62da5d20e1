package dev.stripeinbox.bench;

import dev.stripeinbox.StripeInbox;
import dev.stripeinbox.jdbc.JdbcInboxStore;
import dev.stripeinbox.receive.Reception;
import dev.stripeinbox.server.http.InboxServer;
import dev.stripeinbox.server.http.JsonResponses;
import dev.stripeinbox.server.http.ServerOptions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/**
 * Measures the hand-off from the 200 to the handler: stripe-inbox as a library, with its embedded
 * HTTP server, a SQLite store ({@code synchronous=FULL}) and the library's defaults (8 workers,
 * completions, polling), with one subscriber for every type whose handler only notes when it
 * started.
 *
 * <p>For each stored event it records the time from the moment its 200 answer was ready (the
 * receive listener, which runs after the group commit and before the answer is written) to the
 * first line of its handler, both with {@link System#nanoTime()} in this JVM (see {@link
 * HandoffProbe}).
 *
 * <ul>
 *   <li>{@code POST /webhook}: the webhook endpoint, as in {@code serve}
 *   <li>{@code POST /handoff/reset?warmup=5s}: starts a new measurement window at the first
 *       delivery after it, plus the warm-up
 *   <li>{@code GET /handoff}: the window's count and percentiles as JSON
 * </ul>
 *
 * <pre>
 * java -cp benchmarks.jar dev.stripeinbox.bench.HandoffServer --port 4395 --db handoff.db --secret whsec_...
 * </pre>
 */
public final class HandoffServer {
  static final String SUBSCRIBER = "handoff";

  private HandoffServer() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = JettyBench.flags(args, "--port", "--host", "--db", "--secret");
    String secret = flags.getOrDefault("--secret", System.getenv("STRIPE_WEBHOOK_SECRET"));
    if (secret == null) {
      System.err.println("HandoffServer: --secret (or STRIPE_WEBHOOK_SECRET) is required");
      System.exit(2);
    }
    HandoffProbe probe = new HandoffProbe();
    JdbcInboxStore store = JdbcInboxStore.open(flags.getOrDefault("--db", "handoff.db"));
    StripeInbox inbox =
        StripeInbox.builder()
            .store(store)
            .secrets(secret)
            .on(
                SUBSCRIBER,
                "*",
                event -> {
                  long started = System.nanoTime();
                  probe.handlerStarted(event.id(), started);
                })
            .receiveListener(
                (endpoint, reception, nanos) -> {
                  if (reception.outcome() == Reception.Outcome.RECEIVED) {
                    probe.answered(reception.eventId(), System.nanoTime());
                  }
                })
            .build();
    InboxServer server =
        new InboxServer(
            inbox,
            ServerOptions.defaults()
                .withHost(flags.getOrDefault("--host", "127.0.0.1"))
                .withPort(Integer.parseInt(flags.getOrDefault("--port", "4242"))));
    server.route(
        "/handoff",
        (request, response, callback) -> {
          String path = Request.getPathInContext(request);
          if (path.equals("/handoff") && HttpMethod.GET.is(request.getMethod())) {
            JsonResponses.send(response, callback, 200, probe.json());
            return true;
          }
          if (path.equals("/handoff/reset") && HttpMethod.POST.is(request.getMethod())) {
            Fields query = Request.extractQueryParameters(request);
            String warmup = query.getValue("warmup");
            probe.reset(warmup == null ? Duration.ZERO : duration(warmup));
            JsonResponses.send(response, callback, 200, "{\"reset\":true}");
            return true;
          }
          return false;
        });
    server.start();
    inbox.start();
    System.out.println(
        "handoff server listening on http://127.0.0.1:" + server.port() + "/webhook");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.close();
                  } catch (Exception e) {
                    // stopping anyway
                  }
                  inbox.close();
                  store.close();
                  stopped.countDown();
                },
                "handoff-shutdown"));
    stopped.await();
  }

  /** {@code 5s}, {@code 250ms} or plain seconds. */
  static Duration duration(String value) {
    String v = value.strip();
    if (v.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
    }
    if (v.endsWith("s")) {
      v = v.substring(0, v.length() - 1);
    }
    return Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
  }
}
