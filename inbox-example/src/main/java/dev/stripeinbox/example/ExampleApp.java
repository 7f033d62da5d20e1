package dev.stripeinbox.example;

import com.stripe.model.Invoice;
import com.stripe.model.checkout.Session;
import dev.stripeinbox.StripeInbox;
import dev.stripeinbox.jdbc.JdbcInboxStore;
import dev.stripeinbox.server.http.InboxServer;
import dev.stripeinbox.server.http.ServerOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A complete application on stripe-inbox: two named handlers behind a verified, durable endpoint.
 *
 * <pre>
 * STRIPE_WEBHOOK_SECRET=whsec_... mvn -q -pl inbox-example exec:java
 * ./stripe-inbox trigger checkout.session.completed --secret whsec_...
 * </pre>
 *
 * <p>Each handler runs on a worker after the event is committed, is retried with backoff when it
 * throws, and is given the event id so its side effects can be idempotent.
 */
public final class ExampleApp implements AutoCloseable {
  /** Orders fulfilled, by checkout session id: the application's own state in this example. */
  final Map<String, Long> fulfilled = new ConcurrentHashMap<>();

  /** Invoices recorded as paid. */
  final List<String> paidInvoices = new CopyOnWriteArrayList<>();

  private final JdbcInboxStore store;
  private final StripeInbox inbox;
  private final InboxServer server;

  ExampleApp(String secret, String database, int port) throws Exception {
    store = JdbcInboxStore.open(database);
    inbox =
        StripeInbox.builder()
            .secrets(secret)
            .store(store)
            .on(
                "fulfil-order",
                "checkout.session.completed",
                event -> {
                  Session session = event.dataObject(Session.class);
                  // putIfAbsent: a redelivered event must not ship the order twice.
                  if (fulfilled.putIfAbsent(session.getId(), session.getAmountTotal()) == null) {
                    System.out.println("fulfilled order for session " + session.getId());
                  }
                })
            .on(
                "record-payment",
                "invoice.paid",
                event -> {
                  Invoice invoice = event.dataObject(Invoice.class);
                  paidInvoices.add(invoice.getId());
                  System.out.println(
                      "invoice "
                          + invoice.getId()
                          + " paid: "
                          + invoice.getAmountPaid()
                          + " "
                          + invoice.getCurrency());
                })
            .build();
    inbox.start();
    server = new InboxServer(inbox, ServerOptions.defaults().withPort(port));
    server.start();
  }

  int port() {
    return server.port();
  }

  public static void main(String[] args) throws Exception {
    String secret = System.getenv("STRIPE_WEBHOOK_SECRET");
    if (secret == null || secret.isBlank()) {
      System.err.println("set STRIPE_WEBHOOK_SECRET to your endpoint's whsec_... secret");
      System.exit(2);
    }
    ExampleApp app = new ExampleApp(secret, "example.db", 4242);
    Runtime.getRuntime().addShutdownHook(new Thread(app::close));
    System.out.println("listening on http://127.0.0.1:" + app.port() + "/webhook");
  }

  /** Stops in order: HTTP first (in-flight requests commit), then the workers, then the store. */
  @Override
  public void close() {
    try {
      server.close();
    } catch (Exception e) {
      System.err.println("HTTP stop: " + e.getMessage());
    }
    inbox.close();
    store.close();
  }
}
