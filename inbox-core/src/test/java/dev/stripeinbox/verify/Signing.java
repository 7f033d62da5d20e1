package dev.stripeinbox.verify;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Signs payloads the way Stripe does, written independently of the verifier under test. */
final class Signing {
  private Signing() {}

  /** The lowercase hex {@code v1} signature of {@code t + "." + payload} under {@code secret}. */
  static String v1(String secret, long timestamp, byte[] payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(UTF_8), "HmacSHA256"));
      mac.update((timestamp + ".").getBytes(UTF_8));
      byte[] digest = mac.doFinal(payload);
      StringBuilder hex = new StringBuilder(digest.length * 2);
      for (byte b : digest) {
        hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
      }
      return hex.toString();
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /** A header as Stripe sends it: {@code t=<timestamp>,v1=<signature>}. */
  static String header(String secret, long timestamp, byte[] payload) {
    return "t=" + timestamp + ",v1=" + v1(secret, timestamp, payload);
  }
}
