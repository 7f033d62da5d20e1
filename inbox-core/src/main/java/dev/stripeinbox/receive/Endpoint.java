package dev.stripeinbox.receive;

import dev.stripeinbox.dispatch.TypeFilter;
import dev.stripeinbox.verify.SignatureVerifier;
import java.util.Objects;

/**
 * One webhook endpoint: its name, how its deliveries are verified and which types it stores.
 * Verified events of other types are acknowledged as ignored and not stored.
 *
 * @param name a stable name, recorded with each event it receives
 * @param verifier the endpoint's secrets and tolerance
 * @param types the event types it stores
 */
public record Endpoint(String name, SignatureVerifier verifier, TypeFilter types) {
  public Endpoint {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(verifier, "verifier");
    Objects.requireNonNull(types, "types");
  }
}
