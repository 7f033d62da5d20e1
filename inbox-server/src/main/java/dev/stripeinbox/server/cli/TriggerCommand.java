package dev.stripeinbox.server.cli;

import dev.stripeinbox.event.EnvelopeReader;
import dev.stripeinbox.jdbc.JdbcInboxStore;
import dev.stripeinbox.jdbc.StoreOptions;
import dev.stripeinbox.testkit.EventTemplates;
import dev.stripeinbox.testkit.Signer;
import dev.stripeinbox.testkit.TriggerOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code trigger}: like {@code stripe trigger}, but local. Builds a realistic event of a type with
 * fresh ids and the current time, signs it, and POSTs it to the endpoint.
 */
@Command(
    name = "trigger",
    description = "Sign and send a realistic test event of a type, like stripe trigger, offline.",
    mixinStandardHelpOptions = true)
public final class TriggerCommand implements Callable<Integer> {
  private static final Pattern ACCOUNT = Pattern.compile("acct_[A-Za-z0-9]{1,64}");

  @Parameters(
      paramLabel = "EVENT_TYPE",
      arity = "0..1",
      description = "for example payment_intent.succeeded")
  String type;

  @Option(names = "--url", description = "where to POST (default http://localhost:4242/webhook)")
  String url;

  @Option(
      names = "--secret",
      description =
          "signing secret (default STRIPE_WEBHOOK_SECRET, then the secret stored in --db)")
  String secret;

  @Option(
      names = "--db",
      description =
          "where serve stored its generated secret (env STRIPE_INBOX_DB, default stripe-inbox.db)")
  String db;

  @Option(names = "--count", description = "how many events to send (default 1)")
  String count;

  @Option(names = "--account", description = "make it a Connect event of this account (acct_...)")
  String account;

  @Option(
      names = "--override",
      description = "set a field, such as data.object.amount=500; repeatable")
  List<String> overrides;

  @Option(names = "--list", description = "list the supported event types")
  boolean list;

  private final Map<String, String> env;
  private final PrintStream out = System.out;

  public TriggerCommand() {
    this(System.getenv());
  }

  TriggerCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() throws Exception {
    if (list) {
      EventTemplates.types().forEach(out::println);
      return 0;
    }
    if (type == null) {
      throw new SettingException(
          "trigger: name an event type, such as payment_intent.succeeded (--list shows them all)");
    }
    Settings s = new Settings(env);
    int n = Settings.positiveInt(count == null ? "1" : count, "--count");
    if (account != null && !ACCOUNT.matcher(account).matches()) {
      throw new SettingException(
          "--account: \"" + account + "\" is not an account id such as acct_1A2b3C");
    }
    URI target = target(url == null ? "http://localhost:4242/webhook" : url);
    TriggerOptions options = TriggerOptions.at(Instant.now());
    try {
      if (account != null) {
        options = options.withAccount(account);
      }
      if (overrides != null) {
        options = options.withOverrides(overrides);
      }
      // Build once before resolving the secret, so an unknown type or bad override fails first.
      EventTemplates.build(type, options);
    } catch (IllegalArgumentException e) {
      throw new SettingException(Main.oneLine(e));
    }
    String signingSecret = signingSecret(s);

    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    int failures = 0;
    for (int i = 0; i < n; i++) {
      byte[] body = EventTemplates.build(type, options.withNow(Instant.now()));
      String id = EnvelopeReader.read(body).id();
      HttpRequest request =
          HttpRequest.newBuilder(target)
              .timeout(Duration.ofSeconds(30))
              .header("Content-Type", "application/json; charset=utf-8")
              .header(
                  "Stripe-Signature",
                  Signer.header(body, signingSecret, Instant.now().getEpochSecond()))
              .POST(HttpRequest.BodyPublishers.ofByteArray(body))
              .build();
      HttpResponse<String> response;
      try {
        response = http.send(request, HttpResponse.BodyHandlers.ofString());
      } catch (ConnectException e) {
        System.err.println("stripe-inbox: nothing answers at " + target + " (is serve running?)");
        return 1;
      } catch (IOException e) {
        System.err.println("stripe-inbox: sending to " + target + " failed: " + Main.oneLine(e));
        return 1;
      }
      out.println(
          response.statusCode()
              + " "
              + id
              + " "
              + EventTemplates.eventType(type)
              + " "
              + response.body());
      if (response.statusCode() / 100 != 2) {
        failures++;
      }
    }
    return failures == 0 ? 0 : 1;
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

  private String signingSecret(Settings s) {
    if (secret != null) {
      return secret;
    }
    String fromEnv = s.resolve(null, "STRIPE_WEBHOOK_SECRET");
    if (fromEnv != null) {
      return Settings.secrets(fromEnv, Settings.name("--secret", "STRIPE_WEBHOOK_SECRET")).get(0);
    }
    String location = StoreOpener.location(s, db);
    if (!location.startsWith("jdbc:") && !Files.exists(Path.of(location))) {
      throw new SettingException(
          "no signing secret: pass --secret, set STRIPE_WEBHOOK_SECRET, or point --db at the database serve uses (no database at "
              + location
              + ")");
    }
    try (JdbcInboxStore store = StoreOpener.open(location, StoreOptions.defaults())) {
      Optional<String> stored = store.setting(StoreOpener.SECRET_SETTING);
      return stored.orElseThrow(
          () ->
              new SettingException(
                  "no signing secret: "
                      + location
                      + " has none stored; pass --secret or set STRIPE_WEBHOOK_SECRET"));
    }
  }
}
