package dev.stripeinbox.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.stripe.exception.SignatureVerificationException;
import com.stripe.net.Webhook;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SignerTest {
  private static final byte[] BODY = "{\n  \"id\": \"evt_test\"\n}".getBytes(UTF_8);

  @Test
  void headerIsTimestampAndOneLowerCaseHexV1Signature() {
    String header = Signer.header(BODY, "whsec_test_secret", 1_492_774_577L);

    assertThat(header).matches("t=1492774577,v1=[0-9a-f]{64}");
  }

  @Test
  void headerMatchesStripeJavasHmacSha256OfTimestampDotPayload() throws Exception {

    String header =
        Signer.header("{\"id\":\"evt_1\"}".getBytes(UTF_8), "whsec_abc", 1_492_774_577L);

    assertThat(header)
        .isEqualTo(
            "t=1492774577,v1="
                + Webhook.Util.computeHmacSha256("whsec_abc", "1492774577.{\"id\":\"evt_1\"}"));
  }

  @Test
  void stripeJavaAcceptsTheHeader() throws Exception {
    String secret = Signer.generateSecret();
    String header = Signer.header(BODY, secret, Instant.now().getEpochSecond());

    assertThat(Webhook.Signature.verifyHeader(new String(BODY, UTF_8), header, secret, 300))
        .isTrue();
  }

  @Test
  void stripeJavaRejectsTheHeaderUnderAnotherSecret() {
    String header = Signer.header(BODY, Signer.generateSecret(), Instant.now().getEpochSecond());

    assertThatThrownBy(
            () ->
                Webhook.Signature.verifyHeader(
                    new String(BODY, UTF_8), header, Signer.generateSecret(), 300))
        .isInstanceOf(SignatureVerificationException.class);
  }

  @Test
  void theSignatureCoversEveryByteOfThePayload() {
    byte[] changed = BODY.clone();
    changed[changed.length - 2] = ' ';

    assertThat(Signer.header(changed, "whsec_x", 1L))
        .isNotEqualTo(Signer.header(BODY, "whsec_x", 1L));
  }

  @Test
  void generatedSecretsLookLikeStripesAndDoNotRepeat() {
    Set<String> secrets = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String secret = Signer.generateSecret();
      assertThat(secret).matches("whsec_[0-9A-Za-z]{32}");
      secrets.add(secret);
    }
    assertThat(secrets).hasSize(1000);
  }

  @Test
  void anEmptySecretOrMissingPayloadIsRejected() {
    assertThatThrownBy(() -> Signer.header(BODY, "", 1L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("secret");
    assertThatThrownBy(() -> Signer.header(null, "whsec_x", 1L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("payload");
  }
}
