package dev.stripeinbox.bench;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.stripeinbox.testkit.Signer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

class SinkServerTest {
  static final String SECRET = "whsec_sink_test_secret_0000000000001";

  @Test
  void countsVerifiedDeliveriesAndDistinctIdsOverRealHttp() throws Exception {
    Server server = JettyBench.start("127.0.0.1", 0, new SinkServer.Sink(SECRET));
    try {
      int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      URI sink = URI.create("http://127.0.0.1:" + port + "/sink");
      byte[] body = "{\"id\":\"evt_1\",\"type\":\"invoice.paid\"}".getBytes(UTF_8);
      long now = Instant.now().getEpochSecond();
      assertThat(post(http, sink, body, Signer.header(body, SECRET, now), "evt_1")).isEqualTo(200);
      assertThat(post(http, sink, body, Signer.header(body, SECRET, now), "evt_1")).isEqualTo(200);
      assertThat(post(http, sink, body, Signer.header(body, SECRET, now), "evt_2")).isEqualTo(200);
      String wrong = Signer.header(body, "whsec_another_secret_000000000000", now);
      assertThat(post(http, sink, body, wrong, "evt_3")).isEqualTo(400);

      JsonObject stats = stats(http, port);
      assertThat(stats.get("deliveries").getAsLong()).isEqualTo(3);
      assertThat(stats.get("distinct").getAsLong()).isEqualTo(2);
      assertThat(stats.get("bad_signature").getAsLong()).isEqualTo(1);
      double first = stats.get("first_ms").getAsDouble();
      assertThat(stats.get("last_ms").getAsDouble()).isGreaterThanOrEqualTo(first);
      assertThat(stats.get("now_ms").getAsDouble())
          .isGreaterThanOrEqualTo(stats.get("last_ms").getAsDouble());

      http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/reset"))
              .POST(HttpRequest.BodyPublishers.noBody())
              .build(),
          HttpResponse.BodyHandlers.discarding());
      stats = stats(http, port);
      assertThat(stats.get("deliveries").getAsLong()).isZero();
      assertThat(stats.get("first_ms").isJsonNull()).isTrue();
    } finally {
      server.stop();
    }
  }

  static int post(HttpClient http, URI url, byte[] body, String signature, String id)
      throws Exception {
    return http.send(
            HttpRequest.newBuilder(url)
                .header("Stripe-Signature", signature)
                .header("Stripe-Inbox-Event-Id", id)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  static JsonObject stats(HttpClient http, int port) throws Exception {
    String json =
        http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/stats")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return JsonParser.parseString(json).getAsJsonObject();
  }
}
