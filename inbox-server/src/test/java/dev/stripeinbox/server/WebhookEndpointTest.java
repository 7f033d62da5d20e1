package dev.stripeinbox.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stripeinbox.StripeInbox;
import dev.stripeinbox.jdbc.JdbcInboxStore;
import dev.stripeinbox.server.http.InboxServer;
import dev.stripeinbox.server.http.IpAllowlist;
import dev.stripeinbox.server.http.ServerOptions;
import dev.stripeinbox.testkit.Signer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code POST /webhook} over a real socket, into a real SQLite file. */
class WebhookEndpointTest {
  static final String SECRET = "whsec_current_secret_for_tests_0001";
  static final String OLD_SECRET = "whsec_previous_secret_for_tests_002";

  @TempDir Path dir;
  JdbcInboxStore store;
  StripeInbox inbox;
  InboxServer server;
  HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  URI url;

  @BeforeEach
  void start() throws Exception {
    store = JdbcInboxStore.open(dir.resolve("inbox.db").toString());
    inbox = StripeInbox.builder().store(store).secrets(SECRET, OLD_SECRET).build();
    server = new InboxServer(inbox, options());
    server.start();
    url = URI.create("http://127.0.0.1:" + server.port() + "/webhook");
  }

  /** Loopback, any free port, 1 MiB bodies, the default endpoint at {@code /webhook}. */
  static ServerOptions options() {
    return new ServerOptions(
        "127.0.0.1", 0, 1024 * 1024, Map.of("/webhook", "default"), Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    inbox.close();
    store.close();
  }

  static byte[] event(String id) {
    return ("{\n  \"id\": \""
            + id
            + "\",\n  \"object\": \"event\",\n  \"api_version\": \"2026-07-29.dahlia\",\n"
            + "  \"created\": 1764337000,\n  \"data\": {\n    \"object\": {\n      \"id\": \"pi_123\",\n"
            + "      \"object\": \"payment_intent\",\n      \"amount\": 2000\n    }\n  },\n"
            + "  \"livemode\": false,\n  \"pending_webhooks\": 1,\n"
            + "  \"request\": {\n    \"id\": null,\n    \"idempotency_key\": null\n  },\n"
            + "  \"type\": \"payment_intent.succeeded\"\n}")
        .getBytes(UTF_8);
  }

  static long now() {
    return System.currentTimeMillis() / 1000;
  }

  HttpResponse<String> post(byte[] body, String signature) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(url).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (signature != null) {
      request.header("Stripe-Signature", signature);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  int rows() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("inbox.db"));
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM events")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  void assertRejected(HttpResponse<String> response, int status, String code) throws Exception {
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.body()).startsWith("{\"error\":{\"code\":\"" + code + "\",\"message\":\"");
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(rows()).isZero();
  }

  @Test
  void validDeliveryIsStoredByteForByteAndAcknowledged() throws Exception {
    byte[] body = event("evt_valid");
    HttpResponse<String> response = post(body, Signer.header(body, SECRET, now()));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{\"received\":true}");
    assertThat(store.payload("evt_valid")).hasValueSatisfying(p -> assertThat(p).isEqualTo(body));
  }

  @Test
  void deliverySignedWithTheRotatedOutSecretIsAccepted() throws Exception {
    byte[] body = event("evt_rotated");
    assertThat(post(body, Signer.header(body, OLD_SECRET, now())).statusCode()).isEqualTo(200);
    assertThat(rows()).isEqualTo(1);
  }

  @Test
  void duplicateDeliveryIsAcknowledgedAndFlaggedButNotStoredTwice() throws Exception {
    byte[] body = event("evt_dup");
    post(body, Signer.header(body, SECRET, now()));
    HttpResponse<String> again = post(body, Signer.header(body, SECRET, now()));
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.body()).isEqualTo("{\"received\":true,\"duplicate\":true}");
    assertThat(rows()).isEqualTo(1);
  }

  @Test
  void v0OnlySignatureIsAMismatch() throws Exception {
    byte[] body = event("evt_v0");
    String v1 = Signer.header(body, SECRET, now());
    String v0only = v1.replace("v1=", "v0=");
    assertRejected(post(body, v0only), 400, "signature_mismatch");
  }

  @Test
  void tamperedBodyIsAMismatch() throws Exception {
    byte[] body = event("evt_tampered");
    String header = Signer.header(body, SECRET, now());
    byte[] tampered = new String(body, UTF_8).replace("2000", "1").getBytes(UTF_8);
    assertRejected(post(tampered, header), 400, "signature_mismatch");
  }

  @Test
  void reserialisedBodyIsAMismatch() throws Exception {
    byte[] body = event("evt_reserialised");
    String header = Signer.header(body, SECRET, now());
    byte[] compact = new String(body, UTF_8).replace("\n", "").replace("  ", "").getBytes(UTF_8);
    assertRejected(post(compact, header), 400, "signature_mismatch");
  }

  @Test
  void tooOldTimestampIsOutsideTolerance() throws Exception {
    byte[] body = event("evt_old");
    assertRejected(
        post(body, Signer.header(body, SECRET, now() - 301)), 400, "timestamp_outside_tolerance");
  }

  @Test
  void tooNewTimestampIsOutsideTolerance() throws Exception {
    byte[] body = event("evt_new");
    assertRejected(
        post(body, Signer.header(body, SECRET, now() + 360)), 400, "timestamp_outside_tolerance");
  }

  @Test
  void missingHeaderIsSignatureMissing() throws Exception {
    assertRejected(post(event("evt_missing"), null), 400, "signature_missing");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "v1=abc",
        "t=",
        "t=abc,v1=abc",
        "t=-5,v1=abc",
        "t=1,t=2,v1=abc",
        "t=1,v1",
        "t=1,,v1=abc",
        "t=1,v1=abc,",
        "=,="
      })
  void malformedHeaderIsSignatureMalformedNeverAServerError(String header) throws Exception {
    assertRejected(post(event("evt_malformed"), header), 400, "signature_malformed");
  }

  @ParameterizedTest
  @ValueSource(strings = {"t=1\u0001,v1=abc", "t=1,v1=\u00e9\u00e9", "t=\u00ff\u00fe"})
  void binaryHeaderIsAJsonClientErrorAndStoresNothing(String header) throws Exception {
    String answer = raw(event("evt_binary"), "Stripe-Signature: " + header + "\r\n");
    // The HTTP parser refuses control characters before the verifier sees them; other
    // non-ASCII bytes reach the verifier, which calls the header malformed.
    assertThat(answer).startsWith("HTTP/1.1 400 ");
    assertThat(answer)
        .containsPattern("\\{\"error\":\\{\"code\":\"(signature_malformed|request_malformed)\"");
    assertThat(answer).contains("Content-Type: application/json");
    assertThat(rows()).isZero();
  }

  /**
   * Posts {@code body} over a plain socket with {@code headers} (each line ending in CRLF) as
   * given, bytes above ASCII included, and returns the whole answer.
   */
  String raw(byte[] body, String headers) throws Exception {
    String head =
        "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Connection: close\r\nContent-Length: "
            + body.length
            + "\r\n";
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5000);
      var out = socket.getOutputStream();
      out.write(head.getBytes(UTF_8));
      out.write(headers.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      out.write("\r\n".getBytes(UTF_8));
      out.write(body);
      out.flush();
      return new String(socket.getInputStream().readAllBytes(), UTF_8);
    }
  }

  @Test
  void everyForwardedForLineCountsSoAClientCannotPutAnAllowedAddressFirst() throws Exception {
    server.close();
    server =
        new InboxServer(
            inbox, options().withAllowlist(IpAllowlist.parse("3.18.12.63", "127.0.0.1")));
    server.start();
    byte[] body = event("evt_forwarded");
    String signature = "Stripe-Signature: " + Signer.header(body, SECRET, now()) + "\r\n";

    // The client sent the first line; the trusted proxy added the second, with the real peer.
    String spoofed =
        raw(
            body,
            signature + "X-Forwarded-For: 3.18.12.63\r\n" + "X-Forwarded-For: 198.51.100.7\r\n");
    assertThat(spoofed).startsWith("HTTP/1.1 403 ").contains("\"code\":\"ip_not_allowed\"");
    assertThat(rows()).isZero();

    String allowed =
        raw(
            body,
            signature + "X-Forwarded-For: 198.51.100.7\r\n" + "X-Forwarded-For: 3.18.12.63\r\n");
    assertThat(allowed).startsWith("HTTP/1.1 200 ");
    assertThat(rows()).isEqualTo(1);
  }

  @Test
  void hugeHeaderIsMalformed() throws Exception {
    String header = "t=" + now() + ",v1=" + "a".repeat(7000) + ",v0=" + "b".repeat(1500);
    assertRejected(post(event("evt_huge"), header), 400, "signature_malformed");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "not json",
        "[]",
        "{\"id\":\"evt_1\"}",
        "{\"type\":\"x\"}",
        "{\"id\":1,\"type\":\"x\"}",
        "{\"id\":\"evt_1\",\"type\":\"a\"} trailing",
        "{\"id\":\"evt_1\",\"type\":\"a\",\"created\":9300000000000000}",
        "{\"id\":\"evt_1\",\"type\":\"a\",\"created\":\"+300000000-01-01T00:00:00Z\"}"
      })
  void signedBodyThatIsNotAnEventIsPayloadInvalid(String text) throws Exception {
    byte[] body = text.getBytes(UTF_8);
    assertRejected(post(body, Signer.header(body, SECRET, now())), 400, "payload_invalid");
  }

  @Test
  void bodyOverTheLimitIs413() throws Exception {
    byte[] body = new byte[1024 * 1024 + 1];
    assertRejected(post(body, Signer.header(body, SECRET, now())), 413, "payload_too_large");
  }

  @Test
  void chunkedBodyOverTheLimitIs413AndStoresNothing() throws Exception {
    byte[] event = event("evt_chunked_large");
    byte[] body = new byte[2 * 1024 * 1024];
    java.util.Arrays.fill(body, (byte) ' ');
    System.arraycopy(event, 0, body, 0, event.length);
    String answer = chunked(body, "Stripe-Signature: " + Signer.header(body, SECRET, now()));
    assertThat(answer).startsWith("HTTP/1.1 413 ");
    assertThat(answer).contains("{\"error\":{\"code\":\"payload_too_large\"");
    assertThat(answer).contains("Content-Type: application/json");
    assertThat(rows()).isZero();
  }

  @Test
  void chunkedBodyWithinTheLimitIsStored() throws Exception {
    byte[] body = event("evt_chunked_small");
    String answer = chunked(body, "Stripe-Signature: " + Signer.header(body, SECRET, now()));
    assertThat(answer).startsWith("HTTP/1.1 200 ").endsWith("{\"received\":true}");
    assertThat(store.payload("evt_chunked_small"))
        .hasValueSatisfying(p -> assertThat(p).isEqualTo(body));
  }

  /**
   * Posts {@code body} with {@code Transfer-Encoding: chunked} in 64 KiB chunks over a plain
   * socket, and returns the whole answer. Writing stops quietly if the server answers and closes
   * before the body is all sent, as it may for a body over the limit.
   */
  String chunked(byte[] body, String header) throws Exception {
    String head =
        "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Connection: close\r\nTransfer-Encoding: chunked\r\n"
            + header
            + "\r\n\r\n";
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5000);
      var out = socket.getOutputStream();
      try {
        out.write(head.getBytes(UTF_8));
        for (int at = 0; at < body.length; at += 64 * 1024) {
          int size = Math.min(64 * 1024, body.length - at);
          out.write((Integer.toHexString(size) + "\r\n").getBytes(UTF_8));
          out.write(body, at, size);
          out.write("\r\n".getBytes(UTF_8));
        }
        out.write("0\r\n\r\n".getBytes(UTF_8));
        out.flush();
      } catch (java.net.SocketException closedEarly) {
        // The answer is already on its way; read it below.
      }
      return new String(socket.getInputStream().readAllBytes(), UTF_8);
    }
  }

  @Test
  void otherMethodsOnTheWebhookPathAre405() throws Exception {
    HttpResponse<String> get =
        http.send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("Allow")).hasValue("POST");
    HttpResponse<String> put =
        http.send(
            HttpRequest.newBuilder(url).PUT(HttpRequest.BodyPublishers.ofString("{}")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).isEqualTo(405);
  }

  @Test
  void healthAndReadinessAnswer() throws Exception {
    URI base = URI.create("http://127.0.0.1:" + server.port());
    assertThat(get(base.resolve("/healthz")).statusCode()).isEqualTo(200);
    assertThat(get(base.resolve("/readyz")).statusCode()).isEqualTo(200);
    assertThat(get(base.resolve("/nope")).statusCode()).isEqualTo(404);
  }

  @Test
  void readinessIs503OnceTheStoreIsClosed() throws Exception {
    store.close();
    assertThat(get(URI.create("http://127.0.0.1:" + server.port() + "/readyz")).statusCode())
        .isEqualTo(503);
  }

  @Test
  void deliveryAfterTheStoreClosedIs503StorageUnavailable() throws Exception {
    store.close();
    byte[] body = event("evt_closed");
    HttpResponse<String> response = post(body, Signer.header(body, SECRET, now()));
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).contains("\"storage_unavailable\"");
  }

  HttpResponse<String> get(URI uri) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void twoHundredConcurrentDeliveriesOfAHundredEventsStoreExactlyAHundredRows() throws Exception {
    List<byte[]> bodies = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      byte[] body = event("evt_concurrent_" + i);
      bodies.add(body);
      bodies.add(body);
    }
    Collections.shuffle(bodies);
    ExecutorService pool = Executors.newFixedThreadPool(32);
    try {
      List<Future<HttpResponse<String>>> answers = new ArrayList<>();
      for (byte[] body : bodies) {
        Callable<HttpResponse<String>> send = () -> post(body, Signer.header(body, SECRET, now()));
        answers.add(pool.submit(send));
      }
      int duplicates = 0;
      for (Future<HttpResponse<String>> answer : answers) {
        HttpResponse<String> response = answer.get();
        assertThat(response.statusCode()).isEqualTo(200);
        if (response.body().contains("\"duplicate\":true")) {
          duplicates++;
        }
      }
      assertThat(duplicates).isEqualTo(100);
      assertThat(rows()).isEqualTo(100);
    } finally {
      pool.shutdownNow();
    }
  }
}
