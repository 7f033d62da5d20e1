package dev.stripeinbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripeinbox.StripeInbox;
import dev.stripeinbox.jdbc.JdbcInboxStore;
import dev.stripeinbox.server.http.InboxServer;
import dev.stripeinbox.server.http.ServerOptions;
import dev.stripeinbox.testkit.EventTemplates;
import dev.stripeinbox.testkit.RecordingHandler;
import dev.stripeinbox.testkit.Signer;
import dev.stripeinbox.testkit.TriggerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures the time from a client receiving its 200 to the handler starting, under light load
 * (about 100 events/s). It asserts correctness only (every event handled once); the figure is
 * printed and written to {@code target/handler-start-latency.txt}, since timing on a shared 2-core
 * machine is not something a unit test should pass or fail on.
 */
class HandlerStartLatencyTest {
  static final String SECRET = "whsec_latency_test_secret_0000000001";
  static final int EVENTS = 300;

  @TempDir Path dir;

  @Test
  void everyAcknowledgedEventIsHandledOnceAndTheStartLatencyIsReported() throws Exception {
    RecordingHandler handler = new RecordingHandler();
    try (JdbcInboxStore store = JdbcInboxStore.open(dir.resolve("inbox.db").toString())) {
      StripeInbox inbox =
          StripeInbox.builder().store(store).secrets(SECRET).on("timed", "*", handler).build();
      inbox.start();
      InboxServer server = new InboxServer(inbox, ServerOptions.defaults().withPort(0));
      server.start();
      try {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI url = URI.create("http://127.0.0.1:" + server.port() + "/webhook");
        Map<String, Long> ackedAt = new HashMap<>();
        long next = System.nanoTime();
        for (int i = 0; i < EVENTS; i++) {
          byte[] body =
              EventTemplates.build("payment_intent.succeeded", TriggerOptions.at(Instant.now()));
          HttpResponse<String> response =
              http.send(
                  HttpRequest.newBuilder(url)
                      .header(
                          "Stripe-Signature",
                          Signer.header(body, SECRET, Instant.now().getEpochSecond()))
                      .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          long acked = System.nanoTime();
          assertThat(response.statusCode()).isEqualTo(200);
          ackedAt.put(dev.stripeinbox.event.EnvelopeReader.read(body).id(), acked);
          next += 10_000_000; // 100 events per second
          long pause = next - System.nanoTime();
          if (pause > 0) {
            Thread.sleep(pause / 1_000_000, (int) (pause % 1_000_000));
          }
        }
        assertThat(handler.awaitCalls(EVENTS, Duration.ofSeconds(30))).isTrue();
        assertThat(handler.calls()).hasSize(EVENTS);
        long[] micros =
            handler.calls().stream()
                .mapToLong(c -> Math.max(0, c.startedNanos() - ackedAt.get(c.eventId())) / 1000)
                .sorted()
                .toArray();
        String report =
            String.format(
                "200 -> handler start over %d events at ~100/s: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                EVENTS,
                pct(micros, 50) / 1000.0,
                pct(micros, 90) / 1000.0,
                pct(micros, 99) / 1000.0,
                micros[micros.length - 1] / 1000.0);
        System.out.print(report);
        Files.writeString(Path.of("target", "handler-start-latency.txt"), report);
      } finally {
        server.close();
        inbox.close();
      }
    }
  }

  static long pct(long[] sorted, double p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
