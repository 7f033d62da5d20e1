package dev.stripeinbox.event;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link EnvelopeScanner} against {@link JacksonEnvelopeReader}, the reference: wherever the
 * scanner answers, its envelope is the reference's, and {@link EnvelopeReader#read} gives the
 * reference's answer (envelope, or exception and message) on every input. Well-formed events must
 * be answered by the scanner itself, or the fast path would silently be lost.
 */
final class EnvelopeScannerDifferentialTest {

  // --- Generated events ---

  @Property(tries = 3000)
  void wellFormedEventsAreReadByTheScannerAsByTheReference(@ForAll long seed) {
    byte[] body = new EventGenerator(seed, true).event();

    assertScannerAnswers(body);
  }

  @Property(tries = 3000)
  void anyGeneratedEventGetsTheReferenceAnswer(@ForAll long seed) {
    byte[] body = new EventGenerator(seed, false).event();

    collect(assertSameAsReference(body));
  }

  @Property(tries = 5000)
  void damagedEventsGetTheReferenceAnswer(@ForAll long seed) {
    Random random = new Random(seed);
    byte[] body = new EventGenerator(random.nextLong(), random.nextInt(4) > 0).event();

    collect(assertSameAsReference(damage(body, random, 1 + random.nextInt(3))));
  }

  @Property(tries = 2000)
  void arbitraryBytesGetTheReferenceAnswer(@ForAll byte[] body) {
    collect(assertSameAsReference(body));
  }

  @Property(tries = 3000)
  void jsonTokenSoupGetsTheReferenceAnswer(@ForAll("tokenSoup") List<String> tokens) {
    collect(assertSameAsReference(("{" + String.join("", tokens)).getBytes(UTF_8)));
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
            " ",
            "\n",
            "\"id\"",
            "\"type\"",
            "\"object\"",
            "\"created\"",
            "\"livemode\"",
            "\"account\"",
            "\"context\"",
            "\"data\"",
            "\"related_object\"",
            "\"api_version\"",
            "\"\\u0069d\"",
            "\"evt_1\"",
            "\"\"",
            "\"v2.core.event\"",
            "\"2026-11-28T13:00:00.123Z\"",
            "\"a\\\"}\"",
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
            "\"\\u0000\"",
            "\"\\ud800\"",
            "01",
            "-",
            "1.",
            "\"\\x\"")
        .list()
        .ofMaxSize(40);
  }

  // --- The project's event templates ---

  @Test
  void everyTemplateAsASnapshotOrThinEventIsReadByTheScannerAsByTheReference() throws IOException {
    List<Path> templates = templates();
    assertThat(templates).hasSizeGreaterThan(30);
    int events = 0;
    for (Path template : templates) {
      for (byte[] body : eventsAround(Files.readString(template, UTF_8))) {
        Envelope envelope = assertScannerAnswers(body);
        assertThat(envelope.type()).isNotEmpty();
        events++;
      }
    }
    assertThat(events).isGreaterThan(100);
  }

  @Test
  void everyTemplateOnItsOwnGetsTheReferenceAnswer() throws IOException {
    for (Path template : templates()) {
      assertSameAsReference(Files.readAllBytes(template));
    }
  }

  @Test
  void damagedTemplateEventsGetTheReferenceAnswer() throws IOException {
    Random random = new Random(20261130L);
    for (Path template : templates()) {
      for (byte[] body : eventsAround(Files.readString(template, UTF_8))) {
        for (int k = 0; k < 60; k++) {
          assertSameAsReference(damage(body, random, 1 + random.nextInt(2)));
        }
      }
    }
  }

  /** Snapshot events (pretty and compact, platform and Connect) and a thin event around it. */
  private static List<byte[]> eventsAround(String dataObject) {
    String pretty =
        """
        {
          "id": "evt_1QbWc2LkdIwHu7ix0ZsJX1Vm",
          "object": "event",
          %s"api_version": "2026-07-29.dahlia",
          "created": 1795784400,
          "data": {
            "object": %s,
            "previous_attributes": {"id": "not_this", "object": "nor_this", "status": "open"}
          },
          "livemode": false,
          "pending_webhooks": 1,
          "request": {
            "id": "req_9XbAbC",
            "idempotency_key": "3f1c0a3e-2b0e-4c8e-9a61-0c9f1f6b8d2e"
          },
          "type": "thing.updated"
        }
        """;
    String platform = pretty.formatted("", dataObject);
    String connect = pretty.formatted("\"account\": \"acct_1Nv0FGQ9RKHgCVdK\",\n  ", dataObject);
    String thin =
        """
        {
          "id": "evt_test_65R9Ijk8f9u2EjPOMz",
          "object": "v2.core.event",
          "type": "v1.billing.meter.error_report_triggered",
          "livemode": false,
          "created": "2026-11-28T13:00:00.123Z",
          "context": "acct_1Nv0FGQ9RKHgCVdK",
          "reason": {"type": "request", "request": {"id": "req_1", "snapshot": %s}},
          "related_object": {
            "id": "mtr_test_61R9Ijk",
            "type": "billing.meter",
            "url": "/v1/billing/meters/mtr_test_61R9Ijk"
          }
        }
        """
            .formatted(dataObject);
    List<byte[]> bodies = new ArrayList<>();
    for (String event : List.of(platform, connect, thin)) {
      bodies.add(event.getBytes(UTF_8));
      bodies.add(compact(event.getBytes(UTF_8)));
    }
    return bodies;
  }

  private static List<Path> templates() throws IOException {
    Path here = Path.of("").toAbsolutePath();
    for (Path base : List.of(here, here.getParent())) {
      Path dir = base.resolve("inbox-testkit/src/main/resources/dev/stripeinbox/testkit/templates");
      if (Files.isDirectory(dir)) {
        try (Stream<Path> files = Files.list(dir)) {
          return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
      }
    }
    throw new IllegalStateException(
        "the event templates of inbox-testkit are not found from " + here);
  }

  private static byte[] compact(byte[] json) {
    JsonFactory factory = new JsonFactory();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonParser p = factory.createParser(json);
        JsonGenerator g = factory.createGenerator(out)) {
      p.nextToken();
      g.copyCurrentStructure(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  // --- Edge cases, one by one ---

  static Stream<Arguments> edgeCases() {
    String ok = "\"id\":\"evt_1\",\"type\":\"invoice.paid\"";
    String deep64 = "[".repeat(64) + "]".repeat(64);
    String deep65 = "[".repeat(65) + "]".repeat(65);
    return Stream.of(
        // Answered by the scanner.
        answered("minimal", "{" + ok + "}"),
        answered("whitespace everywhere", " \r\n\t{ \"id\" :\t\"evt_1\" ,\n\"type\" : \"t\" } \n"),
        answered("duplicate id: the last wins", "{" + ok + ",\"id\":\"evt_2\"}"),
        answered(
            "colon, one space, more whitespace",
            "{\"id\": \n\"evt_1\",\"type\":  \"t\",\"a\": \t[1],\"b\": {\"c\": \r\nnull}}"),
        answered("colon and one space everywhere", "{\"id\": \"evt_1\",\"type\": \"t\",\"n\": -1}"),
        answered("escaped id", "{\"id\":\"evt_\\\"1\\\\\\u00e9\",\"type\":\"t\"}"),
        answered("non-ASCII id", "{\"id\":\"evt_é中😀\",\"type\":\"t\"}"),
        answered("lone surrogate escape in a value", "{" + ok + ",\"x\":\"\\ud800\"}"),
        answered("lone surrogate escape in the id", "{\"id\":\"\\udc00\",\"type\":\"t\"}"),
        answered("non-ASCII top-level key", "{" + ok + ",\"íd\":1}"),
        unsure(
            "escaped key below data.object",
            "{" + ok + ",\"data\":{\"object\":{\"x\":{\"\\u0069d\":1}}}}"),
        unsure("lone surrogate escape in a key", "{" + ok + ",\"x\":{\"\\ud800\":1}}"),
        unsure("surrogate pair escape in a key", "{" + ok + ",\"x\":{\"\\ud83d\\ude00\":1}}"),
        answered("four-byte character in a key", "{" + ok + ",\"x\":{\"😀\":1}}"),
        answered("created zero", "{" + ok + ",\"created\":0}"),
        answered("created minus zero", "{" + ok + ",\"created\":-0}"),
        answered("created negative", "{" + ok + ",\"created\":-1795784400}"),
        answered("created latest in milliseconds", "{" + ok + ",\"created\":9223372036854775}"),
        answered("created earliest in milliseconds", "{" + ok + ",\"created\":-9223372036854775}"),
        answered(
            "created ISO, latest in milliseconds",
            "{" + ok + ",\"created\":\"+292278994-08-17T07:12:55.807Z\"}"),
        answered("created null after a value", "{" + ok + ",\"created\":1,\"created\":null}"),
        answered("created ISO", "{" + ok + ",\"created\":\"2026-11-28T13:00:00Z\"}"),
        answered("livemode true", "{" + ok + ",\"livemode\":true}"),
        answered("livemode string", "{" + ok + ",\"livemode\":\"true\"}"),
        answered("livemode null", "{" + ok + ",\"livemode\":null}"),
        answered("livemode object", "{" + ok + ",\"livemode\":{\"id\":\"evt_2\",\"type\":\"x\"}}"),
        answered("livemode true then false", "{" + ok + ",\"livemode\":true,\"livemode\":false}"),
        answered("data null", "{" + ok + ",\"data\":null}"),
        answered("data array", "{" + ok + ",\"data\":[{\"object\":{\"id\":\"x\"}}]}"),
        answered("data.object string", "{" + ok + ",\"data\":{\"object\":\"x\"}}"),
        answered(
            "data.object id not a string",
            "{" + ok + ",\"data\":{\"object\":{\"id\":5,\"object\":\"charge\"}}}"),
        answered(
            "data.object fields accumulate over duplicates",
            "{"
                + ok
                + ",\"data\":{\"object\":{\"id\":\"a\"},\"object\":{\"object\":\"b\",\"id\":null}}}"),
        answered(
            "data twice",
            "{"
                + ok
                + ",\"data\":{\"object\":{\"id\":\"a\"}},\"data\":{\"object\":{\"object\":\"b\"}}}"),
        answered(
            "related_object on a snapshot event",
            "{" + ok + ",\"related_object\":{\"id\":\"r\",\"type\":\"t\"}}"),
        answered(
            "thin with account and context",
            "{"
                + ok
                + ",\"object\":\"v2.core.event\",\"account\":\"acct_a\",\"context\":\"acct_c\"}"),
        answered(
            "thin with context only",
            "{"
                + ok
                + ",\"object\":\"v2.core.event\",\"context\":\"acct_c\",\"data\":{\"object\":{\"id\":\"d\"}}}"),
        answered(
            "thin related_object id not a string",
            "{"
                + ok
                + ",\"object\":\"v2.core.event\",\"related_object\":{\"id\":1,\"type\":\"t\"}}"),
        answered("object null", "{" + ok + ",\"object\":null}"),
        answered(
            "numbers of every shape",
            "{" + ok + ",\"n\":[0,-0,1.5,-2.5E-3,1e10,1E+2,0.0e-0,1e400]}"),
        answered("literals and empties", "{" + ok + ",\"a\":[true,false,null,{},[],\"\"],\"\":{}}"),
        answered("every escape", "{" + ok + ",\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00AfZ\"}"),
        answered("brackets inside strings", "{" + ok + ",\"s\":\"}]{[,:\\\"}\",\"t\":[\"]\"]}"),
        answered("DEL in a string", "{" + ok + ",\"s\":\"\u007f\"}"),
        answered("64 levels below data", "{" + ok + ",\"data\":" + deep64 + "}"),
        answered(
            "64 levels below data.object",
            "{" + ok + ",\"data\":{\"object\":{\"x\":" + deep64 + "}}}"),
        // Left to the reference.
        unsure("escaped top-level key that is id", "{\"\\u0069d\":\"evt_1\",\"type\":\"t\"}"),
        unsure("escaped top-level key that is not read", "{" + ok + ",\"\\u0078\":1}"),
        unsure("escaped key in data", "{" + ok + ",\"data\":{\"obj\\u0065ct\":{\"id\":\"x\"}}}"),
        unsure(
            "escaped key in data.object",
            "{" + ok + ",\"data\":{\"object\":{\"\\u0069d\":\"x\"}}}"),
        unsure("byte order mark", "\uFEFF{" + ok + "}"),
        unsure("empty", ""),
        unsure("empty object", "{}"),
        unsure("an array", "[" + ok + "]"),
        unsure("id null", "{\"id\":null,\"type\":\"t\"}"),
        unsure("id empty", "{\"id\":\"\",\"type\":\"t\"}"),
        unsure("id number", "{\"id\":1,\"type\":\"t\"}"),
        unsure("id cleared by a later null", "{" + ok + ",\"id\":null}"),
        unsure("type array", "{\"id\":\"evt_1\",\"type\":[]}"),
        unsure("account number", "{" + ok + ",\"account\":1}"),
        unsure("context true", "{" + ok + ",\"context\":true}"),
        unsure("api_version object", "{" + ok + ",\"api_version\":{}}"),
        unsure("object number", "{" + ok + ",\"object\":0}"),
        unsure("created past milliseconds", "{" + ok + ",\"created\":9223372036854776}"),
        unsure("created before milliseconds", "{" + ok + ",\"created\":-9223372036854776}"),
        unsure("created largest instant", "{" + ok + ",\"created\":31556889864403199}"),
        unsure("created smallest instant", "{" + ok + ",\"created\":-31557014167219200}"),
        unsure(
            "created ISO past milliseconds",
            "{" + ok + ",\"created\":\"+292278994-08-17T07:12:55.808Z\"}"),
        unsure(
            "created ISO, 300 million years on",
            "{" + ok + ",\"created\":\"+300000000-01-01T00:00:00Z\"}"),
        unsure("created above the range", "{" + ok + ",\"created\":31556889864403200}"),
        unsure("created below the range", "{" + ok + ",\"created\":-31557014167219201}"),
        unsure("created of 18 digits", "{" + ok + ",\"created\":999999999999999999}"),
        unsure("created of 19 digits", "{" + ok + ",\"created\":1000000000000000000}"),
        unsure("created beyond a long", "{" + ok + ",\"created\":9223372036854775808}"),
        unsure("created fraction", "{" + ok + ",\"created\":1.0}"),
        unsure("created exponent", "{" + ok + ",\"created\":1e9}"),
        unsure("created true", "{" + ok + ",\"created\":true}"),
        unsure("created bad text", "{" + ok + ",\"created\":\"yesterday\"}"),
        answered("created escaped ISO", "{" + ok + ",\"created\":\"2026-11-28T13:00:00\\u005a\"}"),
        unsure("leading zero", "{" + ok + ",\"n\":01}"),
        unsure("negative leading zero", "{" + ok + ",\"n\":-01}"),
        unsure("bare minus", "{" + ok + ",\"n\":-}"),
        unsure("plus sign", "{" + ok + ",\"n\":+1}"),
        unsure("trailing dot", "{" + ok + ",\"n\":1.}"),
        unsure("leading dot", "{" + ok + ",\"n\":.5}"),
        unsure("empty exponent", "{" + ok + ",\"n\":1e}"),
        unsure("signed empty exponent", "{" + ok + ",\"n\":1e+}"),
        unsure("two numbers", "{" + ok + ",\"n\":1 2}"),
        unsure("NaN", "{" + ok + ",\"n\":NaN}"),
        unsure("a number of 501 bytes", "{" + ok + ",\"n\":" + "1".repeat(501) + "}"),
        unsure("a number of 1001 bytes", "{" + ok + ",\"n\":" + "1".repeat(1001) + "}"),
        unsure("truncated true", "{" + ok + ",\"b\":tru}"),
        unsure("ends after a colon and a space", "{" + ok + ",\"b\": "),
        unsure("ends after a colon", "{" + ok + ",\"b\":"),
        unsure("colon and space, then a byte that is no value", "{" + ok + ",\"b\": \u00e9}"),
        unsure("capital True", "{" + ok + ",\"b\":True}"),
        unsure("true followed by a letter", "{" + ok + ",\"b\":truex}"),
        unsure("raw newline in a string", "{" + ok + ",\"s\":\"a\nb\"}"),
        unsure("raw tab in a string", "{" + ok + ",\"s\":\"a\tb\"}"),
        unsure("raw tab in the id", "{\"id\":\"evt\t1\",\"type\":\"t\"}"),
        unsure("unknown escape", "{" + ok + ",\"s\":\"\\x\"}"),
        unsure("short unicode escape", "{" + ok + ",\"s\":\"\\u12\"}"),
        unsure("non-hex unicode escape", "{" + ok + ",\"s\":\"\\u12G4\"}"),
        unsure("escaped single quote", "{" + ok + ",\"s\":\"\\'\"}"),
        unsure("unterminated string", "{" + ok + ",\"s\":\"abc}"),
        unsure("trailing comma", "{" + ok + ",}"),
        unsure("trailing comma in an array", "{" + ok + ",\"a\":[1,]}"),
        unsure("missing comma", "{" + ok + " \"a\":1}"),
        unsure("missing colon", "{" + ok + ",\"a\" 1}"),
        unsure("array closed by a brace", "{" + ok + ",\"a\":[1}}"),
        unsure("object closed by a bracket", "{" + ok + ",\"a\":{\"b\":1]}"),
        unsure("number as a key", "{" + ok + ",\"a\":{1:2}}"),
        unsure("single quotes", "{'id':'evt_1','type':'t'}"),
        unsure("comment", "{" + ok + "/* c */}"),
        unsure("trailing garbage", "{" + ok + "}x"),
        unsure("second object", "{" + ok + "}{}"),
        unsure("trailing comment", "{" + ok + "} // c"),
        unsure("65 levels below data", "{" + ok + ",\"data\":" + deep65 + "}"),
        unsure("255 levels", "{" + ok + ",\"data\":" + "[".repeat(254) + "]".repeat(254) + "}"),
        unsure("256 levels", "{" + ok + ",\"data\":" + "[".repeat(255) + "]".repeat(255) + "}"),
        unsure("257 levels", "{" + ok + ",\"data\":" + "[".repeat(256) + "]".repeat(256) + "}"),
        unsure("a key over the limit", "{" + ok + ",\"" + "k".repeat(10_001) + "\":1}"),
        unsure("a key over Jackson's limit", "{" + ok + ",\"" + "k".repeat(50_001) + "\":1}"),
        answered("a key at the limit", "{" + ok + ",\"" + "k".repeat(10_000) + "\":1}"),
        answered("a long string", "{" + ok + ",\"s\":\"" + "s".repeat(1 << 20) + "\"}"),
        unsure("vertical tab as whitespace", "{" + ok + ",\u000b\"a\":1}"),
        unsure("non-breaking space as whitespace", "{" + ok + ",\u00a0\"a\":1}"));
  }

  static Stream<Arguments> invalidUtf8() {
    return Stream.of(
        Arguments.of("overlong two bytes", "c0af"),
        Arguments.of("overlong C1", "c1bf"),
        Arguments.of("overlong three bytes", "e080af"),
        Arguments.of("surrogate", "eda080"),
        Arguments.of("overlong four bytes", "f08080af"),
        Arguments.of("above U+10FFFF", "f4908080"),
        Arguments.of("F5 lead", "f5808080"),
        Arguments.of("FF", "ff"),
        Arguments.of("lone continuation", "80"),
        Arguments.of("truncated two bytes", "c3"),
        Arguments.of("truncated three bytes", "e282"),
        Arguments.of("truncated four bytes", "f09f98"),
        Arguments.of("bad continuation", "c328"),
        Arguments.of("bad third byte", "e282c0"),
        Arguments.of("raw NUL", "00"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("edgeCases")
  void edgeCaseGetsTheReferenceAnswer(String name, String body, boolean answered) {
    byte[] bytes = body.getBytes(UTF_8);
    if (answered) {
      assertScannerAnswers(bytes);
    } else {
      assertThat(EnvelopeScanner.scan(bytes)).isNull();
      assertSameAsReference(bytes);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidUtf8")
  void invalidUtf8IsLeftToTheReferenceWherever(String name, String hex) {
    byte[] bad = HexFormat.of().parseHex(hex);
    for (String where :
        List.of(
            "{\"id\":\"evt_@\",\"type\":\"t\"}",
            "{\"id\":\"evt_1\",\"type\":\"t\",\"@\":1}",
            "{\"id\":\"evt_1\",\"type\":\"t\",\"data\":{\"x\":[\"a@b\"]}}",
            "{\"id\":\"evt_1\",\"type\":\"t\",\"data\":{\"x\":{\"k@\":1}}}")) {
      byte[] body = splice(where.getBytes(UTF_8), bad);

      assertThat(EnvelopeScanner.scan(body)).as(where).isNull();
      assertSameAsReference(body);
    }
  }

  @Test
  void validUtf8OfEveryLengthIsAnswered() {
    for (String hex :
        List.of("c280", "dfbf", "e0a080", "ed9fbf", "ee8080", "efbfbf", "f0908080", "f48fbfbf")) {
      byte[] body =
          splice(
              "{\"id\":\"evt_@\",\"type\":\"t\",\"x\":{\"@\":\"@\"}}".getBytes(UTF_8),
              HexFormat.of().parseHex(hex));

      assertThat(assertScannerAnswers(body).id())
          .isEqualTo(new String(body, 7, 4 + hex.length() / 2, UTF_8));
    }
  }

  private static Arguments answered(String name, String body) {
    return Arguments.of(name, body, true);
  }

  private static Arguments unsure(String name, String body) {
    return Arguments.of(name, body, false);
  }

  /** Replaces every {@code @} of {@code template} with {@code bytes}. */
  private static byte[] splice(byte[] template, byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte c : template) {
      if (c == '@') {
        out.writeBytes(bytes);
      } else {
        out.write(c);
      }
    }
    return out.toByteArray();
  }

  // --- Assertions ---

  /** The reference's answer: the envelope, or the exception's class and message. */
  private static Object reference(byte[] body) {
    try {
      return JacksonEnvelopeReader.read(body);
    } catch (RuntimeException e) {
      return e.getClass().getName() + ": " + e.getMessage();
    }
  }

  private static Object entryPoint(byte[] body) {
    try {
      return EnvelopeReader.read(body);
    } catch (RuntimeException e) {
      return e.getClass().getName() + ": " + e.getMessage();
    }
  }

  /** Asserts that the scanner, if it answers, and the entry point answer as the reference. */
  private static boolean assertSameAsReference(byte[] body) {
    Object expected = reference(body);
    Envelope fast = EnvelopeScanner.scan(body);
    if (fast != null) {
      assertThat((Object) fast).as("scanner on %s", show(body)).isEqualTo(expected);
    }
    assertThat(entryPoint(body)).as("EnvelopeReader.read on %s", show(body)).isEqualTo(expected);
    return fast != null;
  }

  private static void collect(boolean answered) {
    Statistics.label("scanner").collect(answered ? "answered" : "left to the reference");
  }

  private static Envelope assertScannerAnswers(byte[] body) {
    Object expected = reference(body);
    assertThat(expected).as("reference on %s", show(body)).isInstanceOf(Envelope.class);
    Envelope fast = EnvelopeScanner.scan(body);
    assertThat(fast).as("scanner on %s", show(body)).isEqualTo(expected);
    assertThat(entryPoint(body)).isEqualTo(expected);
    return fast;
  }

  private static String show(byte[] body) {
    String text = new String(body, UTF_8);
    return text.length() > 2000 ? text.substring(0, 2000) + "..." : text;
  }

  /** Applies {@code times} random damages: truncation, deletion, insertion or replacement. */
  static byte[] damage(byte[] body, Random random, int times) {
    byte[] out = body;
    for (int t = 0; t < times; t++) {
      int at = out.length == 0 ? 0 : random.nextInt(out.length + 1);
      byte b =
          random.nextInt(4) == 0 ? (byte) random.nextInt(256) : NASTY[random.nextInt(NASTY.length)];
      switch (random.nextInt(4)) {
        case 0 -> out = Arrays.copyOf(out, at);
        case 1 -> {
          if (at < out.length) {
            byte[] shorter = new byte[out.length - 1];
            System.arraycopy(out, 0, shorter, 0, at);
            System.arraycopy(out, at + 1, shorter, at, out.length - at - 1);
            out = shorter;
          }
        }
        case 2 -> {
          byte[] longer = new byte[out.length + 1];
          System.arraycopy(out, 0, longer, 0, at);
          longer[at] = b;
          System.arraycopy(out, at, longer, at + 1, out.length - at);
          out = longer;
        }
        default -> {
          if (at < out.length) {
            out = out.clone();
            out[at] = b;
          }
        }
      }
    }
    return out;
  }

  private static final byte[] NASTY = {
    '"',
    '\\',
    '{',
    '}',
    '[',
    ']',
    ',',
    ':',
    ' ',
    '\n',
    '\t',
    '0',
    '1',
    '-',
    '+',
    '.',
    'e',
    'E',
    't',
    'n',
    'u',
    'x',
    '/',
    '\'',
    0x00,
    0x01,
    0x1f,
    0x7f,
    (byte) 0x80,
    (byte) 0xbf,
    (byte) 0xc0,
    (byte) 0xc3,
    (byte) 0xe2,
    (byte) 0xed,
    (byte) 0xf0,
    (byte) 0xf4,
    (byte) 0xff
  };

  /**
   * Random event bodies: every top-level field in any order, nested data with strings full of
   * escapes, brackets and non-ASCII text, numbers of every shape, whitespace between any tokens.
   * Well-formed ones (the scanner must answer) have a non-empty string id and type, a created that
   * fits, and no escape in any key; the others may break any of that, but stay valid JSON.
   */
  static final class EventGenerator {
    private static final String[] STRING_PIECES = {
      "evt_1",
      "abc",
      "Order 42",
      " ",
      "\\\"",
      "\\\\",
      "{",
      "}",
      "[",
      "]",
      ",",
      ":",
      "\\n",
      "\\t",
      "\\r",
      "\\b",
      "\\f",
      "\\/",
      "/",
      "\\u00e9",
      "\\u0000",
      "\\u001F",
      "\\ud83d\\ude00",
      "\\ud800",
      "é",
      "中文",
      "😀",
      "\\\"}",
      "x\\\\",
      "/*",
      "'",
      "\u007f",
      "true",
      "null",
      "-1"
    };
    private static final String[] NUMBERS = {
      "0",
      "-0",
      "1",
      "-1",
      "42",
      "1795784400",
      "1.5",
      "-2.5E-3",
      "1e10",
      "1E+2",
      "0.0",
      "0e0",
      "123456789012345678901234567890",
      "1e400",
      "-1.0e-400",
      "9223372036854775807",
      "3.14159"
    };
    private static final String[] KEYS = {
      "id", "object", "type", "data", "created", "livemode", "account", "context",
      "related_object", "api_version", "amount", "metadata", "a", "", "é", "with \\\"quote\\\"",
      "{}", "\\u0069d", "ob\\u006aect", "x\\\\y"
    };
    private static final String[] PLAIN_KEYS = {
      "id",
      "object",
      "type",
      "data",
      "amount",
      "metadata",
      "status",
      "a",
      "",
      "é",
      "中",
      "😀",
      "{}",
      "[",
      ",:",
      "/*",
      "'",
      " "
    };
    private static final String[] OTHER_KEYS = {
      "pending_webhooks", "request", "reason", "amount", "a", "", "é", "中", "{}", "ID", "types"
    };

    private final Random r;
    private final boolean wellFormed;

    EventGenerator(long seed, boolean wellFormed) {
      this.r = new Random(seed);
      this.wellFormed = wellFormed;
    }

    byte[] event() {
      boolean thin = r.nextInt(4) == 0;
      List<String> fields = new ArrayList<>();
      fields.add(member("id", stringField("evt_")));
      fields.add(member("type", stringField(thin ? "v1.billing.meter." : "invoice.")));
      if (thin || r.nextBoolean()) {
        fields.add(member("object", thin ? "\"v2.core.event\"" : optional("\"event\"")));
      }
      if (r.nextInt(5) > 0) {
        fields.add(member("created", created(thin)));
      }
      if (r.nextBoolean()) {
        fields.add(member("livemode", r.nextInt(3) == 0 ? value(2) : pick("true", "false")));
      }
      if (r.nextBoolean()) {
        fields.add(member("api_version", optional("\"2026-07-29.dahlia\"")));
      }
      if (r.nextBoolean()) {
        fields.add(member("account", optional(string("acct_"))));
      }
      if (thin || r.nextInt(4) == 0) {
        fields.add(member("context", optional(string("acct_"))));
      }
      if (!thin || r.nextInt(4) == 0) {
        fields.add(member("data", r.nextInt(6) == 0 ? value(3) : data()));
      }
      if (thin || r.nextInt(4) == 0) {
        fields.add(member("related_object", r.nextInt(5) == 0 ? value(2) : idAndType("type")));
      }
      int extra = r.nextInt(4);
      for (int k = 0; k < extra; k++) {
        fields.add(member(pick(OTHER_KEYS), value(3)));
      }
      if (!wellFormed) {
        fields.addAll(mischief());
      }
      Collections.shuffle(fields, r);
      return object(fields).getBytes(UTF_8);
    }

    /** Fields that the reference may reject, or that the scanner must leave to it. */
    private List<String> mischief() {
      List<String> fields = new ArrayList<>();
      int count = r.nextInt(3);
      for (int k = 0; k < count; k++) {
        String key = pick(KEYS);
        String value =
            switch (r.nextInt(6)) {
              case 0 -> "null";
              case 1 -> "\"\"";
              case 2 -> pick(NUMBERS);
              case 3 -> pick("\"yesterday\"", "\"2026-11-28T13:00:00Z\"", "31556889864403200");
              default -> value(3);
            };
        fields.add(member(key, value));
      }
      return fields;
    }

    private String data() {
      List<String> members = new ArrayList<>();
      members.add(member("object", r.nextInt(6) == 0 ? value(2) : idAndType("object")));
      if (r.nextBoolean()) {
        members.add(member("previous_attributes", value(3)));
      }
      if (r.nextInt(5) == 0) {
        members.add(member(pick(PLAIN_KEYS), value(2)));
      }
      Collections.shuffle(members, r);
      return object(members);
    }

    private String idAndType(String typeKey) {
      List<String> members = new ArrayList<>();
      if (r.nextInt(6) > 0) {
        members.add(member("id", r.nextInt(8) == 0 ? value(1) : string("ob_")));
      }
      if (r.nextInt(6) > 0) {
        members.add(member(typeKey, r.nextInt(8) == 0 ? value(1) : string("")));
      }
      int extra = r.nextInt(8);
      for (int k = 0; k < extra; k++) {
        members.add(member(pick(PLAIN_KEYS), value(4)));
      }
      Collections.shuffle(members, r);
      return object(members);
    }

    private String stringField(String prefix) {
      if (wellFormed || r.nextInt(5) > 0) {
        return string(prefix);
      }
      return pick("null", "\"\"", "42", "[]", "{}");
    }

    private String created(boolean thin) {
      if (!wellFormed && r.nextInt(4) == 0) {
        return pick(
            "1.5",
            "1e9",
            "\"yesterday\"",
            "true",
            "{}",
            "9223372036854775808",
            "-0",
            "9223372036854776",
            "-31557014167219200",
            "\"+300000000-01-01T00:00:00Z\"");
      }
      return switch (r.nextInt(thin ? 2 : 8)) {
        case 0 -> "\"2026-11-28T13:00:0" + r.nextInt(10) + (r.nextBoolean() ? ".123" : "") + "Z\"";
        case 1 -> "null";
        default -> Long.toString(r.nextInt(3) == 0 ? -r.nextInt(1000) : r.nextInt() & 0x7fffffffL);
      };
    }

    private String optional(String value) {
      return r.nextInt(5) == 0 ? "null" : value;
    }

    /** A value; a well-formed one has no escape in any key. */
    String value(int depth) {
      int kind = r.nextInt(depth > 0 ? 10 : 6);
      switch (kind) {
        case 0, 1, 2:
          return string("");
        case 3, 4:
          return pick(NUMBERS);
        case 5:
          return pick("true", "false", "null");
        case 6, 7, 8:
          {
            List<String> members = new ArrayList<>();
            int size = r.nextInt(5);
            for (int k = 0; k < size; k++) {
              String key =
                  wellFormed
                      ? pick(PLAIN_KEYS)
                      : r.nextBoolean() ? pick(KEYS) : pick(STRING_PIECES);
              members.add(member(key, value(depth - 1)));
            }
            return object(members);
          }
        default:
          {
            List<String> items = new ArrayList<>();
            int size = r.nextInt(5);
            for (int k = 0; k < size; k++) {
              items.add(value(depth - 1));
            }
            return "[" + ws() + String.join(ws() + "," + ws(), items) + ws() + "]";
          }
      }
    }

    private String string(String prefix) {
      StringBuilder s = new StringBuilder("\"").append(prefix);
      int pieces = r.nextInt(4);
      for (int k = 0; k < pieces; k++) {
        s.append(r.nextInt(3) == 0 ? pick(STRING_PIECES) : "x" + r.nextInt(1000));
      }
      return s.append('"').toString();
    }

    private String member(String key, String value) {
      return "\"" + key + "\"" + ws() + ":" + ws() + value;
    }

    private String object(List<String> members) {
      return "{" + ws() + String.join(ws() + "," + ws(), members) + ws() + "}";
    }

    private String ws() {
      return switch (r.nextInt(10)) {
        case 0 -> " ";
        case 1 -> "\n  ";
        case 2 -> "\r\n\t";
        case 3 -> "  ";
        default -> "";
      };
    }

    private String pick(String... options) {
      return options[r.nextInt(options.length)];
    }
  }
}
