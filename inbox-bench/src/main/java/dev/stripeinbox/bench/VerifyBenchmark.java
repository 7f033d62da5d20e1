package dev.stripeinbox.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.stripe.model.Event;
import com.stripe.model.StripeObject;
import com.stripe.net.Webhook;
import dev.stripeinbox.event.Envelope;
import dev.stripeinbox.event.EnvelopeReader;
import dev.stripeinbox.testkit.Signer;
import dev.stripeinbox.verify.SignatureFailure;
import dev.stripeinbox.verify.SignatureVerifier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
 * the typed {@code data.object}). The signature is made at set-up, so each trial must finish within
 * the 300 s tolerance both sides apply.
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

  @Param({"1024", "4096", "65536"})
  public int size;

  byte[] body;
  String header;
  SignatureVerifier verifier;

  @Setup
  public void setUp() throws Exception {
    body = BenchEvents.ofSize(size);
    header = Signer.header(body, SECRET, Instant.now().getEpochSecond());
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
