package dev.stripeinbox.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real shaded jar running {@code serve} as a child process, for tests that crash it or stop it
 * with a signal. Its stdout and stderr go to a log file in the given directory; {@link #log()}
 * reads it back for failure messages.
 *
 * <pre>{@code
 * try (ServerProcess server = ServerProcess.start(dir, dir.resolve("inbox.db"), SECRET)) {
 *   post(server.webhookUrl(), ...);
 *   server.kill9();
 * }
 * }</pre>
 *
 * <p>The jar comes from the {@code stripeinbox.jar} system property (set by failsafe), else {@code
 * target/stripe-inbox.jar}. The child runs on the same {@code java} as the test JVM.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
final class ServerProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
  private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+/webhook)");

  private final Process process;
  private final Path logFile;
  private final URI webhookUrl;

  private ServerProcess(Process process, Path logFile, URI webhookUrl) {
    this.process = process;
    this.logFile = logFile;
    this.webhookUrl = webhookUrl;
  }

  /**
   * Starts {@code serve --port <free port> --db <db> --secret <secret> [extraArgs]} and returns
   * once it prints its {@code listening on} line; throws with the captured log if it exits or stays
   * silent for 20 s.
   */
  static ServerProcess start(Path logDir, Path db, String secret, String... extraArgs)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("--db", db.toString(), "--secret", secret));
    args.addAll(List.of(extraArgs));
    return startServe(logDir, Map.of(), args);
  }

  /**
   * Like {@link #start}, for {@code serve --port <free port> [args]} with {@code env} added to the
   * environment it inherits: for settings that come from environment variables.
   */
  static ServerProcess startServe(Path logDir, Map<String, String> env, List<String> args)
      throws IOException, InterruptedException {
    Path jar = jar();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar.toString());
    command.add("serve");
    command.add("--port");
    command.add(Integer.toString(freePort()));
    command.addAll(args);

    Files.createDirectories(logDir);
    Path logFile = Files.createTempFile(logDir, "server-", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile.toFile());
    builder.environment().putAll(env);
    Process process = builder.start();

    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = LISTENING.matcher(read(logFile));
      if (m.find()) {
        return new ServerProcess(process, logFile, URI.create(m.group(1)));
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "serve exited with " + process.exitValue() + " before listening:\n" + read(logFile));
      }
      Thread.sleep(50); // polling the log file, bounded by the deadline
    }
    process.destroyForcibly().waitFor(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    throw new IllegalStateException(
        "serve printed no 'listening on' line within " + START_TIMEOUT + ":\n" + read(logFile));
  }

  /** The {@code http://host:port/webhook} URL the server printed. */
  URI webhookUrl() {
    return webhookUrl;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Everything the process has written to stdout and stderr so far. */
  String log() {
    return read(logFile);
  }

  /** SIGKILL on Linux: no shutdown hook, no flush, no clean close. Waits until it is gone. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("the process survived SIGKILL for " + KILL_TIMEOUT);
    }
  }

  /** Sends SIGTERM without waiting: the JVM runs its shutdown hooks. */
  void terminate() {
    process.destroy();
  }

  /**
   * Waits up to {@code timeout} for the process to exit and returns its exit code; empty when it
   * did not exit in time, in which case it is killed so that it never outlives the test.
   */
  OptionalInt awaitExit(Duration timeout) throws InterruptedException {
    if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      return OptionalInt.of(process.exitValue());
    }
    kill9();
    return OptionalInt.empty();
  }

  /** Graceful stop: SIGTERM, then {@link #awaitExit}. */
  OptionalInt stop(Duration timeout) throws InterruptedException {
    terminate();
    return awaitExit(timeout);
  }

  /** Kills the process if it is still running. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroyForcibly();
    try {
      process.waitFor(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Path jar() {
    Path jar = Path.of(System.getProperty("stripeinbox.jar", "target/stripe-inbox.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "no runnable jar at " + jar.toAbsolutePath() + ": run `mvn package` first");
    }
    return jar;
  }

  /** A port that was free a moment ago; another process may still take it before we bind. */
  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static String read(Path file) {
    try {
      return new String(Files.readAllBytes(file), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
