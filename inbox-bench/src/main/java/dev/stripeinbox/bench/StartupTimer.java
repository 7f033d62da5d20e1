package dev.stripeinbox.bench;

import dev.stripeinbox.testkit.EventTemplates;
import dev.stripeinbox.testkit.Signer;
import dev.stripeinbox.testkit.TriggerOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Measures start-up to a first 200: launches a server command, then POSTs a signed event every 2 ms
 * until one is answered 200, and prints the milliseconds from the launch. The timer's own JVM and
 * HTTP client are warm before the launch, so only the server's start-up is counted. The server is
 * stopped (SIGTERM, then SIGKILL after 10 s) before exiting.
 *
 * <pre>java -cp benchmarks.jar dev.stripeinbox.bench.StartupTimer URL SECRET -- java -jar ...</pre>
 */
public final class StartupTimer {
  private StartupTimer() {}

  public static void main(String[] args) throws Exception {
    int dashes = Arrays.asList(args).indexOf("--");
    if (dashes != 2 || args.length < 4) {
      System.err.println("usage: StartupTimer URL SECRET -- COMMAND...");
      System.exit(2);
    }
    URI url = URI.create(args[0]);
    String secret = args[1];
    List<String> command = Arrays.asList(args).subList(3, args.length);
    byte[] body =
        EventTemplates.build("payment_intent.succeeded", TriggerOptions.at(Instant.now()));
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();
    // Warm the client on the closed port, so that its first real attempt is not slowed by it.
    for (int i = 0; i < 20; i++) {
      status(http, url, body, secret);
    }
    long start = System.nanoTime();
    Process server =
        new ProcessBuilder(command)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    long deadline = start + TimeUnit.SECONDS.toNanos(60);
    try {
      while (true) {
        if (status(http, url, body, secret) == 200) {
          System.out.println((System.nanoTime() - start) / 1_000_000);
          return;
        }
        if (!server.isAlive()) {
          System.err.println("StartupTimer: the server exited with " + server.exitValue());
          System.exit(1);
        }
        if (System.nanoTime() - deadline > 0) {
          System.err.println("StartupTimer: no 200 within 60 s");
          System.exit(1);
        }
        Thread.sleep(2);
      }
    } finally {
      server.destroy();
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor();
      }
    }
  }

  private static int status(HttpClient http, URI url, byte[] body, String secret)
      throws InterruptedException {
    try {
      return http.send(
              HttpRequest.newBuilder(url)
                  .timeout(Duration.ofSeconds(5))
                  .header(
                      "Stripe-Signature",
                      Signer.header(body, secret, Instant.now().getEpochSecond()))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    }
  }
}
