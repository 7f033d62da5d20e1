package dev.stripeinbox.verify;

import static dev.stripeinbox.verify.SignatureFailure.SIGNATURE_MALFORMED;
import static dev.stripeinbox.verify.SignatureFailure.SIGNATURE_MISMATCH;
import static dev.stripeinbox.verify.SignatureFailure.SIGNATURE_MISSING;
import static dev.stripeinbox.verify.SignatureFailure.TIMESTAMP_OUTSIDE_TOLERANCE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

final class SignatureVerifierTest {
  private static final ZoneId UTC = ZoneOffset.UTC;
  private static final String SECRET = "whsec_4eC39HqLyjWDarjtT1zdp7dc";
  private static final String OLD_SECRET = "whsec_oldSecretStillValidFor24h";
  private static final Instant NOW = Instant.parse("2026-11-28T13:00:00Z");
  private static final long T = NOW.getEpochSecond();
  private static final Duration TOLERANCE = Duration.ofSeconds(300);
  private static final byte[] BODY =
      "{\n  \"id\": \"evt_1\",\n  \"object\": \"event\",\n  \"type\": \"invoice.paid\"\n}"
          .getBytes(UTF_8);

  private final SignatureVerifier verifier = verifier(List.of(SECRET), Clock.fixed(NOW, UTC));

  @Test
  void validHeaderIsAccepted() {
    assertThat(verifier.verify(BODY, Signing.header(SECRET, T, BODY))).isEmpty();
  }

  @Test
  void anyOfSeveralV1SignaturesMayMatchWhileASecretIsRolled() {
    String header =
        "t=" + T + ",v1=" + Signing.v1(OLD_SECRET, T, BODY) + ",v1=" + Signing.v1(SECRET, T, BODY);

    assertThat(verifier.verify(BODY, header)).isEmpty();
  }

  @Test
  void aSignatureByAnyOfTheEndpointsSecretsIsAccepted() {
    SignatureVerifier rotating = verifier(List.of(OLD_SECRET, SECRET), Clock.fixed(NOW, UTC));

    assertThat(rotating.verify(BODY, Signing.header(OLD_SECRET, T, BODY))).isEmpty();
    assertThat(rotating.verify(BODY, Signing.header(SECRET, T, BODY))).isEmpty();
    assertThat(rotating.verify(BODY, Signing.header("whsec_someoneElse", T, BODY)))
        .contains(SIGNATURE_MISMATCH);
  }

  @Test
  void signatureByAnotherSecretIsAMismatch() {
    assertThat(verifier.verify(BODY, Signing.header(OLD_SECRET, T, BODY)))
        .contains(SIGNATURE_MISMATCH);
  }

  @Test
  void secretIsUsedWholeIncludingItsPrefix() {
    String withoutPrefix = SECRET.substring("whsec_".length());

    assertThat(verifier.verify(BODY, Signing.header(withoutPrefix, T, BODY)))
        .contains(SIGNATURE_MISMATCH);
  }

  @Test
  void v0OnlyHeaderIsAMismatch() {
    String header = "t=" + T + ",v0=" + Signing.v1(SECRET, T, BODY);

    assertThat(verifier.verify(BODY, header)).contains(SIGNATURE_MISMATCH);
  }

  @Test
  void validV0DoesNotRescueAWrongV1() {
    String valid = Signing.v1(SECRET, T, BODY);
    String header = "t=" + T + ",v1=" + flipFirstHexDigit(valid) + ",v0=" + valid;

    assertThat(verifier.verify(BODY, header)).contains(SIGNATURE_MISMATCH);
  }

  @Test
  void otherSchemesBesideAValidV1AreIgnored() {
    String header = Signing.header(SECRET, T, BODY) + ",v0=6ffbb59b2300aae63f27,v2=future";

    assertThat(verifier.verify(BODY, header)).isEmpty();
  }

  @Test
  void tamperedBodyIsAMismatch() {
    String header = Signing.header(SECRET, T, BODY);
    byte[] tampered =
        new String(BODY, UTF_8).replace("invoice.paid", "invoice.void").getBytes(UTF_8);

    assertThat(verifier.verify(tampered, header)).contains(SIGNATURE_MISMATCH);
  }

  @Test
  void reserialisedBodyWithTheSameJsonIsAMismatch() {
    String header = Signing.header(SECRET, T, BODY);
    byte[] compact =
        "{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"invoice.paid\"}".getBytes(UTF_8);

    assertThat(verifier.verify(compact, header)).contains(SIGNATURE_MISMATCH);
  }

  @Test
  void signatureOverAnotherTimestampIsAMismatch() {
    String header = "t=" + T + ",v1=" + Signing.v1(SECRET, T - 1, BODY);

    assertThat(verifier.verify(BODY, header)).contains(SIGNATURE_MISMATCH);
  }

  @Test
  void timestampTooFarInThePastIsOutsideTolerance() {
    long stale = T - TOLERANCE.toSeconds() - 1;

    assertThat(verifier.verify(BODY, Signing.header(SECRET, stale, BODY)))
        .contains(TIMESTAMP_OUTSIDE_TOLERANCE);
  }

  @Test
  void timestampTooFarInTheFutureIsOutsideTolerance() {
    long future = T + TOLERANCE.toSeconds() + 1;

    assertThat(verifier.verify(BODY, Signing.header(SECRET, future, BODY)))
        .contains(TIMESTAMP_OUTSIDE_TOLERANCE);
  }

  @Test
  void timestampsExactlyAtTheToleranceEdgeAreAccepted() {
    long past = T - TOLERANCE.toSeconds();
    long future = T + TOLERANCE.toSeconds();

    assertThat(verifier.verify(BODY, Signing.header(SECRET, past, BODY))).isEmpty();
    assertThat(verifier.verify(BODY, Signing.header(SECRET, future, BODY))).isEmpty();
  }

  @Test
  void timestampZeroIsOutsideTolerance() {
    assertThat(verifier.verify(BODY, Signing.header(SECRET, 0, BODY)))
        .contains(TIMESTAMP_OUTSIDE_TOLERANCE);
  }

  @Test
  void aDeliveryGoesStaleOnceTheClockPassesTheTolerance() {
    SettableClock clock = new SettableClock(NOW);
    SignatureVerifier timed = verifier(List.of(SECRET), clock);
    String header = Signing.header(SECRET, T, BODY);

    clock.set(NOW.plus(TOLERANCE).plusMillis(999));
    assertThat(timed.verify(BODY, header)).isEmpty();

    clock.set(NOW.plus(TOLERANCE).plusSeconds(1));
    assertThat(timed.verify(BODY, header)).contains(TIMESTAMP_OUTSIDE_TOLERANCE);
  }

  @Test
  void staleTimestampIsReportedEvenWhenTheSignatureIsAlsoWrong() {
    long stale = T - TOLERANCE.toSeconds() - 1;
    String header = "t=" + stale + ",v1=" + "0".repeat(64);

    assertThat(verifier.verify(BODY, header)).contains(TIMESTAMP_OUTSIDE_TOLERANCE);
  }

  @Test
  void upperCaseHexIsAMismatch() {
    String header = "t=" + T + ",v1=" + Signing.v1(SECRET, T, BODY).toUpperCase(Locale.ROOT);

    assertThat(verifier.verify(BODY, header)).contains(SIGNATURE_MISMATCH);
  }

  @Test
  void truncatedOrExtendedSignatureIsAMismatch() {
    String valid = Signing.v1(SECRET, T, BODY);

    assertThat(verifier.verify(BODY, "t=" + T + ",v1=" + valid.substring(1)))
        .contains(SIGNATURE_MISMATCH);
    assertThat(verifier.verify(BODY, "t=" + T + ",v1=" + valid + "0")).contains(SIGNATURE_MISMATCH);
    assertThat(verifier.verify(BODY, "t=" + T + ",v1=")).contains(SIGNATURE_MISMATCH);
  }

  @Test
  void spaceAfterTheCommaHidesTheSignature() {
    String header = "t=" + T + ", v1=" + Signing.v1(SECRET, T, BODY);

    assertThat(verifier.verify(BODY, header)).contains(SIGNATURE_MISMATCH);
  }

  @Test
  void headerWithOnlyATimestampIsAMismatch() {
    assertThat(verifier.verify(BODY, "t=" + T)).contains(SIGNATURE_MISMATCH);
  }

  @Test
  void emptyBodyCanBeSignedAndVerified() {
    byte[] empty = new byte[0];

    assertThat(verifier.verify(empty, Signing.header(SECRET, T, empty))).isEmpty();
    assertThat(verifier.verify(BODY, Signing.header(SECRET, T, empty)))
        .contains(SIGNATURE_MISMATCH);
  }

  @Test
  void nullHeaderIsSignatureMissing() {
    assertThat(verifier.verify(BODY, null)).contains(SIGNATURE_MISSING);
  }

  static Stream<Arguments> malformedHeaders() {
    String v1 = ",v1=" + Signing.v1(SECRET, T, BODY);
    char[] huge = new char[100 * 1024];
    Arrays.fill(huge, 'a');
    return Stream.of(
        Arguments.of("empty string", ""),
        Arguments.of("missing t", v1.substring(1)),
        Arguments.of("empty t", "t=" + v1),
        Arguments.of("non-numeric t", "t=abc" + v1),
        Arguments.of("negative t", "t=-5" + v1),
        Arguments.of("signed t", "t=+" + T + v1),
        Arguments.of("t with a space", "t= " + T + v1),
        Arguments.of("t longer than 12 digits", "t=0000" + T + v1),
        Arguments.of("t that overflows a long", "t=99999999999999999999" + v1),
        Arguments.of("duplicate t", "t=" + T + v1 + ",t=" + (T - 1)),
        Arguments.of("item without =", "t=" + T + v1 + ",garbage"),
        Arguments.of("t without =", "t" + v1),
        Arguments.of("v1 without =", "t=" + T + ",v1"),
        Arguments.of("empty key", "t=" + T + ",=abc" + v1),
        Arguments.of("trailing comma", "t=" + T + v1 + ","),
        Arguments.of("leading comma", ",t=" + T + v1),
        Arguments.of("empty item", "t=" + T + "," + v1),
        Arguments.of("only a comma", ","),
        Arguments.of("huge header", "t=" + T + v1 + ",x=" + new String(huge)),
        Arguments.of("NUL character", "t=" + T + v1 + "\u0000"),
        Arguments.of("control characters", "t=" + T + "\r\n" + v1),
        Arguments.of("tab", "t=" + T + ",\tv1=00"),
        Arguments.of("DEL character", "t=" + T + v1 + ",x=\u007f"),
        Arguments.of("non-ASCII", "t=" + T + v1 + ",x=caf\u00e9"),
        Arguments.of("non-ASCII digits in t", "t=\u0661\u0667" + v1),
        Arguments.of("lone surrogate", "t=" + T + v1 + ",x=\ud800"),
        Arguments.of("binary garbage", new String(new byte[] {0, -1, 7, 27, -128, 10}, UTF_8)),
        Arguments.of("more than 32 v1 values", "t=" + T + v1.repeat(33)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedHeaders")
  void malformedHeaderIsMalformedAndNeverThrows(String description, String header) {
    assertThat(verifier.verify(BODY, header)).contains(SIGNATURE_MALFORMED);
  }

  @Test
  void headerOfTheLargestAllowedLengthIsStillRead() {
    String valid = Signing.header(SECRET, T, BODY) + ",x=";
    String header = valid + "a".repeat(SignatureVerifier.MAX_HEADER_LENGTH - valid.length());

    assertThat(header).hasSize(SignatureVerifier.MAX_HEADER_LENGTH);
    assertThat(verifier.verify(BODY, header)).isEmpty();
    assertThat(verifier.verify(BODY, header + "a")).contains(SIGNATURE_MALFORMED);
  }

  @Test
  void emptySecretListIsRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new SignatureVerifier(List.of(), TOLERANCE, Clock.fixed(NOW, UTC)));
  }

  @Test
  void emptySecretIsRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new SignatureVerifier(List.of(SECRET, ""), TOLERANCE, Clock.fixed(NOW, UTC)));
  }

  @Test
  void nullSecretIsRejected() {
    List<String> secrets = new ArrayList<>();
    secrets.add(null);

    assertThrows(
        IllegalArgumentException.class,
        () -> new SignatureVerifier(secrets, TOLERANCE, Clock.fixed(NOW, UTC)));
  }

  @Test
  void nonPositiveToleranceIsRejected() {
    Clock clock = Clock.fixed(NOW, UTC);

    assertThrows(
        IllegalArgumentException.class,
        () -> new SignatureVerifier(List.of(SECRET), Duration.ZERO, clock));
    assertThrows(
        IllegalArgumentException.class,
        () -> new SignatureVerifier(List.of(SECRET), Duration.ofSeconds(-300), clock));
  }

  @Test
  void concurrentVerificationsAllGetTheRightAnswer() throws Exception {
    SignatureVerifier shared = verifier(List.of(OLD_SECRET, SECRET), Clock.fixed(NOW, UTC));
    int threads = 16;
    int perThread = 2_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int n = 0; n < threads; n++) {
        int thread = n;
        Callable<Integer> task =
            () -> {
              start.await();
              int wrong = 0;
              for (int i = 0; i < perThread; i++) {
                byte[] body = ("{\"id\":\"evt_" + thread + "_" + i + "\"}").getBytes(UTF_8);
                String secret = i % 2 == 0 ? SECRET : OLD_SECRET;
                String header = Signing.header(secret, T, body);
                Optional<SignatureFailure> expected =
                    i % 3 == 0 ? Optional.of(SIGNATURE_MISMATCH) : Optional.empty();
                byte[] delivered = i % 3 == 0 ? Arrays.copyOf(body, body.length + 1) : body;
                if (!shared.verify(delivered, header).equals(expected)) {
                  wrong++;
                }
              }
              return wrong;
            };
        results.add(pool.submit(task));
      }
      start.countDown();
      for (Future<Integer> result : results) {
        assertThat(result.get(60, TimeUnit.SECONDS)).isZero();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static SignatureVerifier verifier(List<String> secrets, Clock clock) {
    return new SignatureVerifier(secrets, TOLERANCE, clock);
  }

  private static String flipFirstHexDigit(String hex) {
    char first = hex.charAt(0);
    return (first == '0' ? '1' : '0') + hex.substring(1);
  }

  /** A clock that stays where a test puts it. */
  private static final class SettableClock extends Clock {
    private volatile Instant now;

    SettableClock(Instant now) {
      this.now = now;
    }

    void set(Instant now) {
      this.now = now;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
