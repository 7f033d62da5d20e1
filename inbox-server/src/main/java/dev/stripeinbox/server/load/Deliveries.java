package dev.stripeinbox.server.load;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.stripeinbox.event.EnvelopeReader;
import dev.stripeinbox.testkit.EventTemplates;
import dev.stripeinbox.testkit.TriggerOptions;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Arrays;
import java.util.SplittableRandom;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes the signed deliveries of one load loop, cheaply: each event type is rendered from the
 * {@code trigger} templates a few times before the run, and every delivery then writes a fresh
 * event id into one of those bodies in place and signs it, so no JSON is built during the run.
 *
 * <p>Every delivery that is not a duplicate carries an id no other delivery of the run has: {@code
 * evt_} + a random run prefix of 10 characters + a sequence number of 14, 28 characters like
 * Stripe's own. Loop {@code i} of {@code n} uses the sequence numbers {@code i, i+n, i+2n, ...}. A
 * duplicate resends the exact body of an earlier event whose delivery was acknowledged (as Stripe's
 * retries do, with a fresh signature), so the endpoint has really seen its id before.
 *
 * <p>Not thread-safe: one instance per loop. {@link #body()} and {@link #signature()} are valid
 * until the next {@link #next}.
 */
final class Deliveries {
  static final int ID_LENGTH = 28;
  private static final int VARIANTS = 8;
  private static final int RING = 4096;
  private static final byte[] ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".getBytes(US_ASCII);
  private static final byte[] HEX = "0123456789abcdef".getBytes(US_ASCII);

  /** The bodies of one type, each with the event id at the same place. */
  private record Template(byte[][] bodies, int[] idOffsets) {}

  private final EventMix mix;
  private final Template[] templates;
  private final byte[] runPrefix;
  private final int stripe;
  private final int stripes;
  private final double duplicateShare;
  private final Mac mac;
  private final SplittableRandom random;
  private final long[] ring = new long[RING];
  private int ringSize;
  private int ringNext;
  private double duplicateCredit;

  private long delivered;
  private long nextSequence;
  private final byte[] digest = new byte[32];
  private final byte[] signature = new byte[128];
  private int signatureLength;
  private long signedSecond = -1;
  private byte[] timestampPrefix = new byte[0];
  private byte[] body;
  private boolean duplicate;
  private long key;

  /**
   * @param runPrefix 10 characters from {@code [0-9A-Za-z]} shared by every loop of the run
   * @param stripe this loop's index
   * @param stripes the number of loops
   */
  Deliveries(
      EventMix mix,
      String secret,
      double duplicateShare,
      String runPrefix,
      int stripe,
      int stripes,
      long seed) {
    if (runPrefix.length() != 10) {
      throw new IllegalArgumentException("the run prefix must have 10 characters");
    }
    this.mix = mix;
    this.runPrefix = runPrefix.getBytes(US_ASCII);
    this.stripe = stripe;
    this.stripes = stripes;
    this.duplicateShare = duplicateShare;
    this.random = new SplittableRandom(seed);
    this.nextSequence = stripe;
    this.templates = new Template[mix.types().size()];
    Instant now = Instant.now();
    for (int t = 0; t < templates.length; t++) {
      templates[t] = template(mix.types().get(t), now);
    }
    try {
      mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(UTF_8), "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  /** A random run prefix for {@link #Deliveries}. */
  static String newRunPrefix() {
    SplittableRandom r = new SplittableRandom();
    byte[] out = new byte[10];
    for (int i = 0; i < out.length; i++) {
      out[i] = ALPHABET[r.nextInt(ALPHABET.length)];
    }
    return new String(out, US_ASCII);
  }

  private static Template template(String type, Instant now) {
    byte[][] bodies = new byte[VARIANTS][];
    int[] offsets = new int[VARIANTS];
    String placeholder = "evt_" + "0".repeat(ID_LENGTH - 4);
    for (int v = 0; v < VARIANTS; v++) {
      byte[] built = EventTemplates.build(type, TriggerOptions.at(now));
      String id = EnvelopeReader.read(built).id();
      byte[] needle = ("\"" + id + "\"").getBytes(UTF_8);
      int at = indexOf(built, needle);
      if (at < 0) {
        throw new IllegalStateException("the " + type + " template has no quoted event id");
      }
      byte[] replacement = ("\"" + placeholder + "\"").getBytes(UTF_8);
      byte[] out = new byte[built.length - needle.length + replacement.length];
      System.arraycopy(built, 0, out, 0, at);
      System.arraycopy(replacement, 0, out, at, replacement.length);
      System.arraycopy(
          built,
          at + needle.length,
          out,
          at + replacement.length,
          built.length - at - needle.length);
      bodies[v] = out;
      offsets[v] = at + 1;
    }
    return new Template(bodies, offsets);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int k = 0; k < needle.length; k++) {
        if (haystack[i + k] != needle[k]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /**
   * Prepares the next delivery, signed at {@code epochSecond}: a duplicate with the configured
   * probability (once an earlier delivery was acknowledged), otherwise a new event.
   */
  void next(long epochSecond) {
    duplicate = false;
    duplicateCredit += duplicateShare;
    if (duplicateCredit >= 1.0 && ringSize > 0) {
      duplicateCredit -= 1.0;
      duplicate = true;
      key = ring[random.nextInt(ringSize)];
    } else {
      if (duplicateCredit >= 1.0) {
        duplicateCredit -= 1.0; // nothing acknowledged yet to resend: this one is new
      }
      int type = mix.typeAt(delivered);
      int variant = (int) ((delivered / Math.max(1, mix.types().size())) % VARIANTS);
      key = pack(type, variant, nextSequence);
      nextSequence += stripes;
    }
    delivered++;
    render(key);
    sign(epochSecond);
  }

  private static long pack(int type, int variant, long sequence) {
    return ((long) type << 44) | ((long) variant << 40) | sequence;
  }

  private void render(long k) {
    int type = (int) (k >>> 44);
    int variant = (int) ((k >>> 40) & 0xf);
    long sequence = k & ((1L << 40) - 1);
    Template t = templates[type];
    body = t.bodies()[variant];
    writeId(body, t.idOffsets()[variant], sequence);
  }

  private void writeId(byte[] target, int offset, long sequence) {
    // "evt_" stays from the placeholder; then the run prefix, then the sequence in base 62.
    System.arraycopy(runPrefix, 0, target, offset + 4, 10);
    long n = sequence;
    for (int i = ID_LENGTH - 1; i >= 14; i--) {
      target[offset + i] = ALPHABET[(int) (n % 62)];
      n /= 62;
    }
  }

  private void sign(long epochSecond) {
    if (epochSecond != signedSecond) {
      signedSecond = epochSecond;
      timestampPrefix = (epochSecond + ".").getBytes(US_ASCII);
    }
    mac.update(timestampPrefix);
    mac.update(body);
    try {
      mac.doFinal(digest, 0);
    } catch (ShortBufferException e) {
      throw new IllegalStateException(e);
    }
    int p = 0;
    signature[p++] = 't';
    signature[p++] = '=';
    for (int i = 0; i < timestampPrefix.length - 1; i++) {
      signature[p++] = timestampPrefix[i];
    }
    signature[p++] = ',';
    signature[p++] = 'v';
    signature[p++] = '1';
    signature[p++] = '=';
    for (byte b : digest) {
      signature[p++] = HEX[(b >> 4) & 0xf];
      signature[p++] = HEX[b & 0xf];
    }
    signatureLength = p;
  }

  /**
   * Records that the current delivery's key was acknowledged, so later duplicates may resend it.
   */
  void acknowledged(long deliveryKey) {
    if (duplicateShare <= 0) {
      return;
    }
    ring[ringNext] = deliveryKey;
    ringNext = (ringNext + 1) % RING;
    ringSize = Math.min(ringSize + 1, RING);
  }

  /** The body of the current delivery; do not keep it past the next call. */
  byte[] body() {
    return body;
  }

  /** The {@code Stripe-Signature} value of the current delivery, as ASCII bytes. */
  byte[] signature() {
    return Arrays.copyOf(signature, signatureLength);
  }

  /**
   * Copies the {@code Stripe-Signature} value into {@code out} at {@code at}; returns its length.
   */
  int copySignature(byte[] out, int at) {
    System.arraycopy(signature, 0, out, at, signatureLength);
    return signatureLength;
  }

  int signatureLength() {
    return signatureLength;
  }

  /** Whether the current delivery resends an earlier event. */
  boolean isDuplicate() {
    return duplicate;
  }

  /** Identifies the current delivery's event; pass it to {@link #acknowledged}. */
  long key() {
    return key;
  }

  /** The event id of the current delivery. */
  String eventId() {
    int type = (int) (key >>> 44);
    int variant = (int) ((key >>> 40) & 0xf);
    return new String(body, templates[type].idOffsets()[variant], ID_LENGTH, US_ASCII);
  }

  int stripe() {
    return stripe;
  }
}
