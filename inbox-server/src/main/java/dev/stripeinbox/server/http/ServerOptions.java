package dev.stripeinbox.server.http;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How the HTTP server listens.
 *
 * @param host the bind address
 * @param port the port; 0 picks a free one
 * @param maxBody the largest accepted webhook body in bytes; larger ones get 413
 * @param webhookPaths the endpoint name of each webhook path, such as {@code /webhook -> default}
 * @param stopTimeout how long shutdown waits for in-flight requests
 * @param allowlist if present, only these client addresses may deliver webhooks (403 otherwise)
 */
public record ServerOptions(
    String host,
    int port,
    int maxBody,
    Map<String, String> webhookPaths,
    Duration stopTimeout,
    Optional<IpAllowlist> allowlist) {
  public ServerOptions(
      String host, int port, int maxBody, Map<String, String> webhookPaths, Duration stopTimeout) {
    this(host, port, maxBody, webhookPaths, stopTimeout, Optional.empty());
  }

  public ServerOptions {
    Objects.requireNonNull(allowlist, "allowlist");
    Objects.requireNonNull(host, "host");
    webhookPaths = Map.copyOf(webhookPaths);
    Objects.requireNonNull(stopTimeout, "stopTimeout");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
    }
    if (maxBody < 1) {
      throw new IllegalArgumentException("maxBody must be positive");
    }
  }

  /** 127.0.0.1:4242, a 1 MiB body limit, and {@code /webhook} for the default endpoint. */
  public static ServerOptions defaults() {
    return new ServerOptions(
        "127.0.0.1", 4242, 1024 * 1024, Map.of("/webhook", "default"), Duration.ofSeconds(10));
  }

  public ServerOptions withHost(String value) {
    return new ServerOptions(value, port, maxBody, webhookPaths, stopTimeout, allowlist);
  }

  public ServerOptions withPort(int value) {
    return new ServerOptions(host, value, maxBody, webhookPaths, stopTimeout, allowlist);
  }

  public ServerOptions withMaxBody(int value) {
    return new ServerOptions(host, port, value, webhookPaths, stopTimeout, allowlist);
  }

  public ServerOptions withAllowlist(IpAllowlist value) {
    return new ServerOptions(host, port, maxBody, webhookPaths, stopTimeout, Optional.of(value));
  }

  public ServerOptions withWebhookPaths(Map<String, String> value) {
    return new ServerOptions(host, port, maxBody, value, stopTimeout, allowlist);
  }
}
