package dev.stripeinbox;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.stripe.exception.EventDataObjectDeserializationException;
import com.stripe.model.Event;
import com.stripe.model.EventDataObjectDeserializer;
import com.stripe.model.StripeObject;
import com.stripe.net.ApiResource;
import dev.stripeinbox.event.Envelope;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * One stored event as a handler sees it: the envelope, the attempt number, the exact bytes, and
 * typed access to the data object through stripe-java.
 *
 * <p>Typed access is built lazily, on the worker thread, only when asked for. When the event's
 * {@code api_version} differs from the one stripe-java is pinned to, stripe-java's safe
 * deserialiser returns nothing (a well-known trap); this view then falls back to its unsafe
 * deserialisation and reports it through {@link #apiVersionMismatch()}, so a handler can decide
 * whether the fields it reads are still trustworthy.
 *
 * <p>Not thread-safe: a view belongs to the one handler invocation it is given to.
 */
public final class InboxEvent {
  /** A thin event's reference to the object it is about. */
  public record RelatedObject(String id, String type, String url) {}

  private final Envelope envelope;
  private final byte[] payload;
  private final int attempt;
  private Event parsed;
  private StripeObject dataObject;
  private boolean mismatch;

  public InboxEvent(Envelope envelope, byte[] payload, int attempt) {
    this.envelope = envelope;
    this.payload = payload;
    this.attempt = attempt;
  }

  public String id() {
    return envelope.id();
  }

  public String type() {
    return envelope.type();
  }

  /** When Stripe created the event; null if the body had no {@code created}. */
  public Instant created() {
    return envelope.created();
  }

  /** The connected account of a Connect event ({@code context} of a thin event), or empty. */
  public Optional<String> account() {
    return Optional.ofNullable(envelope.account());
  }

  public boolean livemode() {
    return envelope.livemode();
  }

  /** The API version the event's data was rendered with; empty for thin events. */
  public Optional<String> apiVersion() {
    return Optional.ofNullable(envelope.apiVersion());
  }

  /** Which attempt this is, starting at 1. */
  public int attempt() {
    return attempt;
  }

  /** Whether this is a thin event ({@code v2.core.event}), which has no data snapshot. */
  public boolean isThin() {
    return envelope.isThin();
  }

  /** The envelope as stored. */
  public Envelope envelope() {
    return envelope;
  }

  /** A copy of the exact bytes Stripe sent. */
  public byte[] payload() {
    return payload.clone();
  }

  /** The exact body as a string. */
  public String payloadString() {
    return new String(payload, StandardCharsets.UTF_8);
  }

  /**
   * The event parsed by stripe-java. Not available for thin events.
   *
   * @throws IllegalStateException for thin events
   */
  public Event stripeEvent() {
    if (isThin()) {
      throw new IllegalStateException(
          "thin event " + id() + " has no snapshot; fetch the related object from the API");
    }
    if (parsed == null) {
      parsed = ApiResource.GSON.fromJson(payloadString(), Event.class);
    }
    return parsed;
  }

  /**
   * The event's data object as the stripe-java class it is, such as {@code PaymentIntent} for
   * {@code payment_intent.succeeded}.
   *
   * @throws IllegalArgumentException when the object is not of that class
   * @throws IllegalStateException for thin events, or when stripe-java cannot read the object
   */
  public <T extends StripeObject> T dataObject(Class<T> type) {
    StripeObject object = dataObject();
    if (!type.isInstance(object)) {
      throw new IllegalArgumentException(
          "the data object of "
              + id()
              + " ("
              + type()
              + ") is a "
              + object.getClass().getSimpleName()
              + ", not a "
              + type.getSimpleName());
    }
    return type.cast(object);
  }

  /** The event's data object as whatever stripe-java class it deserialises to. */
  public StripeObject dataObject() {
    if (dataObject == null) {
      EventDataObjectDeserializer deserializer = stripeEvent().getDataObjectDeserializer();
      Optional<StripeObject> safe = deserializer.getObject();
      if (safe.isPresent()) {
        dataObject = safe.get();
      } else {
        try {
          dataObject = deserializer.deserializeUnsafe();
          mismatch = true;
        } catch (EventDataObjectDeserializationException e) {
          throw new IllegalStateException(
              "stripe-java cannot read the data object of " + id() + ": " + e.getMessage(), e);
        }
      }
    }
    return dataObject;
  }

  /**
   * Whether the data object had to be read with stripe-java's unsafe deserialisation because the
   * event's API version differs from the SDK's. Meaningful after {@link #dataObject()}.
   */
  public boolean apiVersionMismatch() {
    dataObject();
    return mismatch;
  }

  /** A thin event's {@code related_object}, if it has one. */
  public Optional<RelatedObject> relatedObject() {
    JsonElement related = json().get("related_object");
    if (related == null || !related.isJsonObject()) {
      return Optional.empty();
    }
    JsonObject o = related.getAsJsonObject();
    return Optional.of(new RelatedObject(text(o, "id"), text(o, "type"), text(o, "url")));
  }

  /** A thin event's {@code context} (the account it is about), if set. */
  public Optional<String> context() {
    return Optional.ofNullable(text(json(), "context"));
  }

  private JsonObject json() {
    return JsonParser.parseString(payloadString()).getAsJsonObject();
  }

  private static String text(JsonObject o, String field) {
    JsonElement e = o.get(field);
    return e == null || e.isJsonNull() ? null : e.getAsString();
  }

  @Override
  public String toString() {
    return "InboxEvent{" + id() + " " + type() + " attempt " + attempt + "}";
  }
}
