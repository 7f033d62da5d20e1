package dev.stripeinbox.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stripeinbox.testkit.EventTemplates;
import dev.stripeinbox.testkit.Signer;
import dev.stripeinbox.testkit.TriggerOptions;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real server started with {@code --config}, its settings from the environment. */
class ServeWithConfigIT {
  private static final String SECRET = "whsec_serve_with_config_integration_1";

  @TempDir Path dir;

  @Test
  void theReadmeExampleTakesTheEndpointSecretFromStripeWebhookSecret() throws Exception {
    Path config = dir.resolve("stripe-inbox.yml");
    Files.writeString(
        config,
        """
        endpoints:
          - name: platform
            path: /webhook
            secrets: [${STRIPE_WEBHOOK_SECRET}]
        """);
    try (ServerProcess server =
        ServerProcess.startServe(
            dir,
            Map.of("STRIPE_WEBHOOK_SECRET", SECRET),
            List.of("--db", dir.resolve("inbox.db").toString(), "--config", config.toString()))) {
      byte[] body = EventTemplates.build("invoice.paid", TriggerOptions.at(Instant.now()));
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(server.webhookUrl())
                      .header("Stripe-Signature", Signer.header(body, SECRET, now()))
                      .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                      .build(),
                  HttpResponse.BodyHandlers.ofString(UTF_8));
      assertThat(response.statusCode()).as(server.log()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("{\"received\":true}");
    }
  }

  private static long now() {
    return Instant.now().getEpochSecond();
  }
}
