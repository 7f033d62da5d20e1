package dev.stripeinbox.verify;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies {@code Stripe-Signature} headers against one endpoint's signing secrets.
 *
 * <p>A delivery is accepted when its timestamp is within the tolerance of now, in the past
 * <em>or</em> the future, and any {@code v1} signature matches any of the secrets (secret
 * rotation). Other schemes, {@code v0} included, are ignored, which prevents downgrades. Malformed
 * headers are a {@link SignatureFailure#SIGNATURE_MALFORMED} value, never an exception.
 *
 * <p>Deviations from stripe-java's {@code Webhook.Signature.verifyHeader}: timestamps too far in
 * the future are rejected. A header is malformed where stripe-java would skip the oddity (an empty
 * item, an item without {@code =} or with an empty key, a control or non-ASCII character, more than
 * 32 {@code v1} values, more than {@value #MAX_HEADER_LENGTH} characters), take the first of two
 * {@code t} items, accept a {@code t} that is not 1 to 12 ASCII digits ({@code +5}, zero padding),
 * or throw ({@code t=}, {@code t=abc}, a bare {@code t} or {@code v1}). And the timestamp is
 * checked before the HMAC, so stale replays cost no hashing.
 *
 * <p>Thread-safe. Each thread reuses its own initialised {@link Mac} per secret, so verification
 * allocates no cipher objects.
 */
public final class SignatureVerifier {
  /** Longer headers are malformed. Real ones are about 150 characters, 250 while rolling. */
  public static final int MAX_HEADER_LENGTH = 8192;

  private static final String HMAC = "HmacSHA256";
  private static final byte[] HEX = "0123456789abcdef".getBytes(UTF_8);
  private static final int SIGNATURE_HEX_LENGTH = 64;

  private final Mac[] prototypes;
  private final ThreadLocal<Mac[]> macs;
  private final long toleranceSeconds;
  private final Clock clock;

  /**
   * @param secrets the endpoint's signing secrets, each used whole ({@code whsec_} prefix
   *     included); at least one
   * @param tolerance the largest allowed gap between the signed timestamp and now; positive
   * @param clock the source of now
   */
  public SignatureVerifier(List<String> secrets, Duration tolerance, Clock clock) {
    Objects.requireNonNull(secrets, "secrets");
    Objects.requireNonNull(tolerance, "tolerance");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("at least one signing secret is required");
    }
    if (tolerance.toSeconds() < 1) {
      throw new IllegalArgumentException("tolerance must be at least 1s, was " + tolerance);
    }
    this.toleranceSeconds = tolerance.toSeconds();
    this.prototypes = new Mac[secrets.size()];
    for (int i = 0; i < prototypes.length; i++) {
      String secret = secrets.get(i);
      if (secret == null || secret.isEmpty()) {
        throw new IllegalArgumentException("signing secrets must not be empty");
      }
      prototypes[i] = newMac(secret);
    }
    this.macs = ThreadLocal.withInitial(this::cloneMacs);
  }

  /**
   * Checks one delivery.
   *
   * @param payload the exact request body bytes
   * @param header the {@code Stripe-Signature} header value, or null when absent
   * @return empty when the delivery is authentic and fresh, otherwise why it is not
   */
  public Optional<SignatureFailure> verify(byte[] payload, String header) {
    Objects.requireNonNull(payload, "payload");
    if (header == null) {
      return Optional.of(SignatureFailure.SIGNATURE_MISSING);
    }
    ParsedHeader parsed = ParsedHeader.parse(header);
    if (parsed == null) {
      return Optional.of(SignatureFailure.SIGNATURE_MALFORMED);
    }
    long now = Math.floorDiv(clock.millis(), 1000L);
    if (Math.abs(now - parsed.timestamp) > toleranceSeconds) {
      return Optional.of(SignatureFailure.TIMESTAMP_OUTSIDE_TOLERANCE);
    }
    if (parsed.v1Count == 0) {
      return Optional.of(SignatureFailure.SIGNATURE_MISMATCH);
    }
    Mac[] threadMacs = macs.get();
    byte[] prefix = (parsed.timestamp + ".").getBytes(UTF_8);
    for (Mac mac : threadMacs) {
      mac.update(prefix);
      byte[] expected = hex(mac.doFinal(payload));
      for (int i = 0; i < parsed.v1Count; i++) {
        if (parsed.v1Matches(header, i, expected)) {
          return Optional.empty();
        }
      }
    }
    return Optional.of(SignatureFailure.SIGNATURE_MISMATCH);
  }

  private Mac[] cloneMacs() {
    Mac[] copy = new Mac[prototypes.length];
    for (int i = 0; i < copy.length; i++) {
      try {
        copy[i] = (Mac) prototypes[i].clone();
      } catch (CloneNotSupportedException e) {
        throw new IllegalStateException("the JDK's HmacSHA256 cannot be cloned", e);
      }
    }
    return copy;
  }

  private static Mac newMac(String secret) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(secret.getBytes(UTF_8), HMAC));
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable in this JDK", e);
    }
  }

  private static byte[] hex(byte[] digest) {
    byte[] out = new byte[digest.length * 2];
    for (int i = 0; i < digest.length; i++) {
      out[2 * i] = HEX[(digest[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[digest[i] & 0xf];
    }
    return out;
  }

  /**
   * The parts of a header that matter: the one timestamp and where the {@code v1} values are.
   * Parsing records offsets instead of allocating substrings.
   */
  private static final class ParsedHeader {
    private static final int MAX_V1 = 32;

    long timestamp;
    int v1Count;
    final int[] v1Start = new int[MAX_V1];
    final int[] v1End = new int[MAX_V1];

    /** Returns null when the header is malformed. */
    static ParsedHeader parse(String header) {
      int length = header.length();
      if (length == 0 || length > MAX_HEADER_LENGTH) {
        return null;
      }
      ParsedHeader parsed = new ParsedHeader();
      boolean sawTimestamp = false;
      int itemStart = 0;
      while (itemStart <= length) {
        int itemEnd = header.indexOf(',', itemStart);
        if (itemEnd < 0) {
          itemEnd = length;
        }
        int eq = -1;
        for (int i = itemStart; i < itemEnd; i++) {
          char c = header.charAt(i);
          if (c < 0x20 || c > 0x7e) {
            return null; // control or non-ASCII characters never appear in a real header
          }
          if (c == '=' && eq < 0) {
            eq = i;
          }
        }
        if (eq <= itemStart) {
          return null; // an empty item, an item without '=', or an empty scheme name
        }
        if (isKey(header, itemStart, eq, "t")) {
          if (sawTimestamp) {
            return null; // two timestamps: SDKs disagree on which wins, so neither does
          }
          sawTimestamp = true;
          parsed.timestamp = parseSeconds(header, eq + 1, itemEnd);
          if (parsed.timestamp < 0) {
            return null;
          }
        } else if (isKey(header, itemStart, eq, "v1")) {
          if (parsed.v1Count == MAX_V1) {
            return null;
          }
          parsed.v1Start[parsed.v1Count] = eq + 1;
          parsed.v1End[parsed.v1Count] = itemEnd;
          parsed.v1Count++;
        }
        itemStart = itemEnd + 1;
      }
      return sawTimestamp ? parsed : null;
    }

    /** Constant-time comparison of the i-th {@code v1} value with the expected lowercase hex. */
    boolean v1Matches(String header, int i, byte[] expected) {
      int start = v1Start[i];
      int len = v1End[i] - start;
      if (len != SIGNATURE_HEX_LENGTH) {
        return false;
      }
      byte[] given = new byte[len];
      for (int k = 0; k < len; k++) {
        given[k] = (byte) header.charAt(start + k);
      }
      return MessageDigest.isEqual(given, expected);
    }

    private static boolean isKey(String header, int start, int end, String key) {
      return end - start == key.length() && header.startsWith(key, start);
    }

    /** Unix seconds of at most 12 digits, or -1 when empty, signed, or not a number. */
    private static long parseSeconds(String header, int start, int end) {
      if (start == end || end - start > 12) {
        return -1;
      }
      long value = 0;
      for (int i = start; i < end; i++) {
        char c = header.charAt(i);
        if (c < '0' || c > '9') {
          return -1;
        }
        value = value * 10 + (c - '0');
      }
      return value;
    }
  }
}
