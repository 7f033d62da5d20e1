package dev.stripeinbox.server.cli;

import com.stripe.model.PaymentIntent;
import com.stripe.model.PaymentMethod;
import dev.stripeinbox.Handler;
import dev.stripeinbox.InboxEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone server's built-in subscriber: the switch of Stripe's "Build a webhook endpoint"
 * quickstart, run through the job system so that {@code serve} processes events end to end with no
 * code. Replace it with your own handlers or a forward destination.
 */
final class QuickstartHandler implements Handler {
  static final String NAME = "quickstart";
  private static final Logger log = LoggerFactory.getLogger("stripe-inbox.quickstart");

  @Override
  public void handle(InboxEvent event) {
    switch (event.type()) {
      case "payment_intent.succeeded" -> {
        PaymentIntent intent = event.dataObject(PaymentIntent.class);
        log.info(
            "payment for {} {} succeeded ({})",
            intent.getAmount(),
            intent.getCurrency(),
            event.id());
      }
      case "payment_method.attached" -> {
        PaymentMethod method = event.dataObject(PaymentMethod.class);
        log.info("payment method {} attached ({})", method.getId(), event.id());
      }
      default -> log.info("Unhandled event type: {} ({})", event.type(), event.id());
    }
  }
}
