package dev.stripeinbox.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.stripe.model.Event;
import com.stripe.model.StripeObject;
import com.stripe.net.Webhook;
import dev.stripeinbox.event.Envelope;
import dev.stripeinbox.event.EnvelopeReader;
import dev.stripeinbox.testkit.Signer;
import dev.stripeinbox.verify.SignatureFailure;
import dev.stripeinbox.verify.SignatureVerifier;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The request thread's work per delivery: stripe-inbox's header parse, HMAC and envelope read
 * ({@link SignatureVerifier#verify} then {@link EnvelopeReader#read}) against stripe-java's {@code
 * Webhook.constructEvent}, and against the quickstart's whole handler ({@code constructEvent} plus
 * the typed {@code data.object}). Two references bound what any verifier that also checks the body
 * is JSON can reach: the bare HMAC and Jackson's token stream. The signature is made at set-up, so
 * each trial must finish within the 300 s tolerance both sides apply.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class VerifyBenchmark {
  static final String SECRET = "whsec_bench_0123456789abcdefghijABCDEF";
  static final JsonFactory JSON = new JsonFactory();

  @Param({"1024", "4096", "65536"})
  public int size;

  byte[] body;
  String header;
  SignatureVerifier verifier;
  byte[] signedPrefix;
  Mac mac;

  @Setup
  public void setUp() throws Exception {
    body = BenchEvents.ofSize(size);
    long signedAt = Instant.now().getEpochSecond();
    header = Signer.header(body, SECRET, signedAt);
    signedPrefix = (signedAt + ".").getBytes(US_ASCII);
    mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(UTF_8), "HmacSHA256"));
    verifier = new SignatureVerifier(List.of(SECRET), Duration.ofMinutes(5), Clock.systemUTC());
    if (verifier.verify(body, header).isPresent()
        || !Webhook.constructEvent(new String(body, UTF_8), header, SECRET)
            .getId()
            .equals(EnvelopeReader.read(body).id())) {
      throw new IllegalStateException("the benchmark event does not verify");
    }
  }

  /** stripe-inbox: verify, then read the envelope; what the request thread does. */
  @Benchmark
  public Envelope stripeInbox() {
    Optional<SignatureFailure> failure = verifier.verify(body, header);
    if (failure.isPresent()) {
      throw new IllegalStateException(failure.get().code());
    }
    return EnvelopeReader.read(body);
  }

  /** stripe-inbox: the envelope read alone, on a body already verified. */
  @Benchmark
  public Envelope stripeInboxEnvelopeOnly() {
    return EnvelopeReader.read(body);
  }

  /** stripe-inbox: the header parse and the HMAC alone. */
  @Benchmark
  public Optional<SignatureFailure> stripeInboxVerifyOnly() {
    return verifier.verify(body, header);
  }

  /**
   * Reference: the HMAC-SHA256 of {@code timestamp.body} with a ready {@code Mac}, which both sides
   * must compute; the floor of any verification.
   */
  @Benchmark
  public byte[] hmacOnly() {
    mac.update(signedPrefix);
    return mac.doFinal(body);
  }

  /**
   * Reference: Jackson's streaming parser reading every token of the body, the usual way on the JVM
   * to check that a body is JSON without building it.
   */
  @Benchmark
  public int jacksonTokensOnly() throws IOException {
    int tokens = 0;
    try (JsonParser parser = JSON.createParser(body)) {
      while (parser.nextToken() != null) {
        tokens++;
      }
    }
    return tokens;
  }

  /** stripe-java: {@code Webhook.constructEvent}, from the body bytes as a framework gives them. */
  @Benchmark
  public Event stripeJavaConstructEvent() throws Exception {
    return Webhook.constructEvent(new String(body, UTF_8), header, SECRET);
  }

  /** The quickstart's handler: {@code constructEvent}, then the typed {@code data.object}. */
  @Benchmark
  public StripeObject quickstartHandler() throws Exception {
    Event event = Webhook.constructEvent(new String(body, UTF_8), header, SECRET);
    return event.getDataObjectDeserializer().getObject().orElseThrow();
  }
}
