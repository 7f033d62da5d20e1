package dev.stripeinbox.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripeinbox.testkit.EventTemplates;
import dev.stripeinbox.testkit.Signer;
import dev.stripeinbox.testkit.TriggerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExampleAppTest {
  static final String SECRET = "whsec_example_app_test_secret_00001";

  @TempDir Path dir;

  @Test
  void exampleHandlersFulfilOrdersAndRecordPaidInvoicesOnce() throws Exception {
    try (ExampleApp app = new ExampleApp(SECRET, dir.resolve("example.db").toString(), 0)) {
      HttpClient http = HttpClient.newHttpClient();
      URI url = URI.create("http://127.0.0.1:" + app.port() + "/webhook");
      byte[] checkout =
          EventTemplates.build("checkout.session.completed", TriggerOptions.at(Instant.now()));
      byte[] invoice = EventTemplates.build("invoice.paid", TriggerOptions.at(Instant.now()));
      for (byte[] body : new byte[][] {checkout, invoice, checkout}) {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(url)
                    .header(
                        "Stripe-Signature",
                        Signer.header(body, SECRET, Instant.now().getEpochSecond()))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
      }
      long deadline = System.nanoTime() + 10_000_000_000L;
      while ((app.fulfilled.isEmpty() || app.paidInvoices.isEmpty())
          && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(app.fulfilled).hasSize(1);
      assertThat(app.paidInvoices).hasSize(1).allMatch(id -> id.startsWith("in_"));
    }
  }
}
