package dev.stripeinbox.server.cli;

import dev.stripeinbox.server.load.EventMix;
import dev.stripeinbox.server.load.LoadGenerator;
import dev.stripeinbox.server.load.LoadPlan;
import dev.stripeinbox.server.load.LoadResult;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code load}: load-tests any Stripe webhook endpoint, ours or another, with realistic signed
 * events from the {@code trigger} templates, each non-duplicate delivery with an event id of its
 * own. Open loop at a constant rate ({@code --rate}), with latency from the intended send time, or
 * closed loop ({@code --concurrency}).
 */
@Command(
    name = "load",
    description = {
      "Load-test a Stripe webhook endpoint with realistic signed events.",
      "Open loop: --rate N (latency counted from when each delivery was due)."
          + " Closed loop: --concurrency N (the default, with 64).",
      "Exit code 0 when every delivery got a 2xx, 1 otherwise, 2 for a bad setting."
    },
    mixinStandardHelpOptions = true)
public final class LoadCommand implements Callable<Integer> {
  @Option(names = "--url", description = "the endpoint (default http://localhost:4242/webhook)")
  String url;

  @Option(
      names = "--secret",
      description = "the endpoint's signing secret (env STRIPE_WEBHOOK_SECRET; required)")
  String secret;

  @Option(names = "--rate", description = "open loop: deliveries per second")
  String rate;

  @Option(
      names = "--concurrency",
      description = "closed loop: connections, each sending when answered (default 64)")
  String concurrency;

  @Option(
      names = "--connections",
      description = "open loop: the most connections opened (default 256)")
  String connections;

  @Option(names = "--duration", description = "how long to measure (default 30s)")
  String duration;

  @Option(names = "--warmup", description = "how long to send before measuring (default 0s)")
  String warmup;

  @Option(
      names = "--warmup-plateau",
      description = "closed loop: end the warm-up early once the rate stops climbing")
  boolean warmupPlateau;

  @Option(
      names = "--types",
      description =
          "event types, comma-separated, each with an optional :weight"
              + " (default "
              + EventMix.DEFAULT
              + ")")
  String types;

  @Option(
      names = "--duplicates",
      description =
          "share of deliveries that resend an earlier event id, such as 0.2 or 20%% (default 0)")
  String duplicates;

  @Option(
      names = "--threads",
      description = "event loops sending in parallel (default: the usable cores, at most 4)")
  String threads;

  @Option(
      names = "--timeout",
      description =
          "how long a delivery waits for its answer before it counts as an error (default 30s)")
  String timeout;

  @Option(
      names = "--client",
      description =
          "nio (plain http, the fastest) or jdk (java.net.http; also https); default nio for http")
  String client;

  @Option(names = "--json", description = "print one JSON object instead of text")
  boolean json;

  private final Map<String, String> env;
  private final PrintStream out = System.out;

  public LoadCommand() {
    this(System.getenv());
  }

  LoadCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() throws Exception {
    LoadPlan plan = plan(new Settings(env));
    if (!answers(plan.url())) {
      System.err.println("stripe-inbox: nothing answers at " + plan.url());
      return 1;
    }
    if (!json) {
      System.err.println(
          "load: "
              + (plan.openLoop()
                  ? plan.rate() + " deliveries/s"
                  : plan.concurrency() + " connections")
              + " for "
              + plan.duration().toSeconds()
              + " s"
              + (plan.warmup().isZero()
                  ? ""
                  : " after a warm-up of up to " + plan.warmup().toSeconds() + " s")
              + " to "
              + plan.url());
    }
    LoadResult result = LoadGenerator.run(plan);
    out.println(json ? result.toJson() : result.toText().stripTrailing());
    return result.requests() > 0 && result.non2xx() == 0 ? 0 : 1;
  }

  LoadPlan plan(Settings s) {
    URI target = target(url == null ? "http://localhost:4242/webhook" : url);
    String signingSecret = s.resolve(secret, "STRIPE_WEBHOOK_SECRET");
    String secretSetting = Settings.name("--secret", "STRIPE_WEBHOOK_SECRET");
    if (signingSecret == null) {
      throw new SettingException(secretSetting + ": required: the endpoint's signing secret");
    }
    signingSecret = Settings.secrets(signingSecret, secretSetting).get(0);
    if (rate != null && concurrency != null) {
      throw new SettingException(
          "--rate and --concurrency: choose one (open loop at a rate, or closed loop)");
    }
    int rateValue = rate == null ? 0 : Settings.positiveInt(rate, "--rate");
    if (rateValue > 1_000_000) {
      throw new SettingException("--rate: at most 1000000 per second, was " + rate);
    }
    int concurrencyValue =
        Settings.positiveInt(concurrency == null ? "64" : concurrency, "--concurrency");
    int connectionsValue =
        Settings.positiveInt(connections == null ? "256" : connections, "--connections");
    if (concurrencyValue > 10_000 || connectionsValue > 10_000) {
      throw new SettingException(
          (concurrencyValue > 10_000 ? "--concurrency" : "--connections") + ": at most 10000");
    }
    Duration durationValue =
        Settings.positiveDuration(duration == null ? "30s" : duration, "--duration");
    Duration warmupValue = Settings.duration(warmup == null ? "0s" : warmup, "--warmup");
    Duration timeoutValue =
        Settings.positiveDuration(timeout == null ? "30s" : timeout, "--timeout");
    EventMix mix;
    try {
      mix = EventMix.parse(types == null ? EventMix.DEFAULT : types);
    } catch (IllegalArgumentException e) {
      throw new SettingException("--types: " + Main.oneLine(e));
    }
    double duplicateShare = share(duplicates == null ? "0" : duplicates);
    int threadCount =
        threads == null
            ? Math.min(4, Runtime.getRuntime().availableProcessors())
            : Settings.positiveInt(threads, "--threads");
    if (threadCount > 64) {
      throw new SettingException("--threads: at most 64");
    }
    LoadPlan.Client clientValue = client(target);
    return new LoadPlan(
        target,
        signingSecret,
        rateValue,
        concurrencyValue,
        connectionsValue,
        durationValue,
        warmupValue,
        warmupPlateau,
        mix,
        duplicateShare,
        threadCount,
        timeoutValue,
        clientValue);
  }

  private LoadPlan.Client client(URI target) {
    if (client == null) {
      return "https".equals(target.getScheme()) ? LoadPlan.Client.JDK : LoadPlan.Client.NIO;
    }
    switch (client.strip().toLowerCase(Locale.ROOT)) {
      case "jdk":
        return LoadPlan.Client.JDK;
      case "nio":
        if ("https".equals(target.getScheme())) {
          throw new SettingException("--client: nio sends plain http only; use jdk for https");
        }
        return LoadPlan.Client.NIO;
      default:
        throw new SettingException("--client: \"" + client + "\" is not nio or jdk");
    }
  }

  private static double share(String value) {
    String v = value.strip();
    double factor = 1;
    if (v.endsWith("%")) {
      v = v.substring(0, v.length() - 1).strip();
      factor = 100;
    }
    double d;
    try {
      d = Double.parseDouble(v) / factor;
    } catch (NumberFormatException e) {
      d = Double.NaN;
    }
    if (!(d >= 0 && d < 1)) {
      throw new SettingException(
          "--duplicates: \"" + value + "\" is not a share from 0 to below 1, such as 0.2 or 20%");
    }
    return d;
  }

  private static URI target(String value) {
    try {
      URI uri = URI.create(value);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null) {
        return uri;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new SettingException("--url: \"" + value + "\" is not an http(s) URL");
  }

  /** Whether something accepts connections at the URL's host and port. */
  private static boolean answers(URI url) {
    int port = url.getPort() >= 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(url.getHost(), port), 3000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
