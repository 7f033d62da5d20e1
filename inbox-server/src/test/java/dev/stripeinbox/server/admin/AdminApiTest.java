package dev.stripeinbox.server.admin;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.stripeinbox.StripeInbox;
import dev.stripeinbox.event.EnvelopeReader;
import dev.stripeinbox.inbox.ClaimedJob;
import dev.stripeinbox.inbox.JobState;
import dev.stripeinbox.inbox.NewEvent;
import dev.stripeinbox.jdbc.JdbcInboxStore;
import dev.stripeinbox.server.http.InboxServer;
import dev.stripeinbox.server.http.ServerOptions;
import dev.stripeinbox.testkit.SettableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The admin API over a real socket, on a real SQLite file. The inbox's workers are not started: the
 * tests put jobs into the states they need through the store, so every state is exact.
 *
 * <p>One server serves the whole class and each test mounts a fresh API on a fresh database:
 * starting and gracefully stopping Jetty for every test would dominate the run time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiTest {
  static final String TOKEN = "admin-token-for-tests-0001";
  static final String SECRET = "whsec_admin_api_tests_secret_0001";
  static final Instant T0 = Instant.parse("2026-11-10T12:00:00Z");
  static final Set<String> EVENT_FIELDS =
      Set.of(
          "id", "type", "created", "livemode", "account", "api_version", "received_at", "status");
  static final Set<String> JOB_FIELDS =
      Set.of("subscriber", "status", "attempts", "last_error", "next_attempt_at", "finished_at");

  @TempDir static Path dir;
  HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  JdbcInboxStore serverStore;
  StripeInbox inbox;
  InboxServer api;
  volatile AdminApi mounted;
  int databases;

  // Fresh for each test:
  SettableClock clock;
  AtomicInteger wakes;
  JdbcInboxStore store;
  InboxServer off;

  @BeforeAll
  void startServer() throws Exception {
    serverStore = JdbcInboxStore.open(dir.resolve("server.db").toString());
    inbox = StripeInbox.builder().store(serverStore).secrets(SECRET).build();
    api = server((request, response, callback) -> mounted.handle(request, response, callback));
  }

  @BeforeEach
  void mountFreshApi() {
    clock = new SettableClock(T0.plus(Duration.ofHours(1)));
    wakes = new AtomicInteger();
    store = JdbcInboxStore.open(dir.resolve("inbox-" + ++databases + ".db").toString());
    mounted = new AdminApi(store, Optional.of(TOKEN), clock, wakes::incrementAndGet);
  }

  InboxServer server(InboxServer.Route route) throws Exception {
    InboxServer server =
        new InboxServer(
                inbox,
                new ServerOptions(
                    "127.0.0.1",
                    0,
                    1024 * 1024,
                    Map.of("/webhook", "default"),
                    Duration.ofSeconds(5)))
            .route(AdminApi.PREFIX, route);
    server.start();
    return server;
  }

  @AfterEach
  void closeDatabase() throws Exception {
    if (off != null) {
      off.close();
      off = null;
    }
    store.close();
  }

  @AfterAll
  void stopServer() throws Exception {
    api.close();
    inbox.close();
    serverStore.close();
  }

  // ---------------------------------------------------------------- fixtures

  static byte[] event(String id, String type, String account) {
    return ("{\n  \"id\": \""
            + id
            + "\",\n  \"object\": \"event\",\n  \"api_version\": \"2026-07-29.dahlia\",\n"
            + "  \"created\": 1764337000,\n"
            + (account == null ? "" : "  \"account\": \"" + account + "\",\n")
            + "  \"data\": {\n    \"object\": {\n      \"id\": \"obj_123\",\n"
            + "      \"object\": \"thing\",\n      \"note\": \"caf\u00e9 \\u00e9 \\\"q\\\"\"\n"
            + "    }\n  },\n  \"livemode\": false,\n  \"pending_webhooks\": 1,\n"
            + "  \"type\": \""
            + type
            + "\"\n}")
        .getBytes(UTF_8);
  }

  void append(String id, String type, Instant receivedAt, String account, String... subscribers) {
    byte[] body = event(id, type, account);
    store
        .append(
            new NewEvent(
                EnvelopeReader.read(body), body, "default", receivedAt, List.of(subscribers)))
        .join();
  }

  /**
   * Claims every due job and finishes it as {@code outcomes} says, by "event/subscriber". Jobs it
   * does not name would stay running, so name them all.
   */
  void settle(Map<String, JobState> outcomes) {
    Instant now = clock.instant();
    for (ClaimedJob job : store.claim("test", 1000, now, Duration.ofMinutes(5))) {
      JobState outcome = outcomes.get(job.envelope().id() + "/" + job.subscriber());
      switch (outcome) {
        case SUCCEEDED -> store.succeed(job.jobId(), "test", now);
        case DEAD -> store.fail(job.jobId(), "test", "boom: it broke", now, Optional.empty());
        case RETRYING ->
            store.fail(
                job.jobId(), "test", "try later", now, Optional.of(now.plus(Duration.ofHours(1))));
        default -> throw new IllegalArgumentException(job.envelope().id() + "/" + job.subscriber());
      }
    }
  }

  /**
   * Five events: processed, dead (two jobs, one dead), retrying, pending, and dead again, received
   * one second apart.
   */
  void seed() {
    append("evt_1", "payment_intent.succeeded", T0, null, "fulfil", "audit");
    append("evt_2", "invoice.paid", T0.plusSeconds(1), "acct_1", "billing", "audit");
    append("evt_3", "invoice.payment_failed", T0.plusSeconds(2), null, "billing");
    append("evt_5", "invoice.paid", T0.plusSeconds(4), null, "billing");
    Map<String, JobState> outcomes = new HashMap<>();
    outcomes.put("evt_1/fulfil", JobState.SUCCEEDED);
    outcomes.put("evt_1/audit", JobState.SUCCEEDED);
    outcomes.put("evt_2/billing", JobState.DEAD);
    outcomes.put("evt_2/audit", JobState.SUCCEEDED);
    outcomes.put("evt_3/billing", JobState.RETRYING);
    outcomes.put("evt_5/billing", JobState.DEAD);
    settle(outcomes);
    // Appended after the claims, so its job stays pending.
    append("evt_4", "customer.created", T0.plusSeconds(3), null, "audit");
  }

  // ---------------------------------------------------------------- HTTP

  HttpResponse<String> send(
      InboxServer server, String method, String path, String body, String auth) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (auth != null) {
      request.header("Authorization", auth);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path) throws Exception {
    return send(api, "GET", path, null, "Bearer " + TOKEN);
  }

  HttpResponse<String> post(String path, String body) throws Exception {
    return send(api, "POST", path, body, "Bearer " + TOKEN);
  }

  static JsonObject json(HttpResponse<String> response) {
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  static JsonObject ok(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return json(response);
  }

  static void assertError(HttpResponse<String> response, int status, String code) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonObject error = json(response).getAsJsonObject("error");
    assertThat(error.get("code").getAsString()).isEqualTo(code);
    assertThat(error.get("message").getAsString()).isNotBlank();
  }

  static List<String> ids(JsonObject list) {
    List<String> ids = new ArrayList<>();
    for (JsonElement item : list.getAsJsonArray("data")) {
      ids.add(item.getAsJsonObject().get("id").getAsString());
    }
    return ids;
  }

  JobState jobState(String eventId, String subscriber) {
    return store.find(eventId).orElseThrow().jobs().stream()
        .filter(j -> j.subscriber().equals(subscriber))
        .findFirst()
        .orElseThrow()
        .state();
  }

  // ---------------------------------------------------------------- authentication

  @Test
  void everyApiPathIs404WhenNoTokenIsConfigured() throws Exception {
    off = server(new AdminApi(store, Optional.empty(), clock, wakes::incrementAndGet));
    seed();
    for (String path : List.of("/api/events", "/api/events/evt_1", "/api/events/evt_1/payload")) {
      assertError(send(off, "GET", path, null, null), 404, "not_found");
      assertError(send(off, "GET", path, null, "Bearer " + TOKEN), 404, "not_found");
    }
    assertError(
        send(off, "POST", "/api/replay", "{\"status\":\"dead\"}", "Bearer " + TOKEN),
        404,
        "not_found");
    assertThat(jobState("evt_2", "billing")).isEqualTo(JobState.DEAD);
  }

  @Test
  void requestWithoutTheTokenIs401WithABearerChallengeOnEveryPath() throws Exception {
    for (String path : List.of("/api/events", "/api/events/evt_1", "/api/no-such-route")) {
      HttpResponse<String> response = send(api, "GET", path, null, null);
      assertError(response, 401, "unauthorized");
      assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    }
    assertError(
        send(api, "POST", "/api/replay", "{\"status\":\"dead\"}", null), 401, "unauthorized");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Bearer wrong-token",
        "Bearer admin-token-for-tests-0001x",
        "Bearer admin-token-for-tests-000",
        "Bearer ",
        "Bearer",
        "Basic YWRtaW46YWRtaW4=",
        "admin-token-for-tests-0001",
        "Token admin-token-for-tests-0001"
      })
  void requestWithAWrongTokenIs401(String authorization) throws Exception {
    HttpResponse<String> response = send(api, "GET", "/api/events", null, authorization);
    assertError(response, 401, "unauthorized");
    assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
  }

  @Test
  void bearerSchemeIsCaseInsensitive() throws Exception {
    ok(send(api, "GET", "/api/events", null, "bearer " + TOKEN));
  }

  @Test
  void blankTokenIsRefusedAtConstruction() {
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class,
        () -> new AdminApi(store, Optional.of("  "), clock, () -> {}));
  }

  // ---------------------------------------------------------------- listing

  @Test
  void listShowsEveryEventNewestFirstWithTheContractFields() throws Exception {
    seed();
    JsonObject list = ok(get("/api/events"));
    assertThat(list.keySet()).containsExactlyInAnyOrder("data", "has_more");
    assertThat(list.get("has_more").getAsBoolean()).isFalse();
    assertThat(ids(list)).containsExactly("evt_5", "evt_4", "evt_3", "evt_2", "evt_1");
    for (JsonElement item : list.getAsJsonArray("data")) {
      assertThat(item.getAsJsonObject().keySet()).isEqualTo(EVENT_FIELDS);
    }
    JsonObject evt2 = list.getAsJsonArray("data").get(3).getAsJsonObject();
    assertThat(evt2.get("type").getAsString()).isEqualTo("invoice.paid");
    assertThat(evt2.get("created").getAsJsonPrimitive().isNumber()).isTrue();
    assertThat(evt2.get("created").getAsLong()).isEqualTo(1764337000L);
    assertThat(evt2.get("livemode").getAsBoolean()).isFalse();
    assertThat(evt2.get("account").getAsString()).isEqualTo("acct_1");
    assertThat(evt2.get("api_version").getAsString()).isEqualTo("2026-07-29.dahlia");
    assertThat(Instant.parse(evt2.get("received_at").getAsString())).isEqualTo(T0.plusSeconds(1));
    assertThat(evt2.get("status").getAsString()).isEqualTo("dead");
    JsonObject evt1 = list.getAsJsonArray("data").get(4).getAsJsonObject();
    assertThat(evt1.get("account").isJsonNull()).isTrue();
    assertThat(evt1.get("status").getAsString()).isEqualTo("processed");
  }

  @Test
  void listFiltersByStatusExactTypeAndTypePrefix() throws Exception {
    seed();
    assertThat(ids(ok(get("/api/events?status=dead")))).containsExactly("evt_5", "evt_2");
    assertThat(ids(ok(get("/api/events?status=retrying")))).containsExactly("evt_3");
    assertThat(ids(ok(get("/api/events?status=pending")))).containsExactly("evt_4");
    assertThat(ids(ok(get("/api/events?status=processed")))).containsExactly("evt_1");
    assertThat(ids(ok(get("/api/events?type=invoice.*"))))
        .containsExactly("evt_5", "evt_3", "evt_2");
    assertThat(ids(ok(get("/api/events?type=invoice.paid")))).containsExactly("evt_5", "evt_2");
    assertThat(ids(ok(get("/api/events?type=invoice.paid&status=dead&limit=1"))))
        .containsExactly("evt_5");
    assertThat(ids(ok(get("/api/events?type=*&status=&before=")))).hasSize(5);
  }

  @Test
  void limitCutsThePageAndSaysThereIsMore() throws Exception {
    seed();
    JsonObject page = ok(get("/api/events?limit=2"));
    assertThat(ids(page)).containsExactly("evt_5", "evt_4");
    assertThat(page.get("has_more").getAsBoolean()).isTrue();
    JsonObject all = ok(get("/api/events?limit=5"));
    assertThat(all.get("has_more").getAsBoolean()).isFalse();
  }

  @Test
  void pagingWithBeforeVisitsEveryEventOnceEvenAcrossASharedMillisecond() throws Exception {
    // Two events share a millisecond exactly where the first page of three would end.
    append("evt_a", "customer.created", T0.plusMillis(5), null);
    append("evt_b", "customer.created", T0.plusMillis(4), null);
    append("evt_c1", "customer.created", T0.plusMillis(3), null);
    append("evt_c2", "customer.created", T0.plusMillis(3), null);
    append("evt_d", "customer.created", T0.plusMillis(2), null);
    append("evt_e", "customer.created", T0.plusMillis(1), null);
    append("evt_f", "customer.created", T0, null);

    List<String> seen = new ArrayList<>();
    String before = null;
    for (int pages = 0; pages < 10; pages++) {
      JsonObject page =
          ok(get("/api/events?limit=3" + (before == null ? "" : "&before=" + before)));
      JsonArray data = page.getAsJsonArray("data");
      seen.addAll(ids(page));
      if (!page.get("has_more").getAsBoolean()) {
        break;
      }
      before = data.get(data.size() - 1).getAsJsonObject().get("received_at").getAsString();
    }
    assertThat(seen)
        .containsExactly("evt_a", "evt_b", "evt_c2", "evt_c1", "evt_d", "evt_e", "evt_f");
  }

  @Test
  void pagingFromTheLastIdVisitsEveryEventOnceEvenWhenAWholePageIsOneMillisecond()
      throws Exception {
    // Five events in one millisecond, paged three at a time: the received_at cursor would keep the
    // page made of that millisecond whole, then skip the rest of it.
    for (String id : List.of("evt_m1", "evt_m2", "evt_m3", "evt_m4", "evt_m5")) {
      append(id, "customer.created", T0.plusMillis(7), null);
    }
    append("evt_later", "customer.created", T0.plusMillis(8), null);
    append("evt_earlier", "customer.created", T0.plusMillis(6), null);

    List<String> seen = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    String before = null;
    for (int pages = 0; pages < 10; pages++) {
      JsonObject page =
          ok(get("/api/events?limit=3" + (before == null ? "" : "&before=" + before)));
      seen.addAll(ids(page));
      sizes.add(ids(page).size());
      if (!page.get("has_more").getAsBoolean()) {
        break;
      }
      before = ids(page).get(ids(page).size() - 1);
    }
    assertThat(seen)
        .containsExactly(
            "evt_later", "evt_m5", "evt_m4", "evt_m3", "evt_m2", "evt_m1", "evt_earlier");
    // The first page ends before the shared millisecond; the second is all of it and kept whole;
    // the third resumes inside it, after the second page's last id.
    assertThat(sizes).containsExactly(1, 3, 3);
  }

  @Test
  void beforeAnIdKeepsTheOtherFilters() throws Exception {
    seed();
    assertThat(ids(ok(get("/api/events?type=invoice.*&before=evt_5"))))
        .containsExactly("evt_3", "evt_2");
    assertThat(ids(ok(get("/api/events?status=dead&before=evt_5")))).containsExactly("evt_2");
    assertThat(ids(ok(get("/api/events?before=evt_1")))).isEmpty();
  }

  @Test
  void beforeAnUnknownIdIs400() throws Exception {
    seed();
    HttpResponse<String> response = get("/api/events?before=evt_gone");
    assertError(response, 400, "invalid_request");
    assertThat(json(response).getAsJsonObject("error").get("message").getAsString())
        .isEqualTo(
            "before: \"evt_gone\" is not the id of a stored event, an instant such as"
                + " 2026-11-01T12:00:00Z, or a date such as 2026-11-01");
  }

  @Test
  void beforeAcceptsAnInstantOrADate() throws Exception {
    seed();
    assertThat(ids(ok(get("/api/events?before=2026-11-10T12:00:02Z"))))
        .containsExactly("evt_2", "evt_1");
    assertThat(ids(ok(get("/api/events?before=2026-11-10")))).isEmpty();
    assertThat(ids(ok(get("/api/events?before=2026-11-11")))).hasSize(5);
  }

  @ParameterizedTest
  @CsvSource({
    "status=nope, status",
    "status=PENDING, status",
    "limit=0, limit",
    "limit=501, limit",
    "limit=-3, limit",
    "limit=ten, limit",
    "limit=99999999999, limit",
    "before=yesterday, before",
    "before=2026-13-01, before",
    "before=%2B999999999-01-01T00:00:00Z, before",
    "type=in*voice, type",
    "type=invoice.*.x, type",
    "type=a%20b, type",
    "colour=red, colour",
    "limit=5&limit=6, limit"
  })
  void badQueryValueIs400NamingTheParameter(String query, String param) throws Exception {
    HttpResponse<String> response = get("/api/events?" + query);
    assertError(response, 400, "invalid_request");
    JsonObject error = json(response).getAsJsonObject("error");
    assertThat(error.get("param").getAsString()).isEqualTo(param);
    assertThat(error.get("message").getAsString()).contains(param);
  }

  @Test
  void malformedQueryEncodingIs400() throws Exception {
    String request =
        "GET /api/events?type=%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
            + TOKEN
            + "\r\nConnection: close\r\n\r\n";
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", api.port())) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(request.getBytes(UTF_8));
      String answer = new String(socket.getInputStream().readAllBytes(), UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 400 ");
      assertThat(answer).contains("Content-Type: application/json");
      assertThat(answer).contains("\"code\":\"");
    }
  }

  // ---------------------------------------------------------------- one event

  @Test
  void showReturnsTheEventWithEachSubscribersJob() throws Exception {
    seed();
    JsonObject event = ok(get("/api/events/evt_2"));
    Set<String> fields = new java.util.HashSet<>(EVENT_FIELDS);
    fields.add("jobs");
    assertThat(event.keySet()).isEqualTo(fields);
    assertThat(event.get("id").getAsString()).isEqualTo("evt_2");
    assertThat(event.get("created").getAsLong()).isEqualTo(1764337000L);
    assertThat(event.get("status").getAsString()).isEqualTo("dead");

    JsonArray jobs = event.getAsJsonArray("jobs");
    assertThat(jobs).hasSize(2);
    JsonObject audit = jobs.get(0).getAsJsonObject();
    JsonObject billing = jobs.get(1).getAsJsonObject();
    assertThat(audit.keySet()).isEqualTo(JOB_FIELDS);
    assertThat(billing.keySet()).isEqualTo(JOB_FIELDS);
    assertThat(audit.get("subscriber").getAsString()).isEqualTo("audit");
    assertThat(audit.get("status").getAsString()).isEqualTo("succeeded");
    assertThat(audit.get("attempts").getAsInt()).isEqualTo(1);
    assertThat(audit.get("last_error").isJsonNull()).isTrue();
    assertThat(audit.get("next_attempt_at").isJsonNull()).isTrue();
    assertThat(Instant.parse(audit.get("finished_at").getAsString())).isEqualTo(clock.instant());
    assertThat(billing.get("subscriber").getAsString()).isEqualTo("billing");
    assertThat(billing.get("status").getAsString()).isEqualTo("dead");
    assertThat(billing.get("last_error").getAsString()).contains("boom");
    assertThat(Instant.parse(billing.get("finished_at").getAsString())).isEqualTo(clock.instant());

    JsonObject retrying =
        ok(get("/api/events/evt_3")).getAsJsonArray("jobs").get(0).getAsJsonObject();
    assertThat(retrying.get("status").getAsString()).isEqualTo("retrying");
    assertThat(Instant.parse(retrying.get("next_attempt_at").getAsString()))
        .isEqualTo(clock.instant().plus(Duration.ofHours(1)));
    assertThat(retrying.get("finished_at").isJsonNull()).isTrue();

    JsonObject pending =
        ok(get("/api/events/evt_4")).getAsJsonArray("jobs").get(0).getAsJsonObject();
    assertThat(pending.get("status").getAsString()).isEqualTo("pending");
    assertThat(pending.get("attempts").getAsInt()).isZero();
  }

  @Test
  void unknownEventIs404OnEveryEventRoute() throws Exception {
    assertError(get("/api/events/evt_missing"), 404, "not_found");
    assertError(get("/api/events/evt_missing/payload"), 404, "not_found");
    assertError(post("/api/events/evt_missing/replay", null), 404, "not_found");
    assertThat(wakes).hasValue(0);
  }

  @Test
  void payloadIsTheExactStoredBytes() throws Exception {
    seed();
    HttpResponse<byte[]> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + api.port() + "/api/events/evt_2/payload"))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(response.body()).isEqualTo(event("evt_2", "invoice.paid", "acct_1"));
  }

  // ---------------------------------------------------------------- replay

  @Test
  void replayByIdRequeuesTheEventsFinishedJobsAndWakesTheWorkers() throws Exception {
    seed();
    JsonObject answer = ok(post("/api/events/evt_2/replay", null));
    assertThat(answer.keySet()).containsExactly("replayed_jobs");
    assertThat(answer.get("replayed_jobs").getAsInt()).isEqualTo(2);
    assertThat(jobState("evt_2", "billing")).isEqualTo(JobState.PENDING);
    assertThat(jobState("evt_2", "audit")).isEqualTo(JobState.PENDING);
    assertThat(jobState("evt_5", "billing")).isEqualTo(JobState.DEAD);
    assertThat(wakes).hasValue(1);
    JsonObject shown = ok(get("/api/events/evt_2"));
    assertThat(shown.get("status").getAsString()).isEqualTo("pending");
    assertThat(shown.getAsJsonArray("jobs").get(1).getAsJsonObject().get("attempts").getAsInt())
        .isZero();
  }

  @Test
  void replayOfAnEventWithNothingToRequeueAnswersZeroAndDoesNotWake() throws Exception {
    seed();
    assertThat(ok(post("/api/events/evt_4/replay", null)).get("replayed_jobs").getAsInt()).isZero();
    assertThat(wakes).hasValue(0);
  }

  @Test
  void replayByFilterRequeuesOnlyTheMatchingJobs() throws Exception {
    seed();
    JsonObject narrow =
        ok(
            post(
                "/api/replay",
                "{\"status\":\"dead\",\"type\":\"invoice.*\",\"since\":\"2026-11-10T12:00:02Z\"}"));
    assertThat(narrow.get("replayed_jobs").getAsInt()).isEqualTo(1);
    assertThat(jobState("evt_5", "billing")).isEqualTo(JobState.PENDING);
    assertThat(jobState("evt_2", "billing")).isEqualTo(JobState.DEAD);
    assertThat(wakes).hasValue(1);

    // Only the dead job of evt_2: its succeeded sibling is left alone.
    assertThat(ok(post("/api/replay", "{\"status\":\"dead\"}")).get("replayed_jobs").getAsInt())
        .isEqualTo(1);
    assertThat(jobState("evt_2", "billing")).isEqualTo(JobState.PENDING);
    assertThat(jobState("evt_2", "audit")).isEqualTo(JobState.SUCCEEDED);
    assertThat(wakes).hasValue(2);

    assertThat(ok(post("/api/replay", "{\"status\":\"dead\"}")).get("replayed_jobs").getAsInt())
        .isZero();
    assertThat(wakes).hasValue(2);

    assertThat(
            ok(post("/api/replay", "{\"status\":\"retrying\",\"type\":\"invoice.payment_failed\"}"))
                .get("replayed_jobs")
                .getAsInt())
        .isEqualTo(1);
    assertThat(jobState("evt_3", "billing")).isEqualTo(JobState.PENDING);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "not json",
        "[]",
        "\"dead\"",
        "{}",
        "{\"status\":null}",
        "{\"status\":\"pending\"}",
        "{\"status\":\"nope\"}",
        "{\"status\":5}",
        "{\"status\":[\"dead\"]}",
        "{\"status\":\"dead\",\"since\":\"last week\"}",
        "{\"status\":\"dead\",\"type\":\"*voice\"}",
        "{\"status\":\"dead\",\"colour\":\"red\"}",
        "{\"status\":\"dead\"} {}",
        "{\"status\":\"dead\",\"status\":\"dead\"}",
        "{\"status\":\"dead\""
      })
  void badReplayBodyIs400AndReplaysNothing(String body) throws Exception {
    seed();
    assertError(post("/api/replay", body), 400, "invalid_request");
    assertThat(jobState("evt_2", "billing")).isEqualTo(JobState.DEAD);
    assertThat(wakes).hasValue(0);
  }

  @Test
  void oversizedReplayBodyIs413() throws Exception {
    String body = "{\"status\":\"dead\",\"type\":\"" + "a".repeat(AdminApi.MAX_BODY) + "\"}";
    assertError(post("/api/replay", body), 413, "payload_too_large");
  }

  // ---------------------------------------------------------------- routing and failures

  @ParameterizedTest
  @CsvSource({
    "POST, /api/events, GET",
    "DELETE, /api/events/evt_1, GET",
    "PUT, /api/events/evt_1/payload, GET",
    "GET, /api/events/evt_1/replay, POST",
    "GET, /api/replay, POST"
  })
  void wrongMethodIs405NamingTheAllowedOne(String method, String path, String allowed)
      throws Exception {
    seed();
    HttpResponse<String> response = send(api, method, path, "{}", "Bearer " + TOKEN);
    assertError(response, 405, "method_not_allowed");
    assertThat(response.headers().firstValue("Allow")).hasValue(allowed);
    assertThat(jobState("evt_2", "billing")).isEqualTo(JobState.DEAD);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/api/",
        "/api/nope",
        "/api/events/",
        "/api/events/evt_1/nope",
        "/api/events/evt_1/payload/more",
        "/api/replay/evt_1"
      })
  void unknownRouteIs404(String path) throws Exception {
    assertError(get(path), 404, "not_found");
  }

  @Test
  void unreachableStoreIs503StorageUnavailable() throws Exception {
    seed();
    store.close();
    assertError(get("/api/events"), 503, "storage_unavailable");
    assertError(get("/api/events/evt_1"), 503, "storage_unavailable");
    assertError(get("/api/events/evt_1/payload"), 503, "storage_unavailable");
    assertError(post("/api/events/evt_1/replay", null), 503, "storage_unavailable");
    assertError(post("/api/replay", "{\"status\":\"dead\"}"), 503, "storage_unavailable");
  }
}
