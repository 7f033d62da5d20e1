package dev.stripeinbox.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.GsonBuilder;
import com.stripe.Stripe;
import com.stripe.model.Event;
import com.stripe.model.StripeObject;
import com.stripe.net.Webhook;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventTemplatesTest {
  private static final Instant NOW = Instant.parse("2026-11-28T13:00:00.123Z");
  private static final TriggerOptions AT_NOW = TriggerOptions.at(NOW);

  /**
   * The resource each event name is about, where the name alone does not say it. Everything else is
   * the name up to its last dot ({@code payment_intent.succeeded} is a {@code payment_intent}).
   */
  private static final Map<String, String> RESOURCE_BY_PREFIX =
      Map.ofEntries(
          entry("account.application", "application"),
          entry("charge.dispute", "dispute"),
          entry("charge.refund", "refund"),
          entry("customer.discount", "discount"),
          entry("customer.source", "card"),
          entry("customer.subscription", "subscription"),
          entry("customer.tax_id", "tax_id"),
          entry("issuing_authorization", "issuing.authorization"),
          entry("issuing_card", "issuing.card"),
          entry("issuing_cardholder", "issuing.cardholder"),
          entry("issuing_transaction", "issuing.transaction"),
          // The CLI's subscription.payment_* fixtures end in invoice events.
          entry("subscription", "invoice"),
          entry("v1.billing.meter", "billing.meter"));

  /** The stripe-java class each resource must deserialise to. */
  private static final Map<String, Class<? extends StripeObject>> MODEL_CLASS =
      Map.ofEntries(
          entry("account", com.stripe.model.Account.class),
          entry("application", com.stripe.model.Application.class),
          entry("balance", com.stripe.model.Balance.class),
          entry("billing_portal.configuration", com.stripe.model.billingportal.Configuration.class),
          entry("billing_portal.session", com.stripe.model.billingportal.Session.class),
          entry("card", com.stripe.model.Card.class),
          entry("cash_balance", com.stripe.model.CashBalance.class),
          entry("charge", com.stripe.model.Charge.class),
          entry("checkout.session", com.stripe.model.checkout.Session.class),
          entry("coupon", com.stripe.model.Coupon.class),
          entry("credit_note", com.stripe.model.CreditNote.class),
          entry("customer", com.stripe.model.Customer.class),
          entry("discount", com.stripe.model.Discount.class),
          entry("dispute", com.stripe.model.Dispute.class),
          entry(
              "identity.verification_session", com.stripe.model.identity.VerificationSession.class),
          entry("invoice", com.stripe.model.Invoice.class),
          entry("invoiceitem", com.stripe.model.InvoiceItem.class),
          entry("issuing.authorization", com.stripe.model.issuing.Authorization.class),
          entry("issuing.card", com.stripe.model.issuing.Card.class),
          entry("issuing.cardholder", com.stripe.model.issuing.Cardholder.class),
          entry("issuing.transaction", com.stripe.model.issuing.Transaction.class),
          entry("payment_intent", com.stripe.model.PaymentIntent.class),
          entry("payment_link", com.stripe.model.PaymentLink.class),
          entry("payment_method", com.stripe.model.PaymentMethod.class),
          entry("payout", com.stripe.model.Payout.class),
          entry("plan", com.stripe.model.Plan.class),
          entry("price", com.stripe.model.Price.class),
          entry("product", com.stripe.model.Product.class),
          entry("promotion_code", com.stripe.model.PromotionCode.class),
          entry("quote", com.stripe.model.Quote.class),
          entry("refund", com.stripe.model.Refund.class),
          entry("reporting.report_run", com.stripe.model.reporting.ReportRun.class),
          entry("setup_intent", com.stripe.model.SetupIntent.class),
          entry("subscription", com.stripe.model.Subscription.class),
          entry("subscription_schedule", com.stripe.model.SubscriptionSchedule.class),
          entry("tax_id", com.stripe.model.TaxId.class),
          entry("tax_rate", com.stripe.model.TaxRate.class),
          entry("test_helpers.test_clock", com.stripe.model.testhelpers.TestClock.class),
          entry("topup", com.stripe.model.Topup.class),
          entry("transfer", com.stripe.model.Transfer.class));

  static Stream<String> snapshotTypes() {
    return EventTemplates.types().stream().filter(t -> !EventTemplates.isThin(t));
  }

  static Stream<String> thinTypes() {
    return EventTemplates.types().stream().filter(EventTemplates::isThin);
  }

  static Stream<String> updatedTypes() {
    return snapshotTypes().filter(t -> EventTemplates.eventType(t).endsWith(".updated"));
  }

  private static String resourceOf(String name) {
    String withoutRegion = name.replaceFirst("\\.(eu|gb)$", "");
    String prefix = withoutRegion.substring(0, withoutRegion.lastIndexOf('.'));
    return RESOURCE_BY_PREFIX.getOrDefault(prefix, prefix);
  }

  @SuppressWarnings("unchecked")
  private static Set<String> fixtureObjects() {
    Map<String, Object> fixtures =
        (Map<String, Object>) Json.parse(Reference.text("fixtures3.json"));
    Map<String, Object> resources = (Map<String, Object>) fixtures.get("resources");
    return resources.values().stream()
        .map(r -> (String) ((Map<String, Object>) r).get("object"))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static List<String> requiredCliTriggers() {
    Set<String> objects = fixtureObjects();
    return Reference.lines("cli-trigger-names.txt").stream()
        .filter(name -> objects.contains(resourceOf(name)))
        .collect(Collectors.toList());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(byte[] body) {
    return (Map<String, Object>) Json.parse(new String(body, UTF_8));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> dataObject(Map<String, Object> event) {
    return (Map<String, Object>) ((Map<String, Object>) event.get("data")).get("object");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return (Map<String, Object>) value;
  }

  private static Map<String, Object> build(String type) {
    return parse(EventTemplates.build(type, AT_NOW));
  }

  @Test
  void apiVersionIsTheOneStripeJavaIsPinnedTo() {
    assertThat(EventTemplates.API_VERSION).isEqualTo(Stripe.API_VERSION);
  }

  @Test
  void everyCliTriggerWhoseObjectIsInTheFixturesIsSupported() {
    List<String> required = requiredCliTriggers();

    assertThat(required)
        .as("the reference lists should yield most CLI triggers")
        .hasSizeGreaterThan(100);
    assertThat(EventTemplates.types()).containsAll(required);
  }

  @Test
  void everyRequiredSnapshotTriggerBuildsAnObjectOfItsResource() {
    for (String name : requiredCliTriggers()) {
      if (EventTemplates.isThin(name)) {
        continue;
      }
      assertThat(dataObject(build(name)).get("object")).as(name).isEqualTo(resourceOf(name));
    }
  }

  @Test
  void typesIncludeTheThinEvents() {
    assertThat(EventTemplates.types())
        .contains("v1.billing.meter.error_report_triggered", "v2.core.event_destination.ping");
    assertThat(EventTemplates.isThin("v2.core.event_destination.ping")).isTrue();
    assertThat(EventTemplates.isThin("payment_intent.succeeded")).isFalse();
  }

  @Test
  void typesAreSortedAndCannotBeChanged() {
    assertThat(new ArrayList<>(EventTemplates.types())).isSorted();
    assertThrows(UnsupportedOperationException.class, () -> EventTemplates.types().add("x.y"));
  }

  @ParameterizedTest
  @MethodSource("snapshotTypes")
  void snapshotEventVerifiesWithStripeJavaAndDeserialisesToItsModelClass(String name)
      throws Exception {
    byte[] body = EventTemplates.build(name, AT_NOW);
    String secret = Signer.generateSecret();
    String header = Signer.header(body, secret, Instant.now().getEpochSecond());

    Event event = Webhook.constructEvent(new String(body, UTF_8), header, secret);

    Map<String, Object> json = parse(body);
    String resource = (String) dataObject(json).get("object");
    assertThat(event.getType()).isEqualTo(EventTemplates.eventType(name));
    assertThat(event.getId()).isEqualTo(json.get("id")).startsWith("evt_");
    Optional<StripeObject> object = event.getDataObjectDeserializer().getObject();
    assertThat(object).as("typed data.object of " + name).isPresent();
    assertThat(MODEL_CLASS).containsKey(resource);
    assertThat(object.get()).isInstanceOf(MODEL_CLASS.get(resource));
  }

  @Test
  void stripeJavaFallsBackWhenTheApiVersionDiffersSoTheTypedCheckAboveMeansSomething()
      throws Exception {
    byte[] body =
        EventTemplates.build(
            "payment_intent.succeeded", AT_NOW.withOverride("api_version=2024-06-20"));
    String secret = Signer.generateSecret();
    String header = Signer.header(body, secret, Instant.now().getEpochSecond());

    Event event = Webhook.constructEvent(new String(body, UTF_8), header, secret);

    assertThat(event.getDataObjectDeserializer().getObject()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("snapshotTypes")
  void snapshotEnvelopeHasStripesFieldsInStripesOrder(String name) {
    Map<String, Object> event = build(name);

    assertThat(event.keySet())
        .containsExactly(
            "id",
            "object",
            "api_version",
            "created",
            "data",
            "livemode",
            "pending_webhooks",
            "request",
            "type");
    assertThat((String) event.get("id")).matches("evt_[A-Za-z0-9]{24}");
    assertThat(event.get("object")).isEqualTo("event");
    assertThat(event.get("api_version")).isEqualTo(EventTemplates.API_VERSION);
    assertThat(event.get("created")).isEqualTo(NOW.getEpochSecond());
    assertThat(event.get("livemode")).isEqualTo(false);
    assertThat(event.get("pending_webhooks")).isEqualTo(1L);
    @SuppressWarnings("unchecked")
    Map<String, Object> request = (Map<String, Object>) event.get("request");
    assertThat((String) request.get("id")).matches("req_[A-Za-z0-9]{14}");
    assertThat((String) request.get("idempotency_key"))
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(event.get("type")).isEqualTo(EventTemplates.eventType(name));
    assertThat(dataObject(event).get("livemode")).isNotEqualTo(true);
  }

  @ParameterizedTest
  @MethodSource("snapshotTypes")
  void objectTimestampsSitAroundTheEventTime(String name) {
    Map<String, Object> object = dataObject(build(name));
    Object created = object.get("created");
    if (created == null) {
      return; // balance, cash_balance, application and payment_link have no created
    }
    long days = ((Long) created - NOW.getEpochSecond()) / 86_400;
    assertThat(days).as(name + " created, in days from now").isBetween(-400L, 0L);
  }

  @ParameterizedTest
  @MethodSource("updatedTypes")
  void updatedEventsCarryPreviousAttributesThatDifferFromTheObject(String name) {
    Map<String, Object> event = build(name);
    @SuppressWarnings("unchecked")
    Map<String, Object> previous =
        (Map<String, Object>) ((Map<String, Object>) event.get("data")).get("previous_attributes");

    assertThat(previous).as(name).isNotEmpty();
    Map<String, Object> object = dataObject(event);
    leaves(previous, "")
        .forEach(
            (path, old) ->
                assertThat(JsonPath.get(object, path)).as(name + " " + path).isNotEqualTo(old));
  }

  /** The dotted paths of every non-object value in {@code tree}. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> leaves(Map<String, Object> tree, String prefix) {
    Map<String, Object> leaves = new java.util.LinkedHashMap<>();
    tree.forEach(
        (field, value) -> {
          if (value instanceof Map && !map(value).isEmpty()) {
            leaves.putAll(leaves((Map<String, Object>) value, prefix + field + "."));
          } else {
            leaves.put(prefix + field, value);
          }
        });
    return leaves;
  }

  @Test
  void templatesCarryNoFixturePlaceholdersOrInternalHosts() {
    for (Catalog.Snapshot entry : Catalog.snapshots().values()) {
      String json = new String(Json.write(Templates.instantiate(entry.resource(), 0)), UTF_8);
      assertThat(json)
          .as(entry.resource())
          .doesNotContain("obj_123", ": 1234567890", "stripe.me", "\"livemode\": true");
    }
  }

  @Test
  void onlyUpdateLikeEventsCarryPreviousAttributes() {
    Map<String, Object> event = build("payment_intent.succeeded");

    assertThat(map(event.get("data"))).containsOnlyKeys("object");
  }

  @Test
  void paymentIntentSucceededIsSucceededWithTheFullAmountReceived() {
    Map<String, Object> intent = dataObject(build("payment_intent.succeeded"));

    assertThat(intent.get("status")).isEqualTo("succeeded");
    assertThat(intent.get("amount_received")).isEqualTo(intent.get("amount"));
    assertThat((String) intent.get("id")).startsWith("pi_");
    assertThat((String) intent.get("latest_charge")).startsWith("ch_");
    assertThat((String) intent.get("payment_method")).startsWith("pm_");
    assertThat((String) intent.get("customer")).startsWith("cus_");
    assertThat((String) intent.get("client_secret")).startsWith(intent.get("id") + "_secret_");
  }

  @Test
  void paymentIntentPaymentFailedNeedsANewPaymentMethodAndSaysWhy() {
    Map<String, Object> intent = dataObject(build("payment_intent.payment_failed"));

    assertThat(intent.get("status")).isEqualTo("requires_payment_method");
    assertThat(intent.get("amount_received")).isEqualTo(0L);
    assertThat(map(intent.get("last_payment_error")))
        .containsEntry("code", "card_declined")
        .containsEntry("type", "card_error");
  }

  @Test
  void invoicePaidIsPaidInFull() {
    Map<String, Object> invoice = dataObject(build("invoice.paid"));

    assertThat(invoice.get("status")).isEqualTo("paid");
    assertThat(invoice.get("amount_paid")).isEqualTo(invoice.get("amount_due"));
    assertThat(invoice.get("amount_remaining")).isEqualTo(0L);
    assertThat(map(invoice.get("status_transitions")))
        .containsEntry("paid_at", NOW.getEpochSecond());
  }

  @Test
  void subscriptionPaymentFixturesEmitInvoiceEventsForTheSubscription() {
    Map<String, Object> event = build("subscription.payment_succeeded");

    assertThat(event.get("type")).isEqualTo("invoice.payment_succeeded");
    Map<String, Object> invoice = dataObject(event);
    assertThat(invoice.get("billing_reason")).isEqualTo("subscription_cycle");
    assertThat((String) JsonPath.get(invoice, "parent.subscription_details.subscription"))
        .startsWith("sub_");
  }

  @Test
  void regionalIssuingFixturesEmitTheOrdinaryEventTypeInTheirCurrency() {
    Map<String, Object> event = build("issuing_authorization.request.eu");

    assertThat(event.get("type")).isEqualTo("issuing_authorization.request");
    assertThat(dataObject(event).get("currency")).isEqualTo("eur");
    assertThat(EventTemplates.eventType("issuing_card.created.gb"))
        .isEqualTo("issuing_card.created");
  }

  @Test
  void subscriptionEventsHaveStatusesThatMatchTheEvent() {
    assertThat(dataObject(build("customer.subscription.created")).get("status"))
        .isEqualTo("active");
    Map<String, Object> deleted = dataObject(build("customer.subscription.deleted"));
    assertThat(deleted.get("status")).isEqualTo("canceled");
    assertThat(deleted.get("ended_at")).isEqualTo(NOW.getEpochSecond());
    Map<String, Object> trial = dataObject(build("customer.subscription.trial_will_end"));
    assertThat(trial.get("status")).isEqualTo("trialing");
    assertThat(trial.get("trial_end")).isEqualTo(NOW.getEpochSecond() + 3 * 86_400);
  }

  @Test
  void checkoutSessionCompletedIsCompleteAndPaid() {
    Map<String, Object> session = dataObject(build("checkout.session.completed"));

    assertThat(session.get("object")).isEqualTo("checkout.session");
    assertThat(session.get("status")).isEqualTo("complete");
    assertThat(session.get("payment_status")).isEqualTo("paid");
    assertThat((String) session.get("id")).startsWith("cs_test_");
    assertThat((String) session.get("url")).endsWith((String) session.get("id"));
  }

  @Test
  void crossReferencesInsideAnObjectStayConsistent() {
    Map<String, Object> invoice = dataObject(build("invoice.created"));

    assertThat(JsonPath.get(invoice, "lines.data.0.invoice")).isEqualTo(invoice.get("id"));
    assertThat((String) JsonPath.get(invoice, "lines.url")).contains((String) invoice.get("id"));
  }

  @ParameterizedTest
  @MethodSource("snapshotTypes")
  void twoBuildsOfTheSameTypeHaveDifferentEventAndObjectIds(String name) {
    Map<String, Object> first = build(name);
    Map<String, Object> second = build(name);

    assertThat(second.get("id")).isNotEqualTo(first.get("id"));
    Object objectId = dataObject(first).get("id");
    if (objectId != null) {
      assertThat(dataObject(second).get("id")).isNotEqualTo(objectId);
    }
    assertThat(JsonPath.get(second, "request.idempotency_key"))
        .isNotEqualTo(JsonPath.get(first, "request.idempotency_key"));
  }

  @Test
  void objectIdsKeepTheirStripePrefixes() {
    Map<String, String> prefixes =
        Map.of(
            "payment_intent.created", "pi_",
            "charge.succeeded", "ch_",
            "customer.created", "cus_",
            "invoice.created", "in_",
            "customer.subscription.created", "sub_",
            "checkout.session.completed", "cs_test_",
            "payment_method.attached", "pm_",
            "price.created", "price_",
            "product.created", "prod_",
            "subscription_schedule.created", "sub_sched_");
    prefixes.forEach(
        (type, prefix) ->
            assertThat((String) dataObject(build(type)).get("id")).as(type).startsWith(prefix));
  }

  @Test
  void accountMakesAConnectEventWithTheAccountRightAfterObject() {
    byte[] body =
        EventTemplates.build(
            "payment_intent.succeeded", AT_NOW.withAccount("acct_1PgafTB7WZ01zgkW"));

    assertThat(new String(body, UTF_8))
        .startsWith("{\n  \"id\": \"evt_")
        .contains("\",\n  \"object\": \"event\",\n  \"account\": \"acct_1PgafTB7WZ01zgkW\",\n");
    assertThat(parse(body).keySet())
        .startsWith("id", "object", "account", "api_version", "created");
  }

  @Test
  void accountUpdatedForAConnectAccountIsAboutThatAccount() {
    Map<String, Object> event =
        parse(EventTemplates.build("account.updated", AT_NOW.withAccount("acct_1Connected0K")));

    assertThat(dataObject(event).get("id")).isEqualTo("acct_1Connected0K");
    assertThat((String) JsonPath.get(dataObject(event), "external_accounts.url"))
        .isEqualTo("/v1/accounts/acct_1Connected0K/external_accounts");
  }

  @Test
  void anAccountThatIsNotAnAccountIdIsRejected() {
    assertThatThrownBy(() -> AT_NOW.withAccount("cus_123"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("acct_");
  }

  @Test
  void overridesSetNumbersStringsBooleansAndNulls() {
    TriggerOptions options =
        AT_NOW
            .withOverride("data.object.amount=500")
            .withOverride("data.object.currency=eur")
            .withOverride("data.object.livemode=true")
            .withOverride("data.object.description=null")
            .withOverride("data.object.metadata.order_id=\"6735\"")
            .withOverride("data.object.metadata.postal_code=02134")
            .withOverride("data.object.application_fee_amount=12.50");

    Map<String, Object> intent =
        dataObject(parse(EventTemplates.build("payment_intent.succeeded", options)));

    assertThat(intent.get("amount")).isEqualTo(500L);
    assertThat(intent.get("currency")).isEqualTo("eur");
    assertThat(intent.get("livemode")).isEqualTo(true);
    assertThat(intent).containsEntry("description", null);
    assertThat(map(intent.get("metadata")))
        .containsEntry("order_id", "6735")
        .containsEntry("postal_code", "02134");
    assertThat(intent.get("application_fee_amount")).hasToString("12.50");
  }

  @Test
  void overridesCreateMissingObjectsAlongANestedPath() {
    TriggerOptions options =
        AT_NOW
            .withOverride("data.object.shipping.address.city=Berlin")
            .withOverride("data.object.items.data.0.quantity=3");

    Map<String, Object> subscription =
        dataObject(parse(EventTemplates.build("customer.subscription.created", options)));

    assertThat(JsonPath.get(subscription, "shipping.address.city")).isEqualTo("Berlin");
    assertThat(JsonPath.get(subscription, "items.data.0.quantity")).isEqualTo(3L);
  }

  @Test
  void overridesCanChangeTheEnvelopeToo() {
    Map<String, Object> event =
        parse(EventTemplates.build("invoice.paid", AT_NOW.withOverride("livemode=true")));

    assertThat(event.get("livemode")).isEqualTo(true);
  }

  @Test
  void anOverrideThroughAStringFailsClearly() {
    TriggerOptions options = AT_NOW.withOverride("data.object.currency.code=usd");

    assertThatThrownBy(() -> EventTemplates.build("payment_intent.succeeded", options))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "cannot set data.object.currency.code: data.object.currency is a string, not an object");
  }

  @Test
  void anOverrideIndexingAnArrayWithANameOrOutOfRangeFailsClearly() {
    assertThatThrownBy(
            () ->
                EventTemplates.build(
                    "customer.subscription.created",
                    AT_NOW.withOverride("data.object.items.data.first.quantity=2")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("data.object.items.data is an array");
    assertThatThrownBy(
            () ->
                EventTemplates.build(
                    "customer.subscription.created",
                    AT_NOW.withOverride("data.object.items.data.5.quantity=2")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("index 5 is out of range");
  }

  @Test
  void anOverrideWithAnEmptySegmentOrNoEqualsSignIsRejected() {
    assertThatThrownBy(
            () ->
                EventTemplates.build(
                    "payment_intent.succeeded", AT_NOW.withOverride("data..amount=1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty segment");
    assertThatThrownBy(() -> AT_NOW.withOverride("data.object.amount"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("path=value");
    assertThatThrownBy(() -> AT_NOW.withOverride("=500"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anUnknownTypeSuggestsTheNearestNames() {
    UnknownEventTypeException e =
        assertThrows(
            UnknownEventTypeException.class,
            () -> EventTemplates.build("payment_intent.succeded", AT_NOW));

    assertThat(e)
        .hasMessageStartingWith(
            "unknown event type \"payment_intent.succeded\"; did you mean payment_intent.succeeded");
    assertThat(e.type()).isEqualTo("payment_intent.succeded");
    assertThat(e.suggestions()).first().isEqualTo("payment_intent.succeeded");
    assertThat(e.suggestions()).hasSizeLessThanOrEqualTo(3);
  }

  @Test
  void anUnknownResourceNameSuggestsItsEvents() {
    UnknownEventTypeException e =
        assertThrows(
            UnknownEventTypeException.class, () -> EventTemplates.build("invoice", AT_NOW));

    assertThat(e.suggestions()).hasSize(3).allMatch(s -> s.startsWith("invoice"));
  }

  @Test
  void anUnknownTypeWithNothingNearSaysWhereToLook() {
    UnknownEventTypeException e =
        assertThrows(
            UnknownEventTypeException.class, () -> EventTemplates.eventType("zzzzzzzzzzzzzzzzzz"));

    assertThat(e.suggestions()).isEmpty();
    assertThat(e).hasMessageContaining("unknown event type \"zzzzzzzzzzzzzzzzzz\"");
  }

  @ParameterizedTest
  @MethodSource("thinTypes")
  void thinEventsCarryTheThinFieldsAndVerify(String name) throws Exception {
    byte[] body = EventTemplates.build(name, AT_NOW);
    String secret = Signer.generateSecret();
    String header = Signer.header(body, secret, Instant.now().getEpochSecond());

    assertThat(Webhook.Signature.verifyHeader(new String(body, UTF_8), header, secret, 300))
        .isTrue();
    Map<String, Object> event = parse(body);
    assertThat(event.keySet())
        .containsExactly(
            "id", "object", "type", "livemode", "created", "context", "reason", "related_object");
    assertThat((String) event.get("id")).startsWith("evt_");
    assertThat(event.get("object")).isEqualTo("v2.core.event");
    assertThat(event.get("type")).isEqualTo(name);
    assertThat(event.get("created")).isEqualTo("2026-11-28T13:00:00.123Z");
    assertThat(event.get("livemode")).isEqualTo(false);
    assertThat(event).containsEntry("context", null).containsEntry("reason", null);
  }

  @Test
  void thinEventsNameTheirRelatedObject() {
    Map<String, Object> ping = build("v2.core.event_destination.ping");
    @SuppressWarnings("unchecked")
    Map<String, Object> related = (Map<String, Object>) ping.get("related_object");

    assertThat(related.keySet()).containsExactly("id", "type", "url");
    assertThat(related.get("type")).isEqualTo("v2.core.event_destination");
    assertThat((String) related.get("url"))
        .isEqualTo("/v2/core/event_destinations/" + related.get("id"));
    assertThat(
            JsonPath.get(build("v1.billing.meter.error_report_triggered"), "related_object.type"))
        .isEqualTo("billing.meter");
  }

  @Test
  void thinEventsForAConnectAccountCarryItAsContext() {
    Map<String, Object> event =
        parse(
            EventTemplates.build(
                "v2.core.event_destination.ping", AT_NOW.withAccount("acct_1PgafTB7WZ01zgkW")));

    assertThat(event.get("context")).isEqualTo("acct_1PgafTB7WZ01zgkW");
  }

  @ParameterizedTest
  @MethodSource("snapshotTypes")
  void outputIsPrettyPrintedExactlyLikeStripe(String name) {
    String body = new String(EventTemplates.build(name, AT_NOW), UTF_8);

    assertThat(body).startsWith("{\n  \"id\": \"evt_").endsWith("\n}").doesNotContain("\r", "\t");
    // Gson's pretty printer writes Stripe's layout: 2-space indent, "key": value, [] and {}.
    String gson =
        new GsonBuilder()
            .setPrettyPrinting()
            .disableHtmlEscaping()
            .serializeNulls()
            .create()
            .toJson(com.google.gson.JsonParser.parseString(body));
    assertThat(body).isEqualTo(gson);
  }

  @Test
  void buildsFromManyThreadsAtOnceAreAllValid() throws Exception {
    List<String> types = snapshotTypes().collect(Collectors.toList());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Map<String, Object>>> futures = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        String type = types.get(i % types.size());
        futures.add(pool.submit(() -> build(type)));
      }
      Set<Object> ids = new TreeSet<>();
      for (Future<Map<String, Object>> future : futures) {
        ids.add(future.get().get("id"));
      }
      assertThat(ids).hasSize(400);
    } finally {
      pool.shutdownNow();
    }
  }
}
