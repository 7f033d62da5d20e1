package dev.stripeinbox.testkit;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Builds realistic Stripe webhook bodies offline, the way {@code stripe trigger} makes Stripe send
 * them, so that a receiver can be exercised end to end with no Stripe account:
 *
 * <pre>{@code
 * byte[] body = EventTemplates.build("checkout.session.completed", TriggerOptions.at(Instant.now()));
 * String header = Signer.header(body, secret, Instant.now().getEpochSecond());
 * }</pre>
 *
 * <p><b>Snapshot events</b> ({@code "object": "event"}) look like the ones Stripe sends for API
 * version {@link #API_VERSION}: pretty-printed with a two-space indent and LF line ends; fields in
 * Stripe's order ({@code id, object, account?, api_version, created, data, livemode,
 * pending_webhooks, request, type}); a fresh {@code evt_} id, request id and idempotency key; and a
 * {@code data.object} of the right resource whose ids are new on every call, whose timestamps sit
 * around {@link TriggerOptions#now()}, and whose status fields match the event (a {@code
 * payment_intent.succeeded} has status {@code succeeded}; every {@code *.updated} event carries
 * {@code data.previous_attributes}). Objects of {@code *.deleted} events are the full object as it
 * was, as Stripe sends them. Because {@code api_version} equals the version stripe-java is pinned
 * to, {@code event.getDataObjectDeserializer().getObject()} deserialises them without fallback.
 *
 * <p><b>Thin events</b> ({@code "object": "v2.core.event"}: {@code
 * v1.billing.meter.error_report_triggered}, {@code v1.billing.meter.no_meter_found}, {@code
 * v2.core.event_destination.ping}) carry only the envelope: {@code id, object, type, livemode,
 * created} (ISO-8601 with milliseconds), {@code context}, {@code reason} and {@code
 * related_object}. They are signed the same way, but stripe-java reads them with {@code
 * StripeClient.parseEventNotification}, not {@code Webhook.constructEvent}.
 *
 * <p>{@link #types()} also lists a few Stripe CLI fixture names that are not event types ({@code
 * issuing_card.created.eu}, {@code subscription.payment_succeeded}); they emit the event type that
 * {@link #eventType(String)} returns, as the CLI's fixtures do.
 *
 * <p>Thread-safe: the templates are read-only once loaded and every build works on its own copy.
 */
public final class EventTemplates {
  /** The API version every snapshot event is rendered with; stripe-java 33.3's pinned version. */
  public static final String API_VERSION = "2026-07-29.dahlia";

  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);
  private static final long OBJECT_AGE_SECONDS = 3600;
  private static final SortedSet<String> TYPES;

  static {
    SortedSet<String> types = new TreeSet<>(Catalog.snapshots().keySet());
    types.addAll(Catalog.thin().keySet());
    TYPES = Collections.unmodifiableSortedSet(types);
  }

  private EventTemplates() {}

  /** Every name {@link #build} accepts, sorted: event types plus a few Stripe CLI fixture names. */
  public static SortedSet<String> types() {
    return TYPES;
  }

  /**
   * The {@code type} an event built for {@code name} carries: {@code name} itself, except for
   * Stripe CLI fixture names such as {@code issuing_card.created.eu} ({@code issuing_card.created})
   * and {@code subscription.payment_failed} ({@code invoice.payment_failed}).
   *
   * @throws UnknownEventTypeException when {@code name} is not in {@link #types()}
   */
  public static String eventType(String name) {
    Catalog.Snapshot snapshot = Catalog.snapshots().get(name);
    if (snapshot != null) {
      return snapshot.type();
    }
    if (Catalog.thin().containsKey(name)) {
      return name;
    }
    throw unknown(name);
  }

  /** Whether {@code name} builds a thin {@code v2.core.event} rather than a snapshot event. */
  public static boolean isThin(String name) {
    return Catalog.thin().containsKey(name);
  }

  /**
   * A new event body for {@code type}: fresh ids on every call, times from {@code options}, then
   * the overrides applied in order.
   *
   * @throws UnknownEventTypeException when {@code type} is not in {@link #types()}
   * @throws IllegalArgumentException when an override path cannot be set, for example because it
   *     runs through a string
   */
  public static byte[] build(String type, TriggerOptions options) {
    if (options == null) {
      throw new IllegalArgumentException("options is null");
    }
    Map<String, Object> event;
    Catalog.Snapshot snapshot = Catalog.snapshots().get(type);
    Catalog.Thin thin = Catalog.thin().get(type);
    if (snapshot != null) {
      event = snapshot(snapshot, options);
    } else if (thin != null) {
      event = thin(thin, options);
    } else {
      throw unknown(type);
    }
    for (String override : options.overrides()) {
      int equals = override.indexOf('=');
      JsonPath.set(
          event,
          override.substring(0, equals),
          JsonPath.parseValue(override.substring(equals + 1)));
    }
    return Json.write(event);
  }

  private static Map<String, Object> snapshot(Catalog.Snapshot entry, TriggerOptions options) {
    long now = options.now().getEpochSecond();
    Optional<String> account = options.account();
    // An object is new in its *.created event; in any other event it has existed for a while.
    long age = entry.type().endsWith(".created") ? 0 : OBJECT_AGE_SECONDS;
    Map<String, Object> object = Templates.instantiate(entry.resource(), now - age);
    Object templateId = object.get("id");
    Ids ids = new Ids();
    if (account.isPresent() && "account".equals(entry.resource())) {
      ids.pin((String) templateId, account.get());
    }

    Draft draft = new Draft(object, now);
    entry.tweak().accept(draft);
    ids.refresh(object);
    ids.refresh(draft.previous());
    if (templateId instanceof String && templateId.equals(object.get("id"))) {
      // An id with no prefix, such as a coupon code: still make it new.
      object.put("id", Ids.random(((String) templateId).length()).toUpperCase(Locale.ROOT));
    }
    if (entry.type().endsWith(".updated") && draft.previous().isEmpty()) {
      throw new IllegalStateException(entry.name() + " must record previous_attributes");
    }

    Map<String, Object> data = new LinkedHashMap<>();
    data.put("object", object);
    if (!draft.previous().isEmpty()) {
      data.put("previous_attributes", draft.previous());
    }
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("id", "req_" + Ids.random(14));
    request.put("idempotency_key", UUID.randomUUID().toString());

    Map<String, Object> event = new LinkedHashMap<>();
    event.put("id", Ids.next("evt"));
    event.put("object", "event");
    account.ifPresent(a -> event.put("account", a));
    event.put("api_version", API_VERSION);
    event.put("created", now);
    event.put("data", data);
    event.put("livemode", false);
    event.put("pending_webhooks", 1L);
    event.put("request", request);
    event.put("type", entry.type());
    return event;
  }

  private static Map<String, Object> thin(Catalog.Thin entry, TriggerOptions options) {
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("id", "evt_test_" + Ids.random(46));
    event.put("object", "v2.core.event");
    event.put("type", entry.type());
    event.put("livemode", false);
    event.put("created", ISO_MILLIS.format(options.now().truncatedTo(ChronoUnit.MILLIS)));
    event.put("context", options.account().orElse(null));
    event.put("reason", null);
    Map<String, Object> related = null;
    if (entry.relatedType() != null) {
      String id = entry.relatedIdPrefix() + Ids.random(32);
      related = new LinkedHashMap<>();
      related.put("id", id);
      related.put("type", entry.relatedType());
      related.put("url", entry.relatedUrlPrefix() + id);
    }
    event.put("related_object", related);
    return event;
  }

  private static UnknownEventTypeException unknown(String type) {
    return new UnknownEventTypeException(String.valueOf(type), suggest(String.valueOf(type)));
  }

  /**
   * Up to three supported names within a small edit distance of {@code type}; failing that, names
   * that extend it ({@code invoice} suggests {@code invoice.created}, ...).
   */
  static List<String> suggest(String type) {
    int limit = Math.max(2, type.length() / 3);
    List<String> near = new ArrayList<>();
    Map<String, Integer> distance = new LinkedHashMap<>();
    for (String candidate : TYPES) {
      int d = editDistance(type, candidate);
      if (d <= limit) {
        distance.put(candidate, d);
        near.add(candidate);
      }
    }
    near.sort(Comparator.comparing((String c) -> distance.get(c)).thenComparing(c -> c));
    if (near.isEmpty()) {
      for (String candidate : TYPES) {
        if (!type.isEmpty() && candidate.contains(type)) {
          near.add(candidate);
        }
      }
    }
    return near.subList(0, Math.min(3, near.size()));
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
