package dev.stripeinbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripeinbox.StripeInbox;
import dev.stripeinbox.jdbc.JdbcInboxStore;
import dev.stripeinbox.server.config.ConfigFile;
import dev.stripeinbox.server.config.InboxConfig;
import dev.stripeinbox.server.http.InboxServer;
import dev.stripeinbox.server.http.ServerOptions;
import dev.stripeinbox.testkit.EventTemplates;
import dev.stripeinbox.testkit.Signer;
import dev.stripeinbox.testkit.TriggerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A platform and a Connect endpoint side by side, from a config file, each with its secret. */
class TwoEndpointsTest {
  static final String PLATFORM = "whsec_platform_endpoint_secret_00001";
  static final String CONNECT = "whsec_connect_endpoint_secret_000001";

  @TempDir Path dir;

  @Test
  void eachPathAcceptsOnlyItsOwnSecret() throws Exception {
    Path file = dir.resolve("stripe-inbox.yml");
    Files.writeString(
        file,
        """
        endpoints:
          - name: platform
            path: /webhook
            secrets: [${PLATFORM_SECRET}]
          - name: connect
            path: /webhook/connect
            secrets: [${CONNECT_SECRET}]
            types: ["payment_intent.*", "account.*"]
        """);
    InboxConfig config =
        ConfigFile.load(file, Map.of("PLATFORM_SECRET", PLATFORM, "CONNECT_SECRET", CONNECT));
    try (JdbcInboxStore store = JdbcInboxStore.open(dir.resolve("inbox.db").toString())) {
      StripeInbox.Builder builder = StripeInbox.builder().store(store);
      config.endpoints(Clock.systemUTC()).forEach(builder::endpoint);
      StripeInbox inbox = builder.build();
      InboxServer server =
          new InboxServer(
              inbox, ServerOptions.defaults().withPort(0).withWebhookPaths(config.webhookPaths()));
      server.start();
      try {
        String base = "http://127.0.0.1:" + server.port();
        byte[] connectEvent =
            EventTemplates.build(
                "payment_intent.succeeded",
                TriggerOptions.at(Instant.now()).withAccount("acct_1Connected"));
        byte[] platformEvent =
            EventTemplates.build("invoice.paid", TriggerOptions.at(Instant.now()));

        assertThat(post(base + "/webhook/connect", connectEvent, PLATFORM))
            .as("a Connect event signed with the platform secret")
            .startsWith("400 ")
            .contains("signature_mismatch");
        assertThat(post(base + "/webhook", platformEvent, CONNECT))
            .as("a platform event signed with the Connect secret")
            .startsWith("400 ")
            .contains("signature_mismatch");
        assertThat(post(base + "/webhook/connect", connectEvent, CONNECT))
            .isEqualTo("200 {\"received\":true}");
        assertThat(post(base + "/webhook", platformEvent, PLATFORM))
            .isEqualTo("200 {\"received\":true}");
        assertThat(post(base + "/webhook/connect", platformEvent, CONNECT))
            .as("a type the Connect endpoint does not store")
            .isEqualTo("200 {\"received\":true,\"ignored\":true}");

        String connectId = dev.stripeinbox.event.EnvelopeReader.read(connectEvent).id();
        assertThat(store.find(connectId).orElseThrow().endpoint()).isEqualTo("connect");
        assertThat(store.find(connectId).orElseThrow().envelope().account())
            .isEqualTo("acct_1Connected");
      } finally {
        server.close();
        inbox.close();
      }
    }
  }

  static String post(String url, byte[] body, String secret) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url))
                    .header(
                        "Stripe-Signature",
                        Signer.header(body, secret, Instant.now().getEpochSecond()))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return response.statusCode() + " " + response.body();
  }
}
