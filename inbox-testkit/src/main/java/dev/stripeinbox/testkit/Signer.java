package dev.stripeinbox.testkit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhook payloads exactly as Stripe does, so that tests, {@code trigger} and forwarding can
 * produce a {@code Stripe-Signature} header that any Stripe SDK accepts:
 *
 * <pre>{@code
 * String secret = Signer.generateSecret();
 * byte[] body = EventTemplates.build("payment_intent.succeeded", TriggerOptions.at(Instant.now()));
 * String header = Signer.header(body, secret, Instant.now().getEpochSecond());
 * // POST body with "Stripe-Signature: " + header
 * }</pre>
 *
 * <p>The signature is {@code v1 = hex(HMAC-SHA256(key = UTF-8 bytes of the whole secret, whsec_
 * prefix included, message = t + "." + body))}. It covers the exact bytes, so send {@code body} as
 * it is: never re-serialise it. Only the {@code v1} scheme is written; Stripe's fake {@code v0} is
 * left out.
 *
 * <p>Thread-safe: all methods are static and keep no shared mutable state.
 */
public final class Signer {
  private static final String ALGORITHM = "HmacSHA256";
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final char[] SECRET_ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ThreadLocal<Mac> MAC =
      ThreadLocal.withInitial(
          () -> {
            try {
              return Mac.getInstance(ALGORITHM);
            } catch (GeneralSecurityException e) {
              throw new IllegalStateException("the JDK has no " + ALGORITHM, e);
            }
          });

  private Signer() {}

  /**
   * The {@code Stripe-Signature} header value for {@code payload}: {@code t=<unixSeconds>,v1=<64
   * lower-case hex digits>}.
   *
   * @param payload the exact request body
   * @param secret the endpoint's signing secret, usually {@code whsec_...}; used whole as the key
   * @param unixSeconds the signing time; receivers reject times too far from their clock (300 s by
   *     default in the SDKs)
   */
  public static String header(byte[] payload, String secret, long unixSeconds) {
    if (payload == null) {
      throw new IllegalArgumentException("payload is null");
    }
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("secret is empty");
    }
    String timestamp = Long.toString(unixSeconds);
    Mac mac = MAC.get();
    try {
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot initialise " + ALGORITHM, e);
    }
    mac.update(timestamp.getBytes(StandardCharsets.US_ASCII));
    mac.update((byte) '.');
    byte[] digest = mac.doFinal(payload);
    return "t=" + timestamp + ",v1=" + hex(digest);
  }

  /**
   * A new random signing secret in Stripe's shape: {@code whsec_} followed by 32 characters from
   * {@code [0-9A-Za-z]} (about 190 bits from {@link SecureRandom}).
   */
  public static String generateSecret() {
    StringBuilder secret = new StringBuilder("whsec_");
    for (int i = 0; i < 32; i++) {
      secret.append(SECRET_ALPHABET[RANDOM.nextInt(SECRET_ALPHABET.length)]);
    }
    return secret.toString();
  }

  private static String hex(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[bytes[i] & 0xf];
    }
    return new String(out);
  }
}
