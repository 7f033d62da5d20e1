package dev.stripeinbox.verify;

import static dev.stripeinbox.verify.SignatureFailure.SIGNATURE_MALFORMED;
import static dev.stripeinbox.verify.SignatureFailure.SIGNATURE_MISSING;
import static dev.stripeinbox.verify.SignatureFailure.TIMESTAMP_OUTSIDE_TOLERANCE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.stripe.exception.SignatureVerificationException;
import com.stripe.net.Webhook;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.statistics.Statistics;

/**
 * Compares {@link SignatureVerifier} with stripe-java's {@code Webhook.Signature.verifyHeader}.
 *
 * <p>Both sides read the same fixed clock (stripe-java's overload that takes a {@link Clock}; the
 * four-argument one reads the system clock through the same code), so the tolerance edge is exact
 * and nothing here depends on when the test runs.
 *
 * <p>Wherever stripe-java gives an answer (it returns, or throws {@link
 * SignatureVerificationException}) the two agree on accept or reject, except for these deliberate
 * deviations, each pinned by its own property or example below. In every one of them we reject what
 * stripe-java accepts; there is no input that we accept and stripe-java rejects.
 *
 * <ol>
 *   <li>A timestamp further in the future than the tolerance is rejected ({@code
 *       timestamp_outside_tolerance}); stripe-java never checks the future.
 *   <li>An empty item (leading, trailing or doubled comma) is malformed; stripe-java skips it.
 *   <li>A duplicate {@code t} is malformed; stripe-java takes the first one.
 *   <li>An item without {@code =}, or with an empty key ({@code =abc}), is malformed; stripe-java
 *       skips it unless its key is {@code t} or {@code v1}, where it throws.
 *   <li>A control character, DEL or any non-ASCII character anywhere in the header is malformed;
 *       stripe-java skips such items, and even reads non-ASCII digits in {@code t}.
 *   <li>A header longer than {@link SignatureVerifier#MAX_HEADER_LENGTH} characters is malformed.
 *   <li>More than 32 {@code v1} values are malformed.
 *   <li>A {@code t} that is not 1 to 12 plain ASCII digits ({@code +123}, or padded with zeros to
 *       more than 12 digits) is malformed; stripe-java parses it with {@code Long.parseLong}.
 * </ol>
 *
 * <p>Where stripe-java throws anything else ({@code NumberFormatException} for {@code t=} or {@code
 * t=abc}, {@code ArrayIndexOutOfBoundsException} for a bare {@code t} or {@code v1}), we answer
 * {@code signature_malformed}; for a missing header (its {@code NullPointerException}) we answer
 * {@code signature_missing}.
 */
final class SignatureVerifierDifferentialTest {
  private static final Instant NOW = Instant.parse("2026-11-28T13:00:00Z");
  private static final long T = NOW.getEpochSecond();
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final long TOLERANCE = 300;
  private static final String SECRET = "whsec_4eC39HqLyjWDarjtT1zdp7dc";

  /** What stripe-java made of one input. */
  enum Verdict {
    ACCEPTED,
    REJECTED,
    /** Threw something other than {@link SignatureVerificationException}. */
    CRASHED
  }

  // --- Where both give an answer, they agree. ---

  @Property(tries = 1000)
  void wellFormedHeadersGetStripeJavasVerdict(
      @ForAll("payloads") String payload,
      @ForAll("secrets") String secret,
      @ForAll("headerShapes") HeaderShape shape) {
    String header = shape.build(payload, secret);
    String deliveredPayload = shape.tamperBody ? payload + " " : payload;

    Verdict theirs = stripeJava(deliveredPayload, header, secret);
    Optional<SignatureFailure> ours = ours(List.of(secret)).verify(bytes(deliveredPayload), header);

    assertThat(theirs).isNotEqualTo(Verdict.CRASHED);
    assertThat(ours.isEmpty())
        .as("ours %s, stripe-java %s, header %s", ours, theirs, header)
        .isEqualTo(theirs == Verdict.ACCEPTED);
    Statistics.collect(theirs);
    Statistics.coverage(
        coverage -> {
          coverage.check(Verdict.ACCEPTED).percentage(p -> p > 10);
          coverage.check(Verdict.REJECTED).percentage(p -> p > 10);
        });
  }

  @Property(tries = 1000)
  void withSeveralSecretsWeAcceptWhatStripeJavaAcceptsWithAnyOfThem(
      @ForAll("payloads") String payload,
      @ForAll("secrets") String first,
      @ForAll("secrets") String second,
      @ForAll("headerShapes") HeaderShape shape,
      @ForAll boolean signWithSecond) {
    String header = shape.build(payload, signWithSecond ? second : first);

    boolean theirs =
        stripeJava(payload, header, first) == Verdict.ACCEPTED
            || stripeJava(payload, header, second) == Verdict.ACCEPTED;
    boolean oursAccepts = ours(List.of(first, second)).verify(bytes(payload), header).isEmpty();

    assertThat(oursAccepts).as("header %s", header).isEqualTo(theirs);
  }

  /**
   * Random item soup: wherever we do not call the header malformed, stripe-java gives the same
   * verdict; and wherever stripe-java crashes, we call it malformed.
   */
  @Property(tries = 1000)
  void headersWeCanReadGetStripeJavasVerdictAndItsCrashesAreMalformedForUs(
      @ForAll("payloads") String payload, @ForAll("itemSoup") List<String> items) {
    String header = String.join(",", items).replace("SIG", Signing.v1(SECRET, T, bytes(payload)));

    Verdict theirs = stripeJava(payload, header, SECRET);
    Optional<SignatureFailure> ours = ours(List.of(SECRET)).verify(bytes(payload), header);

    boolean weCanRead = !ours.equals(Optional.of(SIGNATURE_MALFORMED));
    if (theirs == Verdict.CRASHED) {
      assertThat(ours).as("header %s", header).contains(SIGNATURE_MALFORMED);
    } else if (weCanRead) {
      assertThat(ours.isEmpty())
          .as("ours %s, stripe-java %s, header %s", ours, theirs, header)
          .isEqualTo(theirs == Verdict.ACCEPTED);
    }
    Statistics.collect(theirs, weCanRead);
    Statistics.coverage(
        coverage -> {
          coverage.check(Verdict.ACCEPTED, true).percentage(p -> p > 2);
          coverage.check(Verdict.REJECTED, true).percentage(p -> p > 2);
          coverage.check(Verdict.CRASHED, false).percentage(p -> p > 2);
        });
  }

  @Property(tries = 1000)
  void headersThatCrashStripeJavaAreMalformedForUs(
      @ForAll("payloads") String payload,
      @ForAll("crashingItems") String crashing,
      @ForAll @IntRange(min = 0, max = 2) int position) {
    List<String> items = validItems(payload);
    // stripe-java reads only the first t, so a bad t crashes it only when it comes first.
    items.add(crashing.startsWith("t") ? 0 : position, crashing);
    String header = String.join(",", items);

    assertThat(stripeJava(payload, header, SECRET)).isEqualTo(Verdict.CRASHED);
    assertThat(ours(List.of(SECRET)).verify(bytes(payload), header)).contains(SIGNATURE_MALFORMED);
  }

  @Example
  void missingHeaderCrashesStripeJavaButIsSignatureMissingForUs() {
    assertThat(stripeJava("{}", null, SECRET)).isEqualTo(Verdict.CRASHED);
    assertThat(ours(List.of(SECRET)).verify(bytes("{}"), null)).contains(SIGNATURE_MISSING);
  }

  // --- The deviations: stripe-java accepts, we reject. One property or example each. ---

  @Property(tries = 1000)
  void deviationFutureTimestampBeyondToleranceIsRejected(
      @ForAll("payloads") String payload,
      @ForAll @LongRange(min = TOLERANCE + 1, max = 10_000_000) long ahead) {
    String header = Signing.header(SECRET, T + ahead, bytes(payload));

    assertThat(stripeJava(payload, header, SECRET)).isEqualTo(Verdict.ACCEPTED);
    assertThat(ours(List.of(SECRET)).verify(bytes(payload), header))
        .contains(TIMESTAMP_OUTSIDE_TOLERANCE);
  }

  @Property(tries = 1000)
  void deviationEmptyItemIsMalformed(
      @ForAll("payloads") String payload, @ForAll @IntRange(min = 0, max = 2) int position) {
    List<String> items = validItems(payload);
    items.add(position, ""); // leading, doubled or trailing comma
    String header = String.join(",", items);

    assertDeviation(payload, header);
  }

  @Property(tries = 1000)
  void deviationDuplicateTimestampIsMalformed(
      @ForAll("payloads") String payload,
      @ForAll @LongRange(min = -1_000_000, max = 1_000_000) long otherOffset) {
    String header = Signing.header(SECRET, T, bytes(payload)) + ",t=" + (T + otherOffset);

    assertDeviation(payload, header);
  }

  @Property(tries = 1000)
  void deviationItemWithoutKeyValueSeparatorOrWithEmptyKeyIsMalformed(
      @ForAll("payloads") String payload,
      @ForAll("keylessItems") String item,
      @ForAll @IntRange(min = 0, max = 2) int position) {
    List<String> items = validItems(payload);
    items.add(position, item);

    assertDeviation(payload, String.join(",", items));
  }

  @Property(tries = 1000)
  void deviationControlOrNonAsciiCharacterIsMalformed(
      @ForAll("payloads") String payload, @ForAll("unprintableChars") char unprintable) {
    String header = Signing.header(SECRET, T, bytes(payload)) + ",x=" + unprintable;

    assertDeviation(payload, header);
  }

  @Example
  void deviationNonAsciiDigitsInTimestampAreMalformed() {
    // Long.parseLong reads Arabic-Indic digits; the signed payload then uses ASCII digits.
    String payload = "{}";
    String arabicT = toArabicIndicDigits(Long.toString(T));
    String header = "t=" + arabicT + ",v1=" + sign(SECRET, T, payload);

    assertDeviation(payload, header);
  }

  @Example
  void deviationOverlongHeaderIsMalformed() {
    String payload = "{}";
    String header = Signing.header(SECRET, T, bytes(payload)) + ",x=";
    header += "a".repeat(SignatureVerifier.MAX_HEADER_LENGTH + 1 - header.length());

    assertDeviation(payload, header);
  }

  @Example
  void deviationMoreThan32SignaturesAreMalformed() {
    String payload = "{}";
    String header = "t=" + T + ",v1=" + "0".repeat(64) + ",v1=" + sign(SECRET, T, payload);
    header += (",v1=" + "1".repeat(64)).repeat(31);

    assertDeviation(payload, header);
  }

  @Example
  void deviationTimestampThatIsNotPlainDigitsIsMalformed() {
    String payload = "{}";
    String v1 = ",v1=" + sign(SECRET, T, payload);

    assertDeviation(payload, "t=+" + T + v1);
    assertDeviation(payload, "t=0000" + T + v1);
  }

  // --- Generators ---

  @Provide
  Arbitrary<String> payloads() {
    Arbitrary<String> anything = Arbitraries.strings().all().ofMaxLength(300);
    Arbitrary<String> ids = Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(24);
    Arbitrary<String> types =
        Arbitraries.of("payment_intent.succeeded", "invoice.paid", "customer.updated");
    Arbitrary<String> texts = Arbitraries.strings().all().ofMaxLength(40);
    Arbitrary<String> jsonLike =
        Combinators.combine(ids, types, Arbitraries.longs().between(0, 10_000_000), texts)
            .as(
                (id, type, amount, text) ->
                    "{\n  \"id\": \"evt_"
                        + id
                        + "\",\n  \"object\": \"event\",\n  \"data\": {\n    \"object\": {\n"
                        + "      \"amount\": "
                        + amount
                        + ",\n      \"description\": \""
                        + text
                        + "\"\n    }\n  },\n  \"type\": \""
                        + type
                        + "\"\n}");
    return Arbitraries.oneOf(anything, jsonLike, Arbitraries.just(""));
  }

  @Provide
  Arbitrary<String> secrets() {
    Arbitrary<String> usual =
        Arbitraries.strings()
            .alpha()
            .numeric()
            .ofMinLength(1)
            .ofMaxLength(40)
            .map("whsec_"::concat);
    Arbitrary<String> odd = Arbitraries.strings().all().ofMinLength(1).ofMaxLength(20);
    return Arbitraries.frequencyOf(Tuple.of(9, usual), Tuple.of(1, odd));
  }

  /** Well-formed headers of every shape Stripe sends, and a few it does not. */
  @Provide
  Arbitrary<HeaderShape> headerShapes() {
    // Past: anywhere from a few days ago; future: within the tolerance (beyond it is a deviation).
    // Both sides read the same fixed clock, so even the exact edge is deterministic.
    Arbitrary<Long> offsets =
        Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.longs().between(-TOLERANCE, TOLERANCE)),
            Tuple.of(2, Arbitraries.longs().between(-1_000_000, -TOLERANCE - 1)),
            Tuple.of(1, Arbitraries.of(-TOLERANCE - 1, -TOLERANCE, TOLERANCE)));
    Arbitrary<Signer> signers =
        Arbitraries.frequency(
            Tuple.of(6, Signer.THE_SECRET),
            Tuple.of(1, Signer.ANOTHER_SECRET),
            Tuple.of(1, Signer.NOBODY));
    Arbitrary<Boolean> sometimes = Arbitraries.frequency(Tuple.of(1, true), Tuple.of(4, false));
    Arbitrary<Boolean> often = Arbitraries.of(true, false);
    return Combinators.combine(
            offsets,
            signers,
            Arbitraries.integers().between(0, 3),
            often,
            often,
            sometimes,
            sometimes,
            Arbitraries.longs())
        .as(HeaderShape::new);
  }

  @Provide
  Arbitrary<List<String>> itemSoup() {
    // The two items of a valid header come up often, so that many soups are accepted.
    Arbitrary<String> valid = Arbitraries.of("t=" + T, "v1=SIG");
    Arbitrary<String> other =
        Arbitraries.of(
            "t=" + (T - 100),
            "t=" + (T - TOLERANCE - 1),
            "t=" + (T + 100),
            "t=0",
            "t=1",
            "t=-1",
            "t=",
            "t=abc",
            "t",
            "t=99999999999999999999",
            "v1=SIG",
            "v1=" + "0".repeat(64),
            "v1=",
            "v1",
            "v0=SIG",
            "V1=SIG",
            " v1=SIG",
            "v1=SIG ",
            "v1=SIG=",
            "x",
            "=x",
            "",
            "x=y",
            "v2=z");
    return Arbitraries.frequencyOf(Tuple.of(2, valid), Tuple.of(1, other))
        .list()
        .ofMinSize(0)
        .ofMaxSize(5);
  }

  @Provide
  Arbitrary<String> crashingItems() {
    Arbitrary<String> notALong =
        Arbitraries.oneOf(
            Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(10),
            Arbitraries.just(""),
            Arbitraries.strings().numeric().ofMinLength(19).ofMaxLength(40).map("9"::concat),
            Arbitraries.just("1.5"),
            Arbitraries.just("0x10"));
    return Arbitraries.oneOf(notALong.map("t="::concat), Arbitraries.of("t", "v1"));
  }

  @Provide
  Arbitrary<String> keylessItems() {
    Arbitrary<String> word = Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(8);
    return Arbitraries.oneOf(
        word.filter(w -> !w.equals("t") && !w.equals("v1")), word.map("="::concat));
  }

  @Provide
  Arbitrary<Character> unprintableChars() {
    return Arbitraries.oneOf(
        Arbitraries.chars().range('\u0000', '\u001f'),
        Arbitraries.just('\u007f'),
        Arbitraries.chars().range('\u0080', '\uffff'));
  }

  // --- Helpers ---

  /** Who signed the correct-timestamp v1 of a generated header. */
  enum Signer {
    THE_SECRET,
    ANOTHER_SECRET,
    NOBODY
  }

  /**
   * One header: its timestamp, who signed it, extra wrong {@code v1} values, a {@code v0} with the
   * real signature, an unknown scheme, a mutated or upper-cased signature, a tampered body, and an
   * item order.
   */
  record HeaderShape(
      long offset,
      Signer signer,
      int wrongV1s,
      boolean v0,
      boolean unknownScheme,
      boolean mutate,
      boolean tamperBody,
      long orderSeed) {

    String build(String payload, String secret) {
      long t = T + offset;
      String real = sign(secret, t, payload);
      Random random = new Random(orderSeed);
      List<String> items = new ArrayList<>();
      items.add("t=" + t);
      switch (signer) {
        case THE_SECRET -> items.add("v1=" + (mutate ? mutateHex(real, random) : real));
        case ANOTHER_SECRET -> items.add("v1=" + sign(secret + "x", t, payload));
        case NOBODY -> {}
      }
      for (int i = 0; i < wrongV1s; i++) {
        items.add("v1=" + sign(secret, t - 1 - i, payload));
      }
      if (v0) {
        items.add("v0=" + real);
      }
      if (unknownScheme) {
        items.add("v2=" + real);
      }
      Collections.shuffle(items, random);
      return String.join(",", items);
    }

    /** Flips one hex digit, or upper-cases the whole value (which no Stripe SDK but Go accepts). */
    private static String mutateHex(String hex, Random random) {
      if (random.nextBoolean()) {
        return hex.toUpperCase(Locale.ROOT);
      }
      int at = random.nextInt(hex.length());
      char flipped = hex.charAt(at) == 'a' ? 'b' : 'a';
      return hex.substring(0, at) + flipped + hex.substring(at + 1);
    }
  }

  /** Asserts that stripe-java accepts the header and we call it malformed. */
  private static void assertDeviation(String payload, String header) {
    assertThat(stripeJava(payload, header, SECRET)).as("stripe-java").isEqualTo(Verdict.ACCEPTED);
    assertThat(ours(List.of(SECRET)).verify(bytes(payload), header))
        .as("ours")
        .contains(SIGNATURE_MALFORMED);
  }

  private static List<String> validItems(String payload) {
    return new ArrayList<>(List.of("t=" + T, "v1=" + sign(SECRET, T, payload)));
  }

  private static SignatureVerifier ours(List<String> secrets) {
    return new SignatureVerifier(secrets, Duration.ofSeconds(TOLERANCE), CLOCK);
  }

  /** Classifies stripe-java's answer; catching here records a verdict, it asserts nothing. */
  private static Verdict stripeJava(String payload, String header, String secret) {
    try {
      Webhook.Signature.verifyHeader(payload, header, secret, TOLERANCE, CLOCK);
      return Verdict.ACCEPTED;
    } catch (SignatureVerificationException e) {
      return Verdict.REJECTED;
    } catch (RuntimeException e) {
      return Verdict.CRASHED;
    }
  }

  private static String sign(String secret, long t, String payload) {
    return Signing.v1(secret, t, bytes(payload));
  }

  private static byte[] bytes(String payload) {
    return payload.getBytes(UTF_8);
  }

  private static String toArabicIndicDigits(String digits) {
    StringBuilder out = new StringBuilder(digits.length());
    for (char c : digits.toCharArray()) {
      out.append((char) ('\u0660' + (c - '0')));
    }
    return out.toString();
  }
}
