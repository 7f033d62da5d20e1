package dev.stripeinbox.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stripeinbox.StripeInbox;
import dev.stripeinbox.jdbc.JdbcInboxStore;
import dev.stripeinbox.testkit.EventTemplates;
import dev.stripeinbox.testkit.Signer;
import dev.stripeinbox.testkit.TriggerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpAllowlistTest {
  @Test
  void addressesAndRangesOfBothFamiliesMatch() {
    IpAllowlist list = IpAllowlist.parse("3.18.12.63, 10.0.0.0/8, 2001:db8::/32", null);
    assertThat(list.permits("3.18.12.63", null)).isTrue();
    assertThat(list.permits("3.18.12.64", null)).isFalse();
    assertThat(list.permits("10.200.1.1", null)).isTrue();
    assertThat(list.permits("11.0.0.1", null)).isFalse();
    assertThat(list.permits("2001:db8::1", null)).isTrue();
    assertThat(list.permits("[2001:db8::1]", null)).isTrue();
    assertThat(list.permits("2001:db9::1", null)).isFalse();
  }

  @Test
  void forwardedForIsIgnoredUnlessThePeerIsATrustedProxy() {
    IpAllowlist list = IpAllowlist.parse("3.18.12.63", "127.0.0.1");
    assertThat(list.permits("192.0.2.7", "3.18.12.63"))
        .as("an untrusted peer cannot claim an address")
        .isFalse();
    assertThat(list.permits("127.0.0.1", "3.18.12.63")).isTrue();
    assertThat(list.permits("127.0.0.1", "3.18.12.63, 127.0.0.1")).isTrue();
    assertThat(list.permits("127.0.0.1", "3.18.12.63, 192.0.2.7"))
        .as("the right-most untrusted hop counts")
        .isFalse();
    assertThat(list.permits("127.0.0.1", "not-an-ip")).isFalse();
  }

  @Test
  void entriesThatAreNotAddressesAreRejectedWithoutALookup() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> IpAllowlist.parse("stripe.com", null));
    assertThat(e.getMessage()).contains("\"stripe.com\" is not an IP or CIDR range");
    assertThrows(IllegalArgumentException.class, () -> IpAllowlist.parse("10.0.0.0/33", null));
    assertThrows(IllegalArgumentException.class, () -> IpAllowlist.parse("10.0.0.0/x", null));
    assertThrows(IllegalArgumentException.class, () -> IpAllowlist.parse(" , ", null));
    assertThrows(IllegalArgumentException.class, () -> IpAllowlist.parse("1.2.3.4", "proxy.local"));
  }

  @Test
  void serverRefusesDeliveriesFromAddressesOffTheList(@TempDir Path dir) throws Exception {
    String secret = "whsec_allowlist_test_secret_0000001";
    try (JdbcInboxStore store = JdbcInboxStore.open(dir.resolve("inbox.db").toString())) {
      StripeInbox inbox = StripeInbox.builder().store(store).secrets(secret).build();
      InboxServer server =
          new InboxServer(
              inbox,
              ServerOptions.defaults()
                  .withPort(0)
                  .withAllowlist(IpAllowlist.parse("3.18.12.63", "127.0.0.1")));
      server.start();
      try {
        HttpClient http = HttpClient.newHttpClient();
        URI url = URI.create("http://127.0.0.1:" + server.port() + "/webhook");
        byte[] body = EventTemplates.build("customer.created", TriggerOptions.at(Instant.now()));
        String header = Signer.header(body, secret, Instant.now().getEpochSecond());
        HttpResponse<String> direct =
            http.send(
                HttpRequest.newBuilder(url)
                    .header("Stripe-Signature", header)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(direct.statusCode()).isEqualTo(403);
        assertThat(direct.body()).contains("\"ip_not_allowed\"");
        HttpResponse<String> viaProxy =
            http.send(
                HttpRequest.newBuilder(url)
                    .header("Stripe-Signature", header)
                    .header("X-Forwarded-For", "3.18.12.63")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(viaProxy.statusCode()).isEqualTo(200);
      } finally {
        server.close();
        inbox.close();
      }
    }
  }
}
