package dev.stripeinbox.server.config;

import dev.stripeinbox.dispatch.TypeFilter;
import dev.stripeinbox.receive.Endpoint;
import dev.stripeinbox.server.forward.Destination;
import dev.stripeinbox.verify.SignatureVerifier;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A validated config file: what {@link ConfigFile#load} returns. Every value has been checked, so
 * building the inbox from it cannot fail on a setting.
 *
 * <p>Immutable and thread-safe. {@code toString()} never shows a secret or the admin token.
 *
 * @param server the {@code server} block; each field is empty when the file leaves it out
 * @param database the {@code database} setting, a SQLite path or a {@code jdbc:postgresql://} URL,
 *     if set
 * @param endpoints the webhook endpoints, at least one, in file order
 * @param destinations the forward destinations, possibly none, in file order
 */
public record InboxConfig(
    Server server,
    Optional<String> database,
    List<EndpointConfig> endpoints,
    List<Destination> destinations) {

  public InboxConfig {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(database, "database");
    endpoints = List.copyOf(endpoints);
    destinations = List.copyOf(destinations);
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("at least one endpoint is required");
    }
  }

  /**
   * The {@code server} block. A field the file sets wins over the matching flag and environment
   * variable; an empty one leaves the flag, then the environment, then the default to decide.
   *
   * @param host the bind address
   * @param port the HTTP port, 0 to 65535
   * @param maxBody the largest accepted body, in bytes
   * @param adminToken the bearer token of the admin API
   */
  public record Server(
      Optional<String> host, OptionalInt port, OptionalInt maxBody, Optional<String> adminToken) {
    public Server {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(port, "port");
      Objects.requireNonNull(maxBody, "maxBody");
      Objects.requireNonNull(adminToken, "adminToken");
    }

    /** A block that sets nothing. */
    public static Server unset() {
      return new Server(
          Optional.empty(), OptionalInt.empty(), OptionalInt.empty(), Optional.empty());
    }

    @Override
    public String toString() {
      return "Server[host="
          + host
          + ", port="
          + port
          + ", maxBody="
          + maxBody
          + ", adminToken="
          + (adminToken.isPresent() ? "(set)" : "(unset)")
          + "]";
    }
  }

  /**
   * One webhook endpoint of the file.
   *
   * @param name its stable name, recorded with each event it receives
   * @param path the HTTP path Stripe posts to, such as {@code /webhook/connect}
   * @param secrets its signing secrets ({@code whsec_...}); a match with any one is accepted
   * @param tolerance the largest allowed gap between a signature's time and now
   * @param types the event types it stores; verified events of other types are acknowledged as
   *     ignored
   */
  public record EndpointConfig(
      String name, String path, List<String> secrets, Duration tolerance, TypeFilter types) {
    public EndpointConfig {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(path, "path");
      secrets = List.copyOf(secrets);
      Objects.requireNonNull(tolerance, "tolerance");
      Objects.requireNonNull(types, "types");
    }

    /** The core endpoint, verifying with these secrets against {@code clock}. */
    public Endpoint toEndpoint(Clock clock) {
      return new Endpoint(name, new SignatureVerifier(secrets, tolerance, clock), types);
    }

    @Override
    public String toString() {
      return "EndpointConfig[name="
          + name
          + ", path="
          + path
          + ", secrets="
          + secrets.size()
          + ", tolerance="
          + tolerance
          + ", types="
          + types
          + "]";
    }
  }

  /** The endpoints as the core needs them, verifying against {@code clock}. */
  public List<Endpoint> endpoints(Clock clock) {
    return endpoints.stream().map(e -> e.toEndpoint(clock)).toList();
  }

  /** Each endpoint's path mapped to its name, in file order, as the HTTP server routes them. */
  public Map<String, String> webhookPaths() {
    Map<String, String> paths = new LinkedHashMap<>();
    for (EndpointConfig e : endpoints) {
      paths.put(e.path(), e.name());
    }
    return java.util.Collections.unmodifiableMap(paths);
  }
}
