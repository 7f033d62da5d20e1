package dev.stripeinbox.server.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripeinbox.event.Envelope;
import dev.stripeinbox.event.EnvelopeReader;
import dev.stripeinbox.verify.SignatureVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeliveriesTest {
  static final String SECRET = "whsec_deliveries_test_000000000001";

  @Test
  void everyNewDeliveryHasItsOwnIdAndAValidSignature() {
    EventMix mix =
        EventMix.parse("payment_intent.succeeded,invoice.paid,v1.billing.meter.no_meter_found");
    Deliveries a = new Deliveries(mix, SECRET, 0, "RunPrefix0", 0, 2, 1);
    Deliveries b = new Deliveries(mix, SECRET, 0, "RunPrefix0", 1, 2, 2);
    SignatureVerifier verifier =
        new SignatureVerifier(List.of(SECRET), Duration.ofMinutes(5), Clock.systemUTC());
    Set<String> ids = new HashSet<>();
    List<String> types = new ArrayList<>();
    long now = System.currentTimeMillis() / 1000;
    for (int i = 0; i < 300; i++) {
      Deliveries d = i % 2 == 0 ? a : b;
      d.next(now);
      byte[] body = d.body().clone();
      String header = new String(d.signature(), StandardCharsets.US_ASCII);
      assertThat(verifier.verify(body, header)).isEmpty();
      Envelope envelope = EnvelopeReader.read(body);
      assertThat(envelope.id()).hasSize(Deliveries.ID_LENGTH).startsWith("evt_RunPrefix0");
      assertThat(envelope.id()).isEqualTo(d.eventId());
      assertThat(ids.add(envelope.id())).as(envelope.id()).isTrue();
      if (d == a) {
        types.add(envelope.type());
      }
    }
    assertThat(types.subList(0, 3))
        .containsExactly(
            "payment_intent.succeeded", "invoice.paid", "v1.billing.meter.no_meter_found");
  }

  @Test
  void duplicatesResendAcknowledgedEventsAtTheAskedShare() {
    Deliveries d =
        new Deliveries(EventMix.parse("charge.succeeded"), SECRET, 0.25, "RunPrefix1", 0, 1, 3);
    Set<String> acknowledged = new HashSet<>();
    int duplicates = 0;
    for (int i = 0; i < 1000; i++) {
      d.next(System.currentTimeMillis() / 1000);
      String id = EnvelopeReader.read(d.body()).id();
      if (d.isDuplicate()) {
        duplicates++;
        assertThat(acknowledged).contains(id);
      } else {
        assertThat(acknowledged.add(id)).isTrue();
        d.acknowledged(d.key());
      }
    }
    assertThat(duplicates).isEqualTo(250);
  }

  @Test
  void weightsInterleaveTypes() {
    EventMix mix = EventMix.parse("invoice.paid:3,charge.succeeded");
    List<String> order = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      order.add(mix.types().get(mix.typeAt(i)));
    }
    assertThat(order.stream().filter("invoice.paid"::equals).count()).isEqualTo(6);
    assertThat(order.subList(0, 4)).contains("charge.succeeded");
    assertThat(mix.toString()).isEqualTo("invoice.paid:3,charge.succeeded");
  }
}
