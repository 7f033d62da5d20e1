package dev.stripeinbox.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.gson.JsonSyntaxException;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.Event;
import com.stripe.model.EventDataObjectDeserializer;
import com.stripe.model.PaymentIntent;
import com.stripe.model.PaymentMethod;
import com.stripe.model.StripeObject;
import com.stripe.net.Webhook;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * The baseline of the benchmark: the logic of Stripe's Java "Build a webhook endpoint" quickstart
 * (read the body, {@code Webhook.constructEvent}, deserialize {@code data.object}, switch on the
 * type, answer 200; nothing is stored), on the same Jetty 12 core stack as stripe-inbox. The
 * quickstart runs on Spark; here only the handler is the quickstart's, so that the comparison is of
 * the work per delivery, not of HTTP frameworks.
 *
 * <pre>
 * java -cp inbox-bench/target/benchmarks.jar dev.stripeinbox.bench.BaselineServer --port 4243 --secret whsec_...
 * </pre>
 */
public final class BaselineServer {
  private BaselineServer() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = JettyBench.flags(args, "--port", "--secret", "--host");
    String secret = flags.getOrDefault("--secret", System.getenv("STRIPE_WEBHOOK_SECRET"));
    if (secret == null) {
      System.err.println("BaselineServer: --secret (or STRIPE_WEBHOOK_SECRET) is required");
      System.exit(2);
    }
    JettyBench.start(
            flags.getOrDefault("--host", "127.0.0.1"),
            Integer.parseInt(flags.getOrDefault("--port", "4242")),
            new Quickstart(secret))
        .join();
  }

  static final class Quickstart extends Handler.Abstract {
    private final String endpointSecret;

    Quickstart(String endpointSecret) {
      this.endpointSecret = endpointSecret;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      if (!"/webhook".equals(Request.getPathInContext(request))
          || !HttpMethod.POST.is(request.getMethod())) {
        Response.writeError(request, response, callback, 404);
        return true;
      }
      String sigHeader = request.getHeaders().get("Stripe-Signature");
      Content.Source.asByteArrayAsync(request, 1 << 20)
          .whenComplete(
              (bytes, error) -> {
                if (error != null) {
                  Response.writeError(request, response, callback, 400);
                  return;
                }
                int status = webhook(new String(bytes, UTF_8), sigHeader);
                response.setStatus(status);
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
                response.write(true, BufferUtil.EMPTY_BUFFER, callback);
              });
      return true;
    }

    /** The quickstart's route body, as written there (stdout included). */
    int webhook(String payload, String sigHeader) {
      Event event;
      try {
        event = Webhook.constructEvent(payload, sigHeader, endpointSecret);
      } catch (JsonSyntaxException e) {
        // Invalid payload
        return 400;
      } catch (SignatureVerificationException e) {
        // Invalid signature
        return 400;
      }

      // Deserialize the nested object inside the event
      EventDataObjectDeserializer dataObjectDeserializer = event.getDataObjectDeserializer();
      StripeObject stripeObject = null;
      if (dataObjectDeserializer.getObject().isPresent()) {
        stripeObject = dataObjectDeserializer.getObject().get();
      } else {
        // Deserialization failed, probably due to an API version mismatch.
      }

      // Handle the event
      switch (event.getType()) {
        case "payment_intent.succeeded":
          {
            PaymentIntent paymentIntent = (PaymentIntent) stripeObject;
            System.out.println("Payment for " + paymentIntent.getAmount() + " succeeded.");
            break;
          }
        case "payment_method.attached":
          {
            PaymentMethod paymentMethod = (PaymentMethod) stripeObject;
            System.out.println("PaymentMethod " + paymentMethod.getId() + " was attached.");
            break;
          }
        default:
          System.out.println("Unhandled event type: " + event.getType());
          break;
      }
      return 200;
    }
  }
}
