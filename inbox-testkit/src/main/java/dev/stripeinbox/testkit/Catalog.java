package dev.stripeinbox.testkit;

import static dev.stripeinbox.testkit.Draft.list;
import static dev.stripeinbox.testkit.Draft.obj;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The table of supported names: for each, the event type it emits, the resource template its {@code
 * data.object} starts from, and the changes that make the object match the event (status fields,
 * timestamps, cross-references, {@code previous_attributes}). Most names are event types; a few are
 * Stripe CLI fixture names ({@code issuing_card.created.eu}, {@code
 * subscription.payment_succeeded}) that emit an ordinary event type.
 */
final class Catalog {
  /** One snapshot event: the name users ask for, the type it emits, and how to build the object. */
  record Snapshot(String name, String type, String resource, Consumer<Draft> tweak) {}

  /**
   * One thin event: the related object's type and id prefix, or {@code null} for an event with no
   * related object.
   */
  record Thin(String type, String relatedType, String relatedIdPrefix, String relatedUrlPrefix) {}

  private static final Map<String, Snapshot> SNAPSHOTS = new TreeMap<>();
  private static final Map<String, Thin> THIN = new TreeMap<>();

  static Map<String, Snapshot> snapshots() {
    return Collections.unmodifiableMap(SNAPSHOTS);
  }

  static Map<String, Thin> thin() {
    return Collections.unmodifiableMap(THIN);
  }

  private Catalog() {}

  private static void on(String type, String resource, Consumer<Draft> tweak) {
    alias(type, type, resource, tweak);
  }

  private static void on(String type, String resource) {
    on(type, resource, d -> {});
  }

  private static void alias(String name, String type, String resource, Consumer<Draft> tweak) {
    if (SNAPSHOTS.put(name, new Snapshot(name, type, resource, tweak)) != null) {
      throw new IllegalStateException("duplicate catalog entry " + name);
    }
  }

  private static void thin(String type, String relatedType, String idPrefix, String urlPrefix) {
    THIN.put(type, new Thin(type, relatedType, idPrefix, urlPrefix));
  }

  static {
    // Connect accounts and platform
    on("account.application.authorized", "application");
    on("account.application.deauthorized", "application");
    on(
        "account.updated",
        "account",
        d ->
            d.change("charges_enabled", true)
                .change("details_submitted", true)
                .change("payouts_enabled", true)
                .set("requirements.currently_due", list())
                .set("requirements.eventually_due", list())
                .set("requirements.disabled_reason", null));
    on("balance.available", "balance");
    on("cash_balance.funds_available", "cash_balance");

    // Billing portal
    on("billing_portal.configuration.created", "billing_portal.configuration");
    on(
        "billing_portal.configuration.updated",
        "billing_portal.configuration",
        d ->
            d.change(
                    "business_profile.headline",
                    "Rocket Rides partners with Stripe for simplified billing.")
                .set("updated", d.now()));
    on("billing_portal.session.created", "billing_portal.session");

    // Charges, disputes and refunds
    on("charge.captured", "charge", Catalog::chargeSucceeded);
    on("charge.succeeded", "charge", Catalog::chargeSucceeded);
    on("charge.failed", "charge", Catalog::chargeFailed);
    on(
        "charge.pending",
        "charge",
        d -> d.set("status", "pending").set("outcome.seller_message", null));
    on(
        "charge.expired",
        "charge",
        d ->
            d.set("captured", false)
                .set("amount_captured", 0L)
                .set("refunded", true)
                .copy("amount", "amount_refunded"));
    on("charge.refunded", "charge", d -> d.set("refunded", true).copy("amount", "amount_refunded"));
    on(
        "charge.updated",
        "charge",
        d -> d.change("description", "Rocket Rides ride #4132").change("metadata.ride", "4132"));
    on("charge.dispute.created", "dispute");
    on("charge.dispute.funds_withdrawn", "dispute", d -> d.set("balance_transactions", list()));
    on(
        "charge.dispute.updated",
        "dispute",
        d ->
            d.change("evidence.uncategorized_text", "The rider confirmed the trip by email.")
                .change("evidence_details.has_evidence", true)
                .set("status", "under_review"));
    on("charge.dispute.closed", "dispute", d -> d.set("status", "lost"));
    on("charge.dispute.funds_reinstated", "dispute", d -> d.set("status", "won"));
    on(
        "charge.refund.updated",
        "refund",
        d ->
            d.change("destination_details.card.reference", "74387659409321")
                .change("destination_details.card.reference_status", "available"));
    on("refund.created", "refund");
    on(
        "refund.updated",
        "refund",
        d ->
            d.change("destination_details.card.reference", "74387659409321")
                .change("destination_details.card.reference_status", "available"));
    on(
        "refund.failed",
        "refund",
        d ->
            d.set("status", "failed")
                .set("failure_reason", "expired_or_canceled_card")
                .set("failure_balance_transaction", "txn_" + Ids.random(24)));

    // Checkout
    on(
        "checkout.session.completed",
        "checkout.session",
        d -> checkoutComplete(d).set("payment_status", "paid"));
    on(
        "checkout.session.async_payment_succeeded",
        "checkout.session",
        d -> checkoutComplete(d).set("payment_status", "paid"));
    on(
        "checkout.session.async_payment_failed",
        "checkout.session",
        d -> checkoutComplete(d).set("payment_status", "unpaid"));
    on(
        "checkout.session.expired",
        "checkout.session",
        d ->
            d.set("status", "expired")
                .set("created", d.days(-1))
                .set("expires_at", d.now())
                .set("url", null));

    // Coupons, discounts, promotion codes
    on("coupon.created", "coupon");
    on("coupon.updated", "coupon", d -> d.change("name", "Spring sale: 25.5% off"));
    on("coupon.deleted", "coupon");
    on("customer.discount.created", "discount");
    on("customer.discount.updated", "discount", d -> d.change("source.coupon", "SPRING25"));
    on("customer.discount.deleted", "discount", d -> d.set("end", d.now()));
    on("promotion_code.created", "promotion_code");
    on("promotion_code.updated", "promotion_code", d -> d.change("active", false));

    // Credit notes
    on("credit_note.created", "credit_note");
    on("credit_note.updated", "credit_note", d -> d.change("memo", "Refund for a damaged item"));
    on("credit_note.voided", "credit_note", d -> d.set("status", "void").set("voided_at", d.now()));

    // Customers and their sources and tax ids
    on("customer.created", "customer", d -> d.set("created", d.now()));
    on("customer.updated", "customer", d -> d.change("email", "jenny@rocketrides.io"));
    on("customer.deleted", "customer");
    on("customer.source.created", "card");
    on("customer.source.updated", "card", d -> d.change("exp_year", 2032L));
    on("customer.source.deleted", "card");
    on("customer.source.expiring", "card", Catalog::expiresThisMonth);
    on("customer.tax_id.created", "tax_id");
    on(
        "customer.tax_id.updated",
        "tax_id",
        d ->
            d.change("verification.status", "verified")
                .change("verification.verified_name", "Rocket Rides GmbH")
                .change("verification.verified_address", "Friedrichstr. 1, 10117 Berlin"));
    on("customer.tax_id.deleted", "tax_id");

    // Subscriptions
    on("customer.subscription.created", "subscription");
    on(
        "customer.subscription.updated",
        "subscription",
        d ->
            d.change("cancel_at", d.get("items.data.0.current_period_end"))
                .change("cancel_at_period_end", true)
                .change("canceled_at", d.now())
                .change("cancellation_details.reason", "cancellation_requested"));
    on(
        "customer.subscription.deleted",
        "subscription",
        d ->
            d.set("status", "canceled")
                .set("canceled_at", d.now())
                .set("ended_at", d.now())
                .set("cancellation_details.reason", "cancellation_requested"));
    on(
        "customer.subscription.paused",
        "subscription",
        d ->
            d.set("status", "paused")
                .set("trial_start", d.days(-30))
                .set("trial_end", d.now())
                .set("trial_settings.end_behavior.missing_payment_method", "pause")
                .set("default_payment_method", null));
    on("customer.subscription.resumed", "subscription");
    on(
        "customer.subscription.trial_will_end",
        "subscription",
        d ->
            d.set("status", "trialing")
                .set("trial_start", d.days(-11))
                .set("trial_end", d.days(3))
                .set("start_date", d.days(-11))
                .set("billing_cycle_anchor", d.days(3))
                .set("items.data.0.current_period_start", d.days(-11))
                .set("items.data.0.current_period_end", d.days(3)));
    on("subscription_schedule.created", "subscription_schedule");
    on(
        "subscription_schedule.updated",
        "subscription_schedule",
        d -> d.change("end_behavior", "cancel"));
    on(
        "subscription_schedule.expiring",
        "subscription_schedule",
        d -> scheduleRunning(d).set("status", "active"));
    on(
        "subscription_schedule.aborted",
        "subscription_schedule",
        d -> scheduleRunning(d).set("status", "canceled").set("canceled_at", d.now()));
    on(
        "subscription_schedule.canceled",
        "subscription_schedule",
        d -> d.set("status", "canceled").set("canceled_at", d.now()));
    on(
        "subscription_schedule.completed",
        "subscription_schedule",
        d ->
            scheduleRunning(d)
                .set("status", "completed")
                .set("completed_at", d.now())
                .set("current_phase", null));
    on(
        "subscription_schedule.released",
        "subscription_schedule",
        d ->
            scheduleRunning(d)
                .set("status", "released")
                .set("released_at", d.now())
                .copy("subscription", "released_subscription")
                .set("subscription", null)
                .set("current_phase", null));

    // Identity
    on("identity.verification_session.created", "identity.verification_session");
    on(
        "identity.verification_session.processing",
        "identity.verification_session",
        d -> d.set("status", "processing"));
    on(
        "identity.verification_session.requires_input",
        "identity.verification_session",
        d ->
            d.set(
                "last_error",
                obj("code", "document_unverified_other", "reason", "The document is invalid.")));
    on(
        "identity.verification_session.verified",
        "identity.verification_session",
        Catalog::verified);
    on(
        "identity.verification_session.canceled",
        "identity.verification_session",
        d -> d.set("status", "canceled"));
    on(
        "identity.verification_session.redacted",
        "identity.verification_session",
        d -> verified(d).set("redaction", obj("status", "redacted")));

    // Invoices and invoice items
    on("invoice.created", "invoice");
    on(
        "invoice.updated",
        "invoice",
        d -> d.change("description", "Thanks for riding with Rocket Rides!"));
    on("invoice.deleted", "invoice");
    on("invoice.finalized", "invoice", Catalog::invoiceOpen);
    on("invoice.sent", "invoice", d -> sendInvoice(invoiceOpen(d), 30));
    on("invoice.will_be_due", "invoice", d -> sendInvoice(invoiceOpen(d), 7));
    on(
        "invoice.overdue",
        "invoice",
        d -> sendInvoice(invoiceOpen(d), -30).set("due_date", d.now()));
    on("invoice.paid", "invoice", Catalog::invoicePaid);
    on("invoice.payment_succeeded", "invoice", Catalog::invoicePaid);
    on("invoice.payment_failed", "invoice", Catalog::invoiceFailed);
    on(
        "invoice.payment_action_required",
        "invoice",
        d -> invoiceOpen(d).set("attempted", true).set("attempt_count", 1L));
    on(
        "invoice.marked_uncollectible",
        "invoice",
        d ->
            invoiceOpen(d)
                .set("status", "uncollectible")
                .set("status_transitions.marked_uncollectible_at", d.now()));
    on(
        "invoice.voided",
        "invoice",
        d ->
            invoiceOpen(d)
                .set("status", "void")
                .set("status_transitions.voided_at", d.now())
                .set("amount_remaining", 0L));
    alias(
        "subscription.payment_succeeded",
        "invoice.payment_succeeded",
        "invoice",
        d -> invoicePaid(subscriptionInvoice(d)));
    alias(
        "subscription.payment_failed",
        "invoice.payment_failed",
        "invoice",
        d -> invoiceFailed(subscriptionInvoice(d)));
    on("invoiceitem.created", "invoiceitem");
    on("invoiceitem.deleted", "invoiceitem");

    // Issuing; the .eu and .gb names are Stripe CLI fixtures for cards issued in Europe
    issuing("", "usd", null);
    issuing(
        ".eu",
        "eur",
        obj(
            "city",
            "Berlin",
            "country",
            "DE",
            "line1",
            "Friedrichstr. 1",
            "postal_code",
            "10117",
            "phone",
            "+4930901820"));
    issuing(
        ".gb",
        "gbp",
        obj(
            "city",
            "London",
            "country",
            "GB",
            "line1",
            "1 Poultry",
            "postal_code",
            "EC2R 8AH",
            "phone",
            "+442079460000"));
    on(
        "issuing_authorization.created",
        "issuing.authorization",
        d -> authorizationApproved(d).set("pending_request", null));
    on(
        "issuing_authorization.updated",
        "issuing.authorization",
        d -> authorizationApproved(d).set("pending_request", null).change("status", "closed"));
    on(
        "issuing_card.updated",
        "issuing.card",
        d -> d.change("status", "canceled").change("cancellation_reason", "lost"));
    on(
        "issuing_cardholder.updated",
        "issuing.cardholder",
        d -> d.change("email", "jenny@rocketrides.io"));
    on("issuing_transaction.created", "issuing.transaction");
    on(
        "issuing_transaction.updated",
        "issuing.transaction",
        d -> d.change("metadata.ride", "4132"));
    on(
        "issuing_transaction.purchase_details_receipt_updated",
        "issuing.transaction",
        d ->
            d.set(
                "purchase_details",
                obj(
                    "fleet",
                    null,
                    "flight",
                    null,
                    "fuel",
                    null,
                    "lodging",
                    null,
                    "receipt",
                    list(
                        obj(
                            "description",
                            "Ride",
                            "quantity",
                            1L,
                            "total",
                            100L,
                            "unit_cost",
                            100L)),
                    "reference",
                    "ride-4132")));

    // Payment intents
    on("payment_intent.created", "payment_intent");
    on("payment_intent.succeeded", "payment_intent", Catalog::paymentIntentSucceeded);
    on(
        "payment_intent.amount_capturable_updated",
        "payment_intent",
        d ->
            withCharge(d)
                .set("capture_method", "manual")
                .set("status", "requires_capture")
                .copy("amount", "amount_capturable"));
    on(
        "payment_intent.canceled",
        "payment_intent",
        d ->
            d.set("status", "canceled")
                .set("canceled_at", d.now())
                .set("cancellation_reason", "requested_by_customer"));
    on("payment_intent.payment_failed", "payment_intent", Catalog::paymentIntentFailed);
    on(
        "payment_intent.processing",
        "payment_intent",
        d -> d.set("status", "processing").set("payment_method", d.id("pm")));
    on(
        "payment_intent.requires_action",
        "payment_intent",
        d ->
            d.set("status", "requires_action")
                .set("payment_method", d.id("pm"))
                .set(
                    "next_action",
                    obj(
                        "type",
                        "use_stripe_sdk",
                        "use_stripe_sdk",
                        obj(
                            "source",
                            d.id("src"),
                            "stripe_js",
                            "https://hooks.stripe.com/redirect/authenticate/" + d.id("src"),
                            "type",
                            "three_d_secure_redirect"))));
    on(
        "payment_intent.partially_funded",
        "payment_intent",
        d ->
            d.set("payment_method_types", list("customer_balance"))
                .set("automatic_payment_methods", null)
                .set("payment_method", d.id("pm"))
                .set(
                    "next_action",
                    obj(
                        "display_bank_transfer_instructions",
                        obj(
                            "amount_remaining",
                            500L,
                            "currency",
                            "usd",
                            "financial_addresses",
                            list(),
                            "hosted_instructions_url",
                            "https://payments.stripe.com/bank_transfers/instructions/test_"
                                + Ids.random(40),
                            "reference",
                            "4CJRGY4KT9XK",
                            "type",
                            "us_bank_transfer"),
                        "type",
                        "display_bank_transfer_instructions")));

    // Payment links and payment methods
    on("payment_link.created", "payment_link");
    on("payment_link.updated", "payment_link", d -> d.change("active", false));
    on("payment_method.attached", "payment_method", Catalog::attached);
    on("payment_method.detached", "payment_method");
    on(
        "payment_method.updated",
        "payment_method",
        d -> attached(d).change("billing_details.phone", "+15555550123"));
    on(
        "payment_method.automatically_updated",
        "payment_method",
        d -> attached(d).change("card.exp_year", 2032L).change("card.last4", "0077"));

    // Payouts, top-ups and transfers
    on("payout.created", "payout");
    on("payout.updated", "payout", d -> d.change("metadata.batch", "weekly"));
    on(
        "payout.paid",
        "payout",
        d ->
            d.set("status", "paid")
                .set("arrival_date", d.now())
                .set("trace_id.status", "supported"));
    on(
        "payout.failed",
        "payout",
        d ->
            d.set("status", "failed")
                .set("failure_code", "account_closed")
                .set("failure_message", "The bank account has been closed.")
                .set("failure_balance_transaction", "txn_" + Ids.random(24)));
    on("payout.canceled", "payout", d -> d.set("status", "canceled"));
    on("topup.created", "topup");
    on("topup.succeeded", "topup", d -> d.set("status", "succeeded"));
    on(
        "topup.failed",
        "topup",
        d ->
            d.set("status", "failed")
                .set("failure_code", "insufficient_funds")
                .set("failure_message", "The bank account has insufficient funds."));
    on("topup.canceled", "topup", d -> d.set("status", "canceled"));
    on("topup.reversed", "topup", d -> d.set("status", "reversed"));
    on("transfer.created", "transfer");
    on("transfer.updated", "transfer", d -> d.change("description", "Earnings for ride #4132"));
    on("transfer.reversed", "transfer", Catalog::transferReversed);

    // Products and prices
    on("product.created", "product");
    on(
        "product.updated",
        "product",
        d ->
            d.change("description", "Comfortable gray organic cotton t-shirt")
                .set("updated", d.now()));
    on("product.deleted", "product", d -> d.set("active", false));
    on("price.created", "price");
    on("price.updated", "price", d -> d.change("nickname", "Standard monthly"));
    on("price.deleted", "price", d -> d.set("active", false));
    on("plan.created", "plan");
    on("plan.updated", "plan", d -> d.change("nickname", "Standard monthly"));
    on("plan.deleted", "plan", d -> d.set("active", false));
    on("tax_rate.created", "tax_rate");
    on("tax_rate.updated", "tax_rate", d -> d.change("active", false));

    // Quotes
    on("quote.created", "quote");
    on("quote.finalized", "quote", Catalog::quoteOpen);
    on(
        "quote.accepted",
        "quote",
        d ->
            quoteOpen(d)
                .set("status", "accepted")
                .set("status_transitions.accepted_at", d.now())
                .set("invoice", d.id("in")));
    on(
        "quote.canceled",
        "quote",
        d -> d.set("status", "canceled").set("status_transitions.canceled_at", d.now()));

    // Reporting
    on("reporting.report_run.succeeded", "reporting.report_run");

    // Setup intents
    on("setup_intent.created", "setup_intent");
    on(
        "setup_intent.succeeded",
        "setup_intent",
        d -> d.set("status", "succeeded").set("payment_method", d.id("pm")));
    on(
        "setup_intent.requires_action",
        "setup_intent",
        d ->
            d.set("status", "requires_action")
                .set("payment_method", d.id("pm"))
                .set(
                    "next_action",
                    obj(
                        "type",
                        "use_stripe_sdk",
                        "use_stripe_sdk",
                        obj("type", "three_d_secure_redirect", "source", d.id("src")))));
    on(
        "setup_intent.setup_failed",
        "setup_intent",
        d ->
            d.set("status", "requires_payment_method")
                .set("last_setup_error", cardDeclined(d, null)));
    on(
        "setup_intent.canceled",
        "setup_intent",
        d -> d.set("status", "canceled").set("cancellation_reason", "requested_by_customer"));

    // Test clocks
    on("test_helpers.test_clock.created", "test_helpers.test_clock");
    on(
        "test_helpers.test_clock.advancing",
        "test_helpers.test_clock",
        d ->
            d.set("status", "advancing")
                .set("status_details", obj("advancing", obj("target_frozen_time", d.days(30)))));
    on("test_helpers.test_clock.ready", "test_helpers.test_clock");
    on("test_helpers.test_clock.deleted", "test_helpers.test_clock");

    // Thin events: no data snapshot; the receiver fetches the related object.
    thin(
        "v1.billing.meter.error_report_triggered",
        "billing.meter",
        "mtr_test_",
        "/v1/billing/meters/");
    thin("v1.billing.meter.no_meter_found", null, null, null);
    thin(
        "v2.core.event_destination.ping",
        "v2.core.event_destination",
        "ed_test_",
        "/v2/core/event_destinations/");
  }

  private static void issuing(String suffix, String currency, Map<String, Object> address) {
    Consumer<Draft> region =
        d -> {
          if (address == null) {
            return;
          }
          for (String prefix : new String[] {"", "card.", "card.cardholder.", "cardholder."}) {
            if (prefix.isEmpty() || d.get(prefix.substring(0, prefix.length() - 1)) != null) {
              setIfPresent(d, prefix + "currency", currency);
              setIfPresent(d, prefix + "merchant_currency", currency);
              setIfPresent(d, prefix + "pending_request.currency", currency);
              setIfPresent(d, prefix + "pending_request.merchant_currency", currency);
              setIfPresent(d, prefix + "phone_number", address.get("phone"));
              if (d.get(prefix + "billing.address") != null) {
                d.set(prefix + "billing.address.city", address.get("city"))
                    .set(prefix + "billing.address.country", address.get("country"))
                    .set(prefix + "billing.address.line1", address.get("line1"))
                    .set(prefix + "billing.address.line2", null)
                    .set(prefix + "billing.address.postal_code", address.get("postal_code"))
                    .set(prefix + "billing.address.state", null);
              }
            }
          }
          if (d.get("merchant_data") != null) {
            d.set("merchant_data.city", address.get("city"))
                .set("merchant_data.country", address.get("country"))
                .set("merchant_data.postal_code", address.get("postal_code"))
                .set("merchant_data.state", null);
          }
        };
    alias(
        "issuing_authorization.request" + suffix,
        "issuing_authorization.request",
        "issuing.authorization",
        region);
    alias("issuing_card.created" + suffix, "issuing_card.created", "issuing.card", region);
    alias(
        "issuing_cardholder.created" + suffix,
        "issuing_cardholder.created",
        "issuing.cardholder",
        region);
  }

  private static void setIfPresent(Draft d, String path, Object value) {
    if (d.get(path) != null) {
      d.set(path, value);
    }
  }

  private static Draft chargeSucceeded(Draft d) {
    return d.set("status", "succeeded").set("paid", true).set("captured", true);
  }

  private static Draft chargeFailed(Draft d) {
    return d.set("status", "failed")
        .set("paid", false)
        .set("captured", false)
        .set("amount_captured", 0L)
        .set("balance_transaction", null)
        .set("failure_code", "card_declined")
        .set("failure_message", "Your card was declined.")
        .set("receipt_url", null)
        .set("outcome.network_status", "declined_by_network")
        .set("outcome.reason", "generic_decline")
        .set("outcome.seller_message", "The bank did not return any further details.")
        .set("outcome.type", "issuer_declined")
        .set("payment_method_details.card.authorization_code", null);
  }

  private static Draft checkoutComplete(Draft d) {
    return d.set("status", "complete")
        .set("customer", "cus_QXg1o8vcGmoR32")
        .set("customer_details.address.country", "US")
        .set("customer_details.address.postal_code", "94107");
  }

  private static Draft expiresThisMonth(Draft d) {
    ZonedDateTime now = Instant.ofEpochSecond(d.now()).atZone(ZoneOffset.UTC);
    return d.set("exp_month", (long) now.getMonthValue()).set("exp_year", (long) now.getYear());
  }

  private static Draft verified(Draft d) {
    return d.set("status", "verified").set("last_verification_report", d.id("vr"));
  }

  private static Draft invoiceOpen(Draft d) {
    String secret = "test_" + Ids.random(40);
    return d.set("status", "open")
        .set("number", "7FE1103-0001")
        .set("auto_advance", true)
        .set("automatically_finalizes_at", null)
        .set("effective_at", d.now())
        .set("status_transitions.finalized_at", d.now())
        .set("next_payment_attempt", d.days(0) + 3600)
        .set("hosted_invoice_url", "https://invoice.stripe.com/i/acct_1PgafTB7WZ01zgkW/" + secret)
        .set(
            "invoice_pdf",
            "https://pay.stripe.com/invoice/acct_1PgafTB7WZ01zgkW/" + secret + "/pdf?s=ap");
  }

  private static Draft sendInvoice(Draft d, int dueInDays) {
    return d.set("collection_method", "send_invoice")
        .set("due_date", d.days(dueInDays))
        .set("next_payment_attempt", null)
        .set("auto_advance", true);
  }

  private static Draft invoicePaid(Draft d) {
    return invoiceOpen(d)
        .set("status", "paid")
        .copy("amount_due", "amount_paid")
        .set("amount_remaining", 0L)
        .set("attempted", true)
        .set("attempt_count", 1L)
        .set("auto_advance", false)
        .set("next_payment_attempt", null)
        .set("ending_balance", 0L)
        .set("status_transitions.paid_at", d.now());
  }

  private static Draft invoiceFailed(Draft d) {
    return invoiceOpen(d)
        .set("attempted", true)
        .set("attempt_count", 1L)
        .set("ending_balance", 0L)
        .set("next_payment_attempt", d.days(3));
  }

  /** Turns the one-off invoice into the first renewal invoice of a monthly subscription. */
  private static Draft subscriptionInvoice(Draft d) {
    String subscription = "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw";
    long amount = 2000;
    for (String field :
        new String[] {
          "amount_due",
          "amount_remaining",
          "subtotal",
          "subtotal_excluding_tax",
          "total",
          "total_excluding_tax",
          "lines.data.0.amount",
          "lines.data.0.subtotal"
        }) {
      d.set(field, amount);
    }
    return d.set("billing_reason", "subscription_cycle")
        .set("period_start", d.days(-31))
        .set("period_end", d.now())
        .set(
            "parent",
            obj(
                "quote_details",
                null,
                "subscription_details",
                obj("metadata", obj(), "subscription", subscription),
                "type",
                "subscription_details"))
        .set("lines.data.0.description", "1 × T-shirt (at $20.00 / month)")
        .set("lines.data.0.subscription", subscription)
        .set("lines.data.0.period", obj("end", d.days(31), "start", d.now()))
        .set(
            "lines.data.0.parent",
            obj(
                "invoice_item_details",
                null,
                "subscription_item_details",
                obj(
                    "invoice_item",
                    null,
                    "proration",
                    false,
                    "proration_details",
                    obj("credited_items", null),
                    "subscription",
                    subscription,
                    "subscription_item",
                    "si_QXhVnC2h0Jczwc"),
                "type",
                "subscription_item_details"))
        .set("lines.data.0.pricing.unit_amount_decimal", "2000");
  }

  private static Draft authorizationApproved(Draft d) {
    return d.set("approved", true)
        .set("amount", 700L)
        .set("merchant_amount", 700L)
        .set(
            "request_history",
            list(
                obj(
                    "amount",
                    700L,
                    "amount_details",
                    obj("atm_fee", null, "cashback_amount", null),
                    "approved",
                    true,
                    "authorization_code",
                    "123456",
                    "created",
                    d.now(),
                    "currency",
                    "usd",
                    "merchant_amount",
                    700L,
                    "merchant_currency",
                    "usd",
                    "network_risk_score",
                    null,
                    "reason",
                    "webhook_approved",
                    "reason_message",
                    null,
                    "requested_at",
                    d.now())));
  }

  private static Draft withCharge(Draft d) {
    return d.set("latest_charge", d.id("ch")).set("payment_method", d.id("pm"));
  }

  private static Draft paymentIntentSucceeded(Draft d) {
    return withCharge(d).set("status", "succeeded").copy("amount", "amount_received");
  }

  private static Draft paymentIntentFailed(Draft d) {
    String charge = d.id("ch");
    return d.set("status", "requires_payment_method")
        .set("latest_charge", charge)
        .set("last_payment_error", cardDeclined(d, charge));
  }

  /** The {@code last_payment_error} Stripe reports for a generic card decline. */
  private static Map<String, Object> cardDeclined(Draft d, String charge) {
    Map<String, Object> error = obj();
    if (charge != null) {
      error.put("charge", charge);
    }
    error.put("code", "card_declined");
    error.put("decline_code", "generic_decline");
    error.put("doc_url", "https://stripe.com/docs/error-codes/card-declined");
    error.put("message", "Your card was declined.");
    error.put(
        "payment_method",
        obj(
            "id",
            d.id("pm"),
            "object",
            "payment_method",
            "billing_details",
            obj("email", null, "name", "Jenny Rosen", "phone", null),
            "card",
            obj(
                "brand",
                "visa",
                "country",
                "US",
                "exp_month",
                8L,
                "exp_year",
                2030L,
                "funding",
                "credit",
                "last4",
                "0002"),
            "created",
            d.now(),
            "customer",
            null,
            "livemode",
            false,
            "metadata",
            obj(),
            "type",
            "card"));
    error.put("type", "card_error");
    return error;
  }

  private static Draft attached(Draft d) {
    return d.set("customer", "cus_QXg1o8vcGmoR32");
  }

  private static Draft scheduleRunning(Draft d) {
    return d.set("subscription", "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw")
        .set("current_phase", obj("end_date", d.days(7), "start_date", d.days(-358)))
        .set("phases.0.start_date", d.days(-358))
        .set("phases.0.end_date", d.days(7));
  }

  private static Draft quoteOpen(Draft d) {
    return d.set("status", "open")
        .set("number", "QT-7FE1103-0001-1")
        .set("status_transitions.finalized_at", d.now());
  }

  private static Draft transferReversed(Draft d) {
    String transfer = (String) d.get("id");
    long amount = d.getLong("amount");
    return d.set("reversed", true)
        .set("amount_reversed", amount)
        .set(
            "reversals.data",
            list(
                obj(
                    "id",
                    d.id("trr"),
                    "object",
                    "transfer_reversal",
                    "amount",
                    amount,
                    "balance_transaction",
                    d.id("txn"),
                    "created",
                    d.now(),
                    "currency",
                    "usd",
                    "destination_payment_refund",
                    d.id("pyr"),
                    "metadata",
                    obj(),
                    "source_refund",
                    null,
                    "transfer",
                    transfer)));
  }
}
