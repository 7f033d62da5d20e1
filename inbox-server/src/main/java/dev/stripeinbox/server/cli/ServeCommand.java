package dev.stripeinbox.server.cli;

import dev.stripeinbox.StripeInbox;
import dev.stripeinbox.dispatch.DispatcherOptions;
import dev.stripeinbox.inbox.StoreUnavailableException;
import dev.stripeinbox.jdbc.JdbcInboxStore;
import dev.stripeinbox.jdbc.StoreOptions;
import dev.stripeinbox.receive.Reception;
import dev.stripeinbox.server.http.InboxServer;
import dev.stripeinbox.server.http.ServerOptions;
import dev.stripeinbox.testkit.Signer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
      description = "handler threads (env STRIPE_INBOX_WORKERS, default 8)")
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
    int portValue =
        Settings.port(or(s.resolve(port, "PORT"), "4242"), Settings.name("--port", "PORT"));
    String hostValue = or(s.resolve(host, "HOST"), "127.0.0.1");
    Duration toleranceValue =
        Settings.positiveDuration(
            or(s.resolve(tolerance, "STRIPE_INBOX_TOLERANCE"), "300s"),
            Settings.name("--tolerance", "STRIPE_INBOX_TOLERANCE"));
    int maxBodyValue =
        Settings.size(
            or(s.resolve(maxBody, "STRIPE_INBOX_MAX_BODY"), "1MiB"),
            Settings.name("--max-body", "STRIPE_INBOX_MAX_BODY"));
    int workerCount =
        Settings.positiveInt(
            or(s.resolve(workers, "STRIPE_INBOX_WORKERS"), "8"),
            Settings.name("--workers", "STRIPE_INBOX_WORKERS"));
    Duration retentionValue =
        Settings.positiveDuration(
            or(s.resolve(retention, "STRIPE_INBOX_RETENTION"), "30d"),
            Settings.name("--retention", "STRIPE_INBOX_RETENTION"));
    Duration leaseValue =
        Settings.positiveDuration(
            or(s.resolve(lease, "STRIPE_INBOX_LEASE"), "30s"),
            Settings.name("--lease", "STRIPE_INBOX_LEASE"));
    if (leaseValue.toMillis() < 1000) {
      throw new SettingException(
          Settings.name("--lease", "STRIPE_INBOX_LEASE") + ": must be at least 1s");
    }
    List<String> configuredSecrets = secrets(s);
    String location = StoreOpener.location(s, db);

    JdbcInboxStore store = openWaiting(location, StoreOptions.defaults());
    String secretSource;
    List<String> endpointSecrets = configuredSecrets;
    if (configuredSecrets.isEmpty()) {
      var stored = store.setting(StoreOpener.SECRET_SETTING);
      if (stored.isPresent()) {
        endpointSecrets = List.of(stored.get());
        secretSource = "secret stored in " + store.description();
      } else {
        String generated =
            store.putSettingIfAbsent(StoreOpener.SECRET_SETTING, Signer.generateSecret());
        endpointSecrets = List.of(generated);
        secretSource = "secret generated and stored in " + store.description();
        System.out.println("Ready! Your webhook signing secret is " + generated);
      }
    } else {
      secretSource =
          configuredSecrets.size()
              + (configuredSecrets.size() == 1 ? " secret" : " secrets")
              + (secrets != null ? " from --secret" : " from STRIPE_WEBHOOK_SECRET");
    }

    QueuedThreadPool threads = InboxServer.newThreadPool();
    StripeInbox inbox =
        StripeInbox.builder()
            .store(store)
            .secrets(endpointSecrets)
            .tolerance(toleranceValue)
            .on(QuickstartHandler.NAME, "*", new QuickstartHandler())
            .dispatcherOptions(
                DispatcherOptions.defaults().withWorkers(workerCount).withLease(leaseValue))
            .receiveListener((endpoint, reception, nanos) -> logReception(reception))
            .callbackExecutor(threads)
            .build();
    InboxServer server =
        new InboxServer(
            inbox,
            new ServerOptions(
                hostValue,
                portValue,
                maxBodyValue,
                Map.of("/webhook", StripeInbox.DEFAULT_ENDPOINT),
                Duration.ofSeconds(10)),
            threads);
    try {
      server.start();
    } catch (java.io.IOException e) {
      store.close();
      throw new SettingException(
          Settings.name("--port", "PORT")
              + ": cannot listen on "
              + hostValue
              + ":"
              + portValue
              + ": "
              + Main.oneLine(e));
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

    System.out.println(
        "stripe-inbox listening on http://"
            + hostValue
            + ":"
            + server.port()
            + "/webhook (database "
            + store.description()
            + "; "
            + secretSource
            + ")");

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  shutdown(server, inbox, store, retentionTimer);
                  stopped.countDown();
                },
                "inbox-shutdown"));
    stopped.await();
    return 0;
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
      InboxServer server, StripeInbox inbox, JdbcInboxStore store, ScheduledExecutorService timer) {
    log.info("shutting down");
    try {
      server.close();
    } catch (Exception e) {
      log.warn("HTTP server stop: {}", e.getMessage());
    }
    timer.shutdownNow();
    inbox.close();
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
    List<String> out = new ArrayList<>();
    if (secrets != null) {
      out.addAll(secrets);
    } else {
      String fromEnv = s.resolve(null, "STRIPE_WEBHOOK_SECRET");
      if (fromEnv != null) {
        for (String part : fromEnv.split(",")) {
          out.add(part.strip());
        }
      }
    }
    String setting = Settings.name("--secret", "STRIPE_WEBHOOK_SECRET");
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
