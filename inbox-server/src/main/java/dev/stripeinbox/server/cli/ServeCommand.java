package dev.stripeinbox.server.cli;

import dev.stripeinbox.StripeInbox;
import dev.stripeinbox.dispatch.DispatcherOptions;
import dev.stripeinbox.dispatch.RetryPolicy;
import dev.stripeinbox.dispatch.TypeFilter;
import dev.stripeinbox.inbox.StoreUnavailableException;
import dev.stripeinbox.jdbc.JdbcInboxStore;
import dev.stripeinbox.jdbc.StoreOptions;
import dev.stripeinbox.receive.Reception;
import dev.stripeinbox.server.admin.AdminApi;
import dev.stripeinbox.server.config.ConfigFile;
import dev.stripeinbox.server.config.InboxConfig;
import dev.stripeinbox.server.forward.Destination;
import dev.stripeinbox.server.forward.Forwarder;
import dev.stripeinbox.server.http.InboxServer;
import dev.stripeinbox.server.http.IpAllowlist;
import dev.stripeinbox.server.http.ServerOptions;
import dev.stripeinbox.server.metrics.InboxMetrics;
import dev.stripeinbox.testkit.Signer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code serve}: the webhook endpoint, the workers and the HTTP routes, until stopped. */
@Command(
    name = "serve",
    description = "Receive, verify and durably store Stripe webhooks, then process them.",
    mixinStandardHelpOptions = true)
public final class ServeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger("stripe-inbox");

  /** The most handler threads: more would be a typo, and would overflow the claim capacity. */
  static final int MAX_WORKERS = 1000;

  @Option(names = "--port", description = "HTTP port (env PORT, default 4242)")
  String port;

  @Option(names = "--host", description = "bind address (env HOST, default 127.0.0.1)")
  String host;

  @Option(
      names = "--secret",
      description =
          "signing secret; repeat for rotation (env STRIPE_WEBHOOK_SECRET, comma-separated;"
              + " default: generated and stored in the database)")
  List<String> secrets;

  @Option(
      names = "--db",
      description =
          "SQLite file or jdbc:postgresql:// URL (env STRIPE_INBOX_DB, default stripe-inbox.db)")
  String db;

  @Option(
      names = "--tolerance",
      description =
          "largest gap between signature time and now (env STRIPE_INBOX_TOLERANCE, default 300s)")
  String tolerance;

  @Option(
      names = "--max-body",
      description = "largest accepted body (env STRIPE_INBOX_MAX_BODY, default 1MiB)")
  String maxBody;

  @Option(
      names = "--workers",
      description =
          "handler threads, at most 1000 (env STRIPE_INBOX_WORKERS, default 8, or the sum of the"
              + " destinations' max_concurrency when larger)")
  String workers;

  @Option(
      names = "--retention",
      description = "how long processed events are kept (env STRIPE_INBOX_RETENTION, default 30d)")
  String retention;

  @Option(
      names = "--lease",
      description =
          "how long a running job is held without renewal before another worker may take it"
              + " (env STRIPE_INBOX_LEASE, default 30s)")
  String lease;

  @Option(
      names = "--forward-to",
      description = "forward every stored event to this URL (env STRIPE_INBOX_FORWARD_URL)")
  String forwardTo;

  @Option(
      names = "--forward-secret",
      description =
          "whsec_ secret to re-sign forwarded events with; required with --forward-to"
              + " (env STRIPE_INBOX_FORWARD_SECRET)")
  String forwardSecret;

  @Option(
      names = "--admin-token",
      description =
          "bearer token for /api/*; without it the admin API answers 404"
              + " (env STRIPE_INBOX_ADMIN_TOKEN)")
  String adminToken;

  @Option(
      names = "--config",
      description = "YAML file of endpoints and destinations (env STRIPE_INBOX_CONFIG)")
  String configFile;

  @Option(
      names = "--allow-ips",
      description =
          "only these IPs or CIDR ranges may deliver webhooks, comma-separated"
              + " (env STRIPE_INBOX_ALLOW_IPS; default: any)")
  String allowIps;

  @Option(
      names = "--trusted-proxies",
      description =
          "proxies whose X-Forwarded-For is believed, comma-separated"
              + " (env STRIPE_INBOX_TRUSTED_PROXIES; default: none)")
  String trustedProxies;

  private final Map<String, String> env;

  public ServeCommand() {
    this(System.getenv());
  }

  ServeCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() throws Exception {
    Settings s = new Settings(env);
    Optional<InboxConfig> config = loadConfig(s);
    InboxConfig.Server fromFile =
        config.map(InboxConfig::server).orElse(InboxConfig.Server.unset());
    int portValue =
        fromFile.port().isPresent()
            ? fromFile.port().getAsInt()
            : Settings.port(or(s.resolve(port, "PORT"), "4242"), Settings.name("--port", "PORT"));
    String hostValue = fromFile.host().orElse(or(s.resolve(host, "HOST"), "127.0.0.1"));
    Duration toleranceValue =
        Settings.tolerance(
            or(s.resolve(tolerance, "STRIPE_INBOX_TOLERANCE"), "300s"),
            Settings.name("--tolerance", "STRIPE_INBOX_TOLERANCE"));
    int maxBodyValue =
        fromFile.maxBody().isPresent()
            ? fromFile.maxBody().getAsInt()
            : Settings.size(
                or(s.resolve(maxBody, "STRIPE_INBOX_MAX_BODY"), "1MiB"),
                Settings.name("--max-body", "STRIPE_INBOX_MAX_BODY"));
    String workersSetting = s.resolve(workers, "STRIPE_INBOX_WORKERS");
    Integer explicitWorkers =
        workersSetting == null
            ? null
            : Settings.positiveInt(
                workersSetting, Settings.name("--workers", "STRIPE_INBOX_WORKERS"), MAX_WORKERS);
    Duration retentionValue =
        Settings.positiveDuration(
            or(s.resolve(retention, "STRIPE_INBOX_RETENTION"), "30d"),
            Settings.name("--retention", "STRIPE_INBOX_RETENTION"));
    Duration leaseValue =
        Settings.durationAtLeast(
            or(s.resolve(lease, "STRIPE_INBOX_LEASE"), "30s"),
            Settings.name("--lease", "STRIPE_INBOX_LEASE"),
            Duration.ofSeconds(1));
    Optional<String> adminTokenValue =
        fromFile
            .adminToken()
            .or(
                () ->
                    Optional.ofNullable(s.resolve(adminToken, "STRIPE_INBOX_ADMIN_TOKEN"))
                        .map(
                            token ->
                                Settings.adminToken(
                                    token,
                                    Settings.name("--admin-token", "STRIPE_INBOX_ADMIN_TOKEN"))));
    Optional<IpAllowlist> allowlist = allowlist(s);
    List<Destination> destinations = new ArrayList<>();
    config.ifPresent(c -> destinations.addAll(c.destinations()));
    Optional<Destination> forward = forwardDestination(s);
    if (forward.isPresent()) {
      checkNameIsFree(forward.get(), destinations, s);
      destinations.add(forward.get());
    }
    // With a config file, STRIPE_WEBHOOK_SECRET is only there for the file's ${...} references.
    if (config.isPresent() && secrets != null) {
      throw new SettingException(
          "--secret: with --config, set each endpoint's secrets in the file");
    }
    List<String> configuredSecrets = config.isPresent() ? List.of() : secrets(s);
    // A forward holds its worker while the HTTP request is out: by default there are enough
    // workers for every destination to reach its max_concurrency, up to the most there may be.
    int workerCount =
        explicitWorkers != null
            ? explicitWorkers
            : (int)
                Math.min(
                    MAX_WORKERS,
                    Math.max(
                        8, destinations.stream().mapToLong(Destination::maxConcurrency).sum()));
    String location =
        config.flatMap(InboxConfig::database).orElseGet(() -> StoreOpener.location(s, db));

    InboxMetrics metrics = new InboxMetrics();
    JdbcInboxStore store =
        openWaiting(location, StoreOptions.defaults().withCommitListener(metrics));
    metrics.watchJobs(store);

    StripeInbox.Builder builder = StripeInbox.builder().store(store).tolerance(toleranceValue);
    Map<String, String> paths;
    String secretSource;
    if (config.isPresent()) {
      config.get().endpoints(Clock.systemUTC()).forEach(builder::endpoint);
      paths = config.get().webhookPaths();
      secretSource = "endpoints from " + config.get().endpoints().size() + " in the config file";
    } else {
      paths = Map.of("/webhook", StripeInbox.DEFAULT_ENDPOINT);
      secretSource = defaultEndpointSecrets(store, configuredSecrets, builder);
    }
    // The HTTP client loads the TLS trust store: only pay for it when something is forwarded.
    Optional<Forwarder> forwarder =
        destinations.isEmpty()
            ? Optional.empty()
            : Optional.of(new Forwarder(Clock.systemUTC(), metrics));
    if (destinations.isEmpty()) {
      builder.on(QuickstartHandler.NAME, "*", new QuickstartHandler());
    }
    for (Destination destination : destinations) {
      builder.subscriber(forwarder.orElseThrow().subscriber(destination));
    }

    QueuedThreadPool threads = InboxServer.newThreadPool();
    StripeInbox inbox =
        builder
            .dispatcherOptions(
                DispatcherOptions.defaults().withWorkers(workerCount).withLease(leaseValue))
            .receiveListener(
                (endpoint, reception, nanos) -> {
                  metrics.onReception(endpoint, reception, nanos);
                  logReception(reception);
                })
            .dispatchListener(metrics)
            .build();
    ServerOptions serverOptions =
        new ServerOptions(
            hostValue, portValue, maxBodyValue, paths, Duration.ofSeconds(10), allowlist);
    InboxServer server = new InboxServer(inbox, serverOptions, threads);
    server.route(InboxMetrics.PATH, metrics.route());
    server.route(AdminApi.PREFIX, new AdminApi(store, adminTokenValue, inbox.clock(), inbox::wake));
    try {
      server.start();
    } catch (java.io.IOException e) {
      store.close();
      throw new SettingException(
          listenSettings(fromFile, s)
              + ": cannot listen on "
              + hostValue
              + ":"
              + portValue
              + ": "
              + bindFailure(e));
    }
    inbox.start();
    ScheduledExecutorService retentionTimer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "inbox-retention");
              t.setDaemon(true);
              return t;
            });
    retentionTimer.scheduleWithFixedDelay(
        () -> prune(store, inbox, retentionValue), 1, 60, TimeUnit.MINUTES);

    String base = "http://" + hostValue + ":" + server.port();
    System.out.println(
        "stripe-inbox listening on "
            + String.join(", ", paths.keySet().stream().sorted().map(p -> base + p).toList())
            + " (database "
            + store.description()
            + "; "
            + secretSource
            + (destinations.isEmpty()
                ? ""
                : "; forwarding to "
                    + destinations.size()
                    + (destinations.size() == 1 ? " destination" : " destinations"))
            + (adminTokenValue.isPresent() ? "; admin API on" : "")
            + ")");

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  shutdown(server, inbox, forwarder, store, retentionTimer);
                  stopped.countDown();
                  // A clean stop on SIGTERM exits 0, not 128+15: everything is closed by now.
                  Runtime.getRuntime().halt(0);
                },
                "inbox-shutdown"));
    stopped.await();
    return 0;
  }

  private Optional<InboxConfig> loadConfig(Settings s) {
    String file = s.resolve(configFile, "STRIPE_INBOX_CONFIG");
    return file == null ? Optional.empty() : Optional.of(ConfigFile.load(Path.of(file), env));
  }

  /** The default endpoint's secrets: configured, else stored, else generated and printed. */
  private String defaultEndpointSecrets(
      JdbcInboxStore store, List<String> configured, StripeInbox.Builder builder) {
    if (!configured.isEmpty()) {
      builder.secrets(configured);
      return configured.size()
          + (configured.size() == 1 ? " secret" : " secrets")
          + (secrets != null ? " from --secret" : " from STRIPE_WEBHOOK_SECRET");
    }
    Optional<String> stored = store.setting(StoreOpener.SECRET_SETTING);
    if (stored.isPresent()) {
      builder.secrets(stored.get());
      return "secret stored in " + store.description();
    }
    String generated =
        store.putSettingIfAbsent(StoreOpener.SECRET_SETTING, Signer.generateSecret());
    builder.secrets(generated);
    System.out.println("Ready! Your webhook signing secret is " + generated);
    return "secret generated and stored in " + store.description();
  }

  private Optional<Destination> forwardDestination(Settings s) {
    String url = s.resolve(forwardTo, "STRIPE_INBOX_FORWARD_URL");
    String secret = s.resolve(forwardSecret, "STRIPE_INBOX_FORWARD_SECRET");
    String urlSetting = Settings.name("--forward-to", "STRIPE_INBOX_FORWARD_URL");
    String secretSetting = Settings.name("--forward-secret", "STRIPE_INBOX_FORWARD_SECRET");
    if (url == null) {
      if (secret != null) {
        throw new SettingException(secretSetting + ": only applies with " + urlSetting);
      }
      return Optional.empty();
    }
    if (secret == null) {
      throw new SettingException(
          secretSetting + ": required with " + urlSetting + " (the downstream verifies with it)");
    }
    if (!secret.startsWith("whsec_")) {
      throw new SettingException(secretSetting + ": a signing secret starts with whsec_");
    }
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new SettingException(urlSetting + ": \"" + url + "\" is not a URL");
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        || uri.getHost() == null) {
      throw new SettingException(urlSetting + ": \"" + url + "\" is not an http(s) URL");
    }
    if (!Destination.isPort(uri)) {
      throw new SettingException(
          urlSetting + ": the port must be from 1 to 65535, was " + uri.getPort());
    }
    return Optional.of(
        new Destination(
            "default",
            uri,
            secret,
            TypeFilter.all(),
            Destination.DEFAULT_TIMEOUT,
            RetryPolicy.defaults(),
            Destination.DEFAULT_MAX_CONCURRENCY));
  }

  /**
   * How the bind address and port are named when listening fails: either may be the cause (an
   * address of no local interface, a port in use or reserved), so both, each by where it was set.
   */
  private String listenSettings(InboxConfig.Server fromFile, Settings s) {
    String file = s.resolve(configFile, "STRIPE_INBOX_CONFIG");
    String host =
        fromFile.host().isPresent() ? "server.host of " + file : Settings.name("--host", "HOST");
    String port =
        fromFile.port().isPresent() ? "server.port of " + file : Settings.name("--port", "PORT");
    return host + " / " + port;
  }

  /**
   * Jetty says only "Failed to bind to /host:port"; the cause says why, such as "Address already in
   * use" or "Cannot assign requested address".
   */
  private static String bindFailure(java.io.IOException e) {
    Throwable cause = e.getCause();
    return cause == null || cause.getMessage() == null
        ? Main.oneLine(e)
        : Main.oneLine(e) + " (" + cause.getMessage() + ")";
  }

  /** The {@code --forward-to} destination's name must not be taken by one in the config file. */
  private void checkNameIsFree(Destination forward, List<Destination> fromFile, Settings s) {
    if (fromFile.stream().anyMatch(d -> d.name().equals(forward.name()))) {
      throw new SettingException(
          Settings.name("--forward-to", "STRIPE_INBOX_FORWARD_URL")
              + ": adds a destination named "
              + forward.name()
              + ", and "
              + s.resolve(configFile, "STRIPE_INBOX_CONFIG")
              + " has one by that name; rename that one, or add this URL to the file");
    }
  }

  private Optional<IpAllowlist> allowlist(Settings s) {
    String allowed = s.resolve(allowIps, "STRIPE_INBOX_ALLOW_IPS");
    String proxies = s.resolve(trustedProxies, "STRIPE_INBOX_TRUSTED_PROXIES");
    if (allowed == null) {
      if (proxies != null) {
        throw new SettingException(
            Settings.name("--trusted-proxies", "STRIPE_INBOX_TRUSTED_PROXIES")
                + ": only applies with --allow-ips");
      }
      return Optional.empty();
    }
    try {
      return Optional.of(IpAllowlist.parse(allowed, proxies));
    } catch (IllegalArgumentException e) {
      throw new SettingException(
          Settings.name("--allow-ips", "STRIPE_INBOX_ALLOW_IPS")
              + " / --trusted-proxies: "
              + e.getMessage());
    }
  }

  /**
   * Opens the store. PostgreSQL may start after us (containers, failover): wait for it, saying so
   * on one line per attempt. A SQLite file that cannot be opened is an error at once.
   */
  private static JdbcInboxStore openWaiting(String location, StoreOptions options)
      throws InterruptedException {
    long waitMillis = 1000;
    while (true) {
      try {
        return StoreOpener.open(location, options);
      } catch (StoreUnavailableException e) {
        if (!location.startsWith("jdbc:postgresql:")) {
          throw e;
        }
        System.out.println(
            "waiting for the database: "
                + Main.oneLine(e)
                + " (retrying in "
                + waitMillis / 1000
                + "s)");
        Thread.sleep(waitMillis);
        waitMillis = Math.min(10_000, waitMillis * 2);
      }
    }
  }

  /** The fixed shutdown order: HTTP (in-flight requests and their commits), workers, store. */
  private static void shutdown(
      InboxServer server,
      StripeInbox inbox,
      Optional<Forwarder> forwarder,
      JdbcInboxStore store,
      ScheduledExecutorService timer) {
    log.info("shutting down");
    try {
      server.close();
    } catch (Exception e) {
      log.warn("HTTP server stop: {}", e.getMessage());
    }
    timer.shutdownNow();
    inbox.close();
    forwarder.ifPresent(Forwarder::close);
    store.close();
    log.info("stopped");
    // The log appender is asynchronous: flush it before the JVM exits.
    if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
      context.stop();
    }
  }

  private static void prune(JdbcInboxStore store, StripeInbox inbox, Duration retention) {
    try {
      int pruned = store.prune(inbox.clock().instant().minus(retention));
      if (pruned > 0) {
        log.info("pruned {} processed events older than {}", pruned, retention);
      }
    } catch (RuntimeException e) {
      log.warn("retention prune failed: {}", e.getMessage());
    }
  }

  private List<String> secrets(Settings s) {
    String setting = Settings.name("--secret", "STRIPE_WEBHOOK_SECRET");
    List<String> out = new ArrayList<>();
    if (secrets != null) {
      out.addAll(secrets);
    } else {
      String fromEnv = s.resolve(null, "STRIPE_WEBHOOK_SECRET");
      if (fromEnv != null) {
        out.addAll(Settings.secrets(fromEnv, setting));
      }
    }
    for (String secret : out) {
      if (secret.isEmpty()) {
        throw new SettingException(setting + ": a secret is empty");
      }
      if (!secret.startsWith("whsec_")) {
        throw new SettingException(
            setting
                + ": a signing secret starts with whsec_ (copy it from the Dashboard or stripe listen)");
      }
    }
    return out;
  }

  private static void logReception(Reception r) {
    switch (r.outcome()) {
      case RECEIVED -> log.info("received {} {}", r.eventId(), r.type());
      case DUPLICATE -> log.info("duplicate {} {}", r.eventId(), r.type());
      case IGNORED -> log.info("ignored {} {}", r.eventId(), r.type());
      case REJECTED -> log.info("rejected {}", r.errorCode());
      case UNAVAILABLE -> log.warn("unavailable {} {} {}", r.eventId(), r.type(), r.errorCode());
    }
  }

  private static String or(String value, String fallback) {
    return value == null ? fallback : value;
  }
}
