package dev.stripeinbox.server.load;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * What a load run does: where it sends, how fast, for how long, and which events.
 *
 * @param url the webhook endpoint
 * @param secret the endpoint's signing secret
 * @param rate deliveries per second for an open-loop run (latency from the intended send time), or
 *     0 for a closed-loop run
 * @param concurrency connections of a closed-loop run, each sending its next delivery as soon as
 *     the previous one is answered
 * @param connections the most connections an open-loop run opens
 * @param duration how long the measured part lasts
 * @param warmup how long to send before measuring; not recorded
 * @param warmupPlateau end the warm-up early, once the rate has stopped climbing (closed loop)
 * @param mix the event types and their weights
 * @param duplicates the share of deliveries that resend an earlier event, from 0 to below 1
 * @param threads event loops sending in parallel
 * @param timeout how long a delivery may wait for its answer before it counts as an error
 * @param client how requests are sent
 */
public record LoadPlan(
    URI url,
    String secret,
    int rate,
    int concurrency,
    int connections,
    Duration duration,
    Duration warmup,
    boolean warmupPlateau,
    EventMix mix,
    double duplicates,
    int threads,
    Duration timeout,
    Client client) {

  /** The HTTP client a run uses. */
  public enum Client {
    /** A small non-blocking HTTP/1.1 client over NIO: plain {@code http} only, the fastest. */
    NIO,
    /** The JDK's {@code java.net.http.HttpClient} over HTTP/1.1; also does {@code https}. */
    JDK
  }

  public LoadPlan {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(warmup, "warmup");
    Objects.requireNonNull(mix, "mix");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(client, "client");
    if (rate < 0 || concurrency < 1 || connections < 1 || threads < 1) {
      throw new IllegalArgumentException("rate, concurrency, connections and threads");
    }
    if (!(duplicates >= 0 && duplicates < 1)) {
      throw new IllegalArgumentException("duplicates must be from 0 to below 1");
    }
    if (client == Client.NIO && !"http".equals(url.getScheme())) {
      throw new IllegalArgumentException("the NIO client sends plain http only");
    }
  }

  public boolean openLoop() {
    return rate > 0;
  }

  /** A closed-loop plan with defaults, for tests and embedding. */
  public static LoadPlan closed(URI url, String secret, int concurrency, Duration duration) {
    return new LoadPlan(
        url,
        secret,
        0,
        concurrency,
        concurrency,
        duration,
        Duration.ZERO,
        false,
        EventMix.parse(EventMix.DEFAULT),
        0,
        1,
        Duration.ofSeconds(30),
        Client.NIO);
  }

  public LoadPlan withRate(int value) {
    return new LoadPlan(
        url,
        secret,
        value,
        concurrency,
        connections,
        duration,
        warmup,
        warmupPlateau,
        mix,
        duplicates,
        threads,
        timeout,
        client);
  }

  public LoadPlan withDuplicates(double value) {
    return new LoadPlan(
        url,
        secret,
        rate,
        concurrency,
        connections,
        duration,
        warmup,
        warmupPlateau,
        mix,
        value,
        threads,
        timeout,
        client);
  }

  public LoadPlan withMix(EventMix value) {
    return new LoadPlan(
        url,
        secret,
        rate,
        concurrency,
        connections,
        duration,
        warmup,
        warmupPlateau,
        value,
        duplicates,
        threads,
        timeout,
        client);
  }

  public LoadPlan withThreads(int value) {
    return new LoadPlan(
        url,
        secret,
        rate,
        concurrency,
        connections,
        duration,
        warmup,
        warmupPlateau,
        mix,
        duplicates,
        value,
        timeout,
        client);
  }

  public LoadPlan withClient(Client value) {
    return new LoadPlan(
        url,
        secret,
        rate,
        concurrency,
        connections,
        duration,
        warmup,
        warmupPlateau,
        mix,
        duplicates,
        threads,
        timeout,
        value);
  }

  public LoadPlan withWarmup(Duration value, boolean plateau) {
    return new LoadPlan(
        url,
        secret,
        rate,
        concurrency,
        connections,
        duration,
        value,
        plateau,
        mix,
        duplicates,
        threads,
        timeout,
        client);
  }
}
