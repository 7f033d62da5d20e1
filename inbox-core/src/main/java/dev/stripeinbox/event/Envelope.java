package dev.stripeinbox.event;

import java.time.Instant;
import java.util.Objects;

/**
 * The top-level fields of a Stripe event, read without building the {@code data} tree.
 *
 * <p>For snapshot events ({@code "object":"event"}) the data fields are {@code data.object.id} and
 * {@code data.object.object}; for thin events ({@code "object":"v2.core.event"}) they are {@code
 * related_object.id} and {@code related_object.type}, and the account is {@code context}.
 *
 * @param id the event id, such as {@code evt_1Nx...}; never null
 * @param object {@code event} or {@code v2.core.event}; null when the body omits it
 * @param type the event type, such as {@code payment_intent.succeeded}; never null
 * @param created when Stripe created the event; null when absent
 * @param livemode whether the event comes from live mode
 * @param apiVersion the API version {@code data} was rendered with; null for thin events
 * @param account the connected account ({@code acct_...}) of a Connect event, else null
 * @param dataObjectId the id of the object the event is about, or null
 * @param dataObjectType the {@code object} of that object, such as {@code payment_intent}, or null
 */
public record Envelope(
    String id,
    String object,
    String type,
    Instant created,
    boolean livemode,
    String apiVersion,
    String account,
    String dataObjectId,
    String dataObjectType) {

  /** The {@code object} value of thin events. */
  public static final String THIN_OBJECT = "v2.core.event";

  public Envelope {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
  }

  /**
   * The envelope from the fields as read. A thin event ({@code "object":"v2.core.event"}) takes its
   * account from {@code context} when it has no {@code account}, and its data object from {@code
   * related_object}; a snapshot event takes it from {@code data.object}. Both readers use this, so
   * they map the fields alike.
   */
  static Envelope of(
      String id,
      String object,
      String type,
      Instant created,
      boolean livemode,
      String apiVersion,
      String account,
      String context,
      String[] dataObject,
      String[] relatedObject) {
    boolean thin = THIN_OBJECT.equals(object);
    String[] reference = thin ? relatedObject : dataObject;
    return new Envelope(
        id,
        object,
        type,
        created,
        livemode,
        apiVersion,
        thin && account == null ? context : account,
        reference[0],
        reference[1]);
  }

  /** Whether this is a thin event, which carries a reference instead of a data snapshot. */
  public boolean isThin() {
    return THIN_OBJECT.equals(object);
  }
}
