package dev.stripeinbox.event;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

final class EnvelopeReaderTest {

  /** A Connect snapshot event, pretty-printed, fields in Stripe's order: type after data. */
  private static final String SNAPSHOT =
      """
      {
        "id": "evt_1QbWc2LkdIwHu7ix0ZsJX1Vm",
        "object": "event",
        "account": "acct_1Nv0FGQ9RKHgCVdK",
        "api_version": "2026-07-29.dahlia",
        "created": 1795784400,
        "data": {
          "object": {
            "id": "pi_3QbWc1LkdIwHu7ix1abcDEF",
            "object": "payment_intent",
            "amount": 2000,
            "currency": "usd",
            "metadata": {"id": "not_this_one", "object": "nor_this"},
            "charges": {"object": "list", "data": [{"id": "ch_1", "object": "charge"}]},
            "description": %s
          },
          "previous_attributes": {"id": "pi_old", "object": "old"}
        },
        "livemode": true,
        "pending_webhooks": 1,
        "request": {"id": "req_9Xb", "idempotency_key": "c0ffee"},
        "type": "payment_intent.succeeded"
      }
      """;

  private static final String THIN =
      """
      {
        "id": "evt_test_65R9Ijk8f9u2EjPOMz",
        "object": "v2.core.event",
        "type": "v1.billing.meter.error_report_triggered",
        "livemode": false,
        "created": "2026-11-28T13:00:00.123Z",
        "context": "acct_1Nv0FGQ9RKHgCVdK",
        "reason": {"type": "request", "request": {"id": "req_1", "idempotency_key": null}},
        "related_object": {
          "id": "mtr_test_61R9Ijk",
          "type": "billing.meter",
          "url": "/v1/billing/meters/mtr_test_61R9Ijk"
        }
      }
      """;

  @Test
  void snapshotEventIsReadWithTypeAfterData() {
    Envelope envelope = read(SNAPSHOT.formatted("\"Order 42\""));

    assertThat(envelope)
        .isEqualTo(
            new Envelope(
                "evt_1QbWc2LkdIwHu7ix0ZsJX1Vm",
                "event",
                "payment_intent.succeeded",
                Instant.ofEpochSecond(1795784400L),
                true,
                "2026-07-29.dahlia",
                "acct_1Nv0FGQ9RKHgCVdK",
                "pi_3QbWc1LkdIwHu7ix1abcDEF",
                "payment_intent"));
    assertThat(envelope.isThin()).isFalse();
  }

  @Test
  void megabyteOfDataIsSkipped() {
    String description = "\"" + "x".repeat(1024 * 1024) + "\"";

    Envelope envelope = read(SNAPSHOT.formatted(description));

    assertThat(envelope.type()).isEqualTo("payment_intent.succeeded");
    assertThat(envelope.dataObjectId()).isEqualTo("pi_3QbWc1LkdIwHu7ix1abcDEF");
  }

  @Test
  void thinEventMapsRelatedObjectAndContext() {
    Envelope envelope = read(THIN);

    assertThat(envelope)
        .isEqualTo(
            new Envelope(
                "evt_test_65R9Ijk8f9u2EjPOMz",
                "v2.core.event",
                "v1.billing.meter.error_report_triggered",
                Instant.parse("2026-11-28T13:00:00.123Z"),
                false,
                null,
                "acct_1Nv0FGQ9RKHgCVdK",
                "mtr_test_61R9Ijk",
                "billing.meter"));
    assertThat(envelope.isThin()).isTrue();
  }

  @Test
  void thinEventWithNullContextAndRelatedObjectHasNoAccountOrObject() {
    Envelope envelope =
        read(
            """
            {"id": "evt_1", "object": "v2.core.event", "type": "v2.core.event_destination.ping",
             "created": "2026-11-28T13:00:00Z", "context": null, "related_object": null}
            """);

    assertThat(envelope.account()).isNull();
    assertThat(envelope.dataObjectId()).isNull();
    assertThat(envelope.dataObjectType()).isNull();
  }

  @Test
  void minimalEventNeedsOnlyIdAndType() {
    Envelope envelope = read("{\"type\":\"invoice.paid\",\"id\":\"evt_1\"}");

    assertThat(envelope)
        .isEqualTo(
            new Envelope("evt_1", null, "invoice.paid", null, false, null, null, null, null));
  }

  @Test
  void unknownFieldsOfAnyShapeAreSkipped() {
    Envelope envelope =
        read(
            "{\"id\":\"evt_1\",\"extra\":{\"id\":\"no\",\"type\":\"no\"},\"list\":[{\"type\":1}],"
                + "\"type\":\"invoice.paid\",\"n\":1.5e300}");

    assertThat(envelope.id()).isEqualTo("evt_1");
    assertThat(envelope.type()).isEqualTo("invoice.paid");
  }

  @Test
  void livemodeThatIsNotABooleanIsSkippedWithoutLosingItsPlace() {
    Envelope envelope =
        read(
            "{\"id\":\"evt_1\",\"livemode\":{\"id\":\"evt_2\",\"type\":\"x\"},"
                + "\"type\":\"invoice.paid\"}");

    assertThat(envelope.id()).isEqualTo("evt_1");
    assertThat(envelope.type()).isEqualTo("invoice.paid");
    assertThat(envelope.livemode()).isFalse();
  }

  @Test
  void dataThatIsNotAnObjectLeavesTheDataFieldsEmpty() {
    Envelope envelope = read("{\"id\":\"evt_1\",\"data\":[1,2],\"type\":\"invoice.paid\"}");

    assertThat(envelope.dataObjectId()).isNull();
    assertThat(envelope.dataObjectType()).isNull();
  }

  @Test
  void trailingWhitespaceIsFine() {
    assertThat(read("{\"id\":\"evt_1\",\"type\":\"invoice.paid\"}\n\n  ").id()).isEqualTo("evt_1");
  }

  static Stream<Arguments> invalidBodies() {
    String valid = SNAPSHOT.formatted("\"Order 42\"");
    return Stream.of(
        Arguments.of("empty body", ""),
        Arguments.of("only whitespace", "  \n"),
        Arguments.of("an array", "[]"),
        Arguments.of("a string", "\"str\""),
        Arguments.of("a number", "123"),
        Arguments.of("null", "null"),
        Arguments.of("truncated JSON", valid.substring(0, valid.length() / 2)),
        Arguments.of("truncated after the last field", valid.substring(0, valid.lastIndexOf('}'))),
        Arguments.of(
            "malformed JSON deep inside data",
            valid.replace("\"currency\": \"usd\"", "\"currency\": usd")),
        Arguments.of("trailing garbage", valid + "garbage"),
        Arguments.of("a second object", valid + "{}"),
        Arguments.of("missing id", "{\"object\":\"event\",\"type\":\"invoice.paid\"}"),
        Arguments.of("empty id", "{\"id\":\"\",\"type\":\"invoice.paid\"}"),
        Arguments.of("null id", "{\"id\":null,\"type\":\"invoice.paid\"}"),
        Arguments.of("missing type", "{\"id\":\"evt_1\",\"object\":\"event\"}"),
        Arguments.of("empty type", "{\"id\":\"evt_1\",\"type\":\"\"}"),
        Arguments.of("id as number", "{\"id\":42,\"type\":\"invoice.paid\"}"),
        Arguments.of("type as object", "{\"id\":\"evt_1\",\"type\":{\"a\":1}}"),
        Arguments.of(
            "created out of range",
            "{\"id\":\"evt_1\",\"type\":\"invoice.paid\",\"created\":9223372036854775807}"),
        Arguments.of(
            "created past epoch milliseconds",
            "{\"id\":\"evt_1\",\"type\":\"invoice.paid\",\"created\":9300000000000000}"),
        Arguments.of(
            "created before epoch milliseconds",
            "{\"id\":\"evt_1\",\"type\":\"invoice.paid\",\"created\":-9300000000000000}"),
        Arguments.of(
            "created as an ISO instant past epoch milliseconds",
            "{\"id\":\"evt_1\",\"type\":\"invoice.paid\","
                + "\"created\":\"+300000000-01-01T00:00:00Z\"}"),
        Arguments.of(
            "created as a huge number",
            "{\"id\":\"evt_1\",\"type\":\"invoice.paid\",\"created\":" + "1".repeat(40) + "}"),
        Arguments.of(
            "created as a fraction",
            "{\"id\":\"evt_1\",\"type\":\"invoice.paid\",\"created\":1795784400.5}"),
        Arguments.of(
            "created as a non-timestamp string",
            "{\"id\":\"evt_1\",\"type\":\"invoice.paid\",\"created\":\"yesterday\"}"),
        Arguments.of(
            "a number too long to tokenise",
            "{\"id\":\"evt_1\",\"type\":\"invoice.paid\",\"data\":" + "9".repeat(5000) + "}"),
        Arguments.of("unquoted field name", "{id:\"evt_1\",\"type\":\"invoice.paid\"}"),
        Arguments.of("single quotes", "{'id':'evt_1','type':'invoice.paid'}"),
        Arguments.of("a comment", "{/* c */\"id\":\"evt_1\",\"type\":\"invoice.paid\"}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidBodies")
  void invalidBodyIsRejected(String description, String body) {
    assertThrows(InvalidPayloadException.class, () -> read(body));
  }

  @Test
  void deeplyNestedDataIsRejectedWithoutOverflowingTheStack() {
    String bomb =
        "{\"id\":\"evt_1\",\"type\":\"invoice.paid\",\"data\":"
            + "[".repeat(10_000)
            + "]".repeat(10_000)
            + "}";

    assertThrows(InvalidPayloadException.class, () -> read(bomb));
  }

  @Test
  void deeplyNestedBodyIsRejected() {
    assertThrows(InvalidPayloadException.class, () -> read("[".repeat(10_000)));
    assertThrows(InvalidPayloadException.class, () -> read("{\"a\":".repeat(10_000)));
  }

  @Test
  void binaryGarbageIsRejected() {
    byte[] garbage = {(byte) 0xff, (byte) 0xfe, 0, 0, 0x7b, (byte) 0x80, (byte) 0xc3, 0x28, 0x1b};

    assertThrows(InvalidPayloadException.class, () -> EnvelopeReader.read(garbage));
  }

  @Test
  void invalidUtf8InsideAStringIsRejected() {
    byte[] body = "{\"id\":\"evt_\u00ff\",\"type\":\"invoice.paid\"}".getBytes(UTF_8);
    body[12] = 'A'; // after the lead byte 0xc3 of "\u00ff", where a continuation byte belongs

    assertThrows(InvalidPayloadException.class, () -> EnvelopeReader.read(body));
  }

  // --- Properties ---

  @Property(tries = 1000)
  void arbitraryBytesAreReadOrRejectedButNothingElseIsThrown(@ForAll byte[] body) {
    assertReadOrRejected(body);
  }

  @Property(tries = 1000)
  void jsonTokenSoupIsReadOrRejectedButNothingElseIsThrown(
      @ForAll("tokenSoup") List<String> tokens) {
    assertReadOrRejected(("{" + String.join("", tokens)).getBytes(UTF_8));
  }

  @Property(tries = 1000)
  void damagedEventIsReadOrRejectedButNothingElseIsThrown(
      @ForAll @IntRange(min = 0, max = 2000) int cut,
      @ForAll @IntRange(min = 0, max = 2000) int at,
      @ForAll byte replacement) {
    byte[] body = SNAPSHOT.formatted("\"Order 42\"").getBytes(UTF_8);
    byte[] damaged = Arrays.copyOf(body, Math.min(cut, body.length));
    if (at < damaged.length) {
      damaged[at] = replacement;
    }
    assertReadOrRejected(damaged);
  }

  @Property(tries = 1000)
  void fieldsAreReadBackWhateverTheirTextAndOrder(
      @ForAll("texts") String id,
      @ForAll("texts") String type,
      @ForAll("texts") String account,
      @ForAll("texts") String dataObjectId,
      @ForAll @LongRange(min = 0, max = 253402300799L) long created,
      @ForAll boolean livemode,
      @ForAll long orderSeed) {
    List<String> fields =
        new ArrayList<>(
            List.of(
                "\"id\": " + json(id),
                "\"object\": \"event\"",
                "\"account\": " + json(account),
                "\"created\": " + created,
                "\"data\": {\"object\": {\"id\": "
                    + json(dataObjectId)
                    + ", \"object\": \"charge\", \"nested\": [[{\"id\": \"x\"}]]}}",
                "\"livemode\": " + livemode,
                "\"type\": " + json(type)));
    Collections.shuffle(fields, new Random(orderSeed));

    Envelope envelope = read("{\n  " + String.join(",\n  ", fields) + "\n}");

    assertThat(envelope)
        .isEqualTo(
            new Envelope(
                id,
                "event",
                type,
                Instant.ofEpochSecond(created),
                livemode,
                null,
                account,
                dataObjectId,
                "charge"));
  }

  @Provide
  Arbitrary<String> texts() {
    // Lone surrogates cannot survive UTF-8, so the text is made of whole code points.
    return Arbitraries.strings()
        .all()
        .ofMinLength(1)
        .ofMaxLength(30)
        .filter(
            s ->
                s.codePoints()
                    .noneMatch(c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE));
  }

  @Provide
  Arbitrary<List<String>> tokenSoup() {
    return Arbitraries.of(
            "{",
            "}",
            "[",
            "]",
            ":",
            ",",
            "\"id\"",
            "\"type\"",
            "\"object\"",
            "\"created\"",
            "\"livemode\"",
            "\"account\"",
            "\"context\"",
            "\"data\"",
            "\"related_object\"",
            "\"evt_1\"",
            "\"v2.core.event\"",
            "\"2026-11-28T13:00:00.123Z\"",
            "\"not a time\"",
            "0",
            "-1",
            "1795784400",
            "9223372036854775807",
            "99999999999999999999999",
            "1.5",
            "1e400",
            "true",
            "false",
            "null",
            " ",
            "\"\\u0000\"",
            "\"\\ud800\"")
        .list()
        .ofMaxSize(40);
  }

  private static void assertReadOrRejected(byte[] body) {
    Throwable thrown = catchThrowable(() -> EnvelopeReader.read(body));

    if (thrown != null) {
      assertThat(thrown).isInstanceOf(InvalidPayloadException.class);
    }
  }

  /** A JSON string literal of {@code text}. */
  private static String json(String text) {
    StringBuilder out = new StringBuilder("\"");
    text.codePoints()
        .forEach(
            c -> {
              if (c == '"' || c == '\\') {
                out.append('\\').appendCodePoint(c);
              } else if (c < 0x20) {
                out.append(String.format("\\u%04x", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    return out.append('"').toString();
  }

  private static Envelope read(String body) {
    return EnvelopeReader.read(body.getBytes(UTF_8));
  }
}
