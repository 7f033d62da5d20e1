package dev.stripeinbox.server.cli;

import dev.stripeinbox.inbox.EventQuery;
import dev.stripeinbox.inbox.EventStatus;
import dev.stripeinbox.jdbc.JdbcInboxStore;
import dev.stripeinbox.jdbc.StoreOptions;
import dev.stripeinbox.testkit.Signer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sqlite.util.LibraryLoaderUtil;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cds-training} (hidden): the run whose loaded classes the launcher records once per build
 * ({@code -XX:DumpLoadedClassList}) and dumps into a Class Data Sharing archive, so that later
 * starts map those classes instead of loading and verifying them again.
 *
 * <p>It serves on a free loopback port with a database in {@code --work-dir} and no settings from
 * the environment, sends signed events the way {@code trigger} does (and one with a bad signature),
 * reads the other routes, waits until the built-in subscriber has handled the events, lists them,
 * then exits; serve's shutdown hook stops the server the way Ctrl-C does. With {@code
 * --sqlite-lib-dir} it first copies SQLite's native library for this platform there: the launcher
 * passes that folder as {@code org.sqlite.lib.path}, so that starts need not extract the library to
 * a temporary file again. Success exits 0; any failure exits 1 at once.
 */
@Command(
    name = CdsTrainingCommand.NAME,
    hidden = true,
    description = "Exercise serve, trigger and events once, to record the classes they load.")
final class CdsTrainingCommand implements Callable<Integer> {
  static final String NAME = "cds-training";
  private static final Duration READY_WITHIN = Duration.ofSeconds(60);
  private static final Duration HANDLED_WITHIN = Duration.ofSeconds(30);
  private static final int EVENTS = 3;

  @Option(names = "--work-dir", required = true, description = "an empty folder for the database")
  Path workDir;

  @Option(names = "--sqlite-lib-dir", description = "where to copy SQLite's native library")
  Path sqliteLibDir;

  @Override
  public Integer call() {
    try {
      if (sqliteLibDir != null) {
        copySqliteLibrary(sqliteLibDir);
      }
      train();
    } catch (Exception e) {
      System.err.println("stripe-inbox: " + NAME + " failed: " + Main.oneLine(e));
      // Not System.exit: serve's shutdown hook would end the process with 0.
      Runtime.getRuntime().halt(1);
    }
    // Main exits with 0 and serve's shutdown hook stops the server.
    return 0;
  }

  private void train() throws Exception {
    String db = workDir.resolve("training.db").toString();
    String secret = Signer.generateSecret();
    int port = freePort();
    String base = "http://127.0.0.1:" + port;
    Thread serve =
        new Thread(
            () ->
                new CommandLine(new ServeCommand(Map.of()))
                    .execute(
                        "--host",
                        "127.0.0.1",
                        "--port",
                        Integer.toString(port),
                        "--db",
                        db,
                        "--secret",
                        secret),
            "training-serve");
    serve.setDaemon(true);
    serve.start();

    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    long readyBy = System.nanoTime() + READY_WITHIN.toNanos();
    while (get(http, base + "/readyz") != 200) {
      if (!serve.isAlive()) {
        throw new IllegalStateException("serve stopped before it answered");
      }
      if (System.nanoTime() - readyBy > 0) {
        throw new IllegalStateException("serve did not answer within " + READY_WITHIN);
      }
      Thread.sleep(20);
    }
    int triggered =
        new CommandLine(new TriggerCommand())
            .execute(
                "payment_intent.succeeded",
                "--url",
                base + "/webhook",
                "--secret",
                secret,
                "--count",
                Integer.toString(EVENTS));
    if (triggered != 0) {
      throw new IllegalStateException("trigger exited with " + triggered);
    }
    HttpResponse<String> refused =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/webhook"))
                .header("Stripe-Signature", "t=1,v1=00")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (refused.statusCode() != 400) {
      throw new IllegalStateException("a bad signature got " + refused.statusCode());
    }
    get(http, base + "/healthz");
    get(http, base + "/metrics");
    try (JdbcInboxStore store = StoreOpener.open(db, StoreOptions.defaults())) {
      EventQuery processed = EventQuery.latest(EVENTS).withStatus(EventStatus.PROCESSED);
      long handledBy = System.nanoTime() + HANDLED_WITHIN.toNanos();
      while (store.list(processed).size() < EVENTS) {
        if (System.nanoTime() - handledBy > 0) {
          throw new IllegalStateException("the events were not handled within " + HANDLED_WITHIN);
        }
        Thread.sleep(20);
      }
    }
    int listed = new CommandLine(new EventsCommand()).execute("list", "--db", db);
    if (listed != 0) {
      throw new IllegalStateException("events list exited with " + listed);
    }
  }

  /** Copies the library sqlite-jdbc would extract on this platform, replacing it atomically. */
  private static void copySqliteLibrary(Path dir) throws IOException {
    String name = LibraryLoaderUtil.getNativeLibName();
    String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + name;
    Files.createDirectories(dir);
    // A hidden name, so that nothing takes the partial file for the library.
    Path partial = Files.createTempFile(dir, "." + name + "-", ".partial");
    try (InputStream in = CdsTrainingCommand.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("no SQLite native library at " + resource);
      }
      Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
      Files.move(partial, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static int get(HttpClient http, String url) throws InterruptedException {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    }
  }
}
