package dev.stripeinbox.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node of a cluster: the real shaded jar running {@code serve --db <jdbc:postgresql URL>} as a
 * child process. {@link ServerProcess} does the same for a SQLite file; it takes a {@link Path},
 * which would fold the {@code //} of a JDBC URL, so the multi-node tests use this instead.
 *
 * <p>The jar comes from the {@code stripeinbox.jar} system property (set by failsafe), else {@code
 * target/stripe-inbox.jar}. Output goes to a log file in the given directory.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
final class NodeProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
  private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)/webhook");

  private static Path jarCopy; // guarded by NodeProcess.class

  private final String name;
  private final Process process;
  private final Path logFile;
  private final URI baseUrl;

  private NodeProcess(String name, Process process, Path logFile, URI baseUrl) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
    this.baseUrl = baseUrl;
  }

  /**
   * Starts {@code serve --port <free port> --db <db> --secret <secret> [extraArgs]} and returns
   * once it prints its {@code listening on} line; throws with the captured log if it exits or stays
   * silent for 30 s.
   */
  static NodeProcess start(String name, Path logDir, String db, String secret, String... extraArgs)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar().toString());
    command.add("serve");
    command.add("--port");
    command.add(Integer.toString(freePort()));
    command.add("--db");
    command.add(db);
    command.add("--secret");
    command.add(secret);
    command.addAll(List.of(extraArgs));

    Files.createDirectories(logDir);
    Path logFile = Files.createTempFile(logDir, "node-" + name + "-", ".log");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(logFile.toFile())
            .start();

    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = LISTENING.matcher(read(logFile));
      if (m.find()) {
        return new NodeProcess(name, process, logFile, URI.create(m.group(1)));
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "node " + name + " exited with " + process.exitValue() + ":\n" + read(logFile));
      }
      Thread.sleep(50); // polling the log file, bounded by the deadline
    }
    process.destroyForcibly().waitFor(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    throw new IllegalStateException(
        "node "
            + name
            + " printed no 'listening on' line within "
            + START_TIMEOUT
            + ":\n"
            + read(logFile));
  }

  String name() {
    return name;
  }

  URI webhookUrl() {
    return baseUrl.resolve("/webhook");
  }

  URI readyzUrl() {
    return baseUrl.resolve("/readyz");
  }

  /** The process id, which starts the lease owner name of the node's dispatcher. */
  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Everything the process has written so far. */
  String log() {
    return read(logFile);
  }

  /** The log's last {@code lines} lines, for failure messages. */
  String logTail(int lines) {
    List<String> all = log().lines().toList();
    return "--- last lines of node "
        + name
        + " ---\n"
        + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /** SIGKILL on Linux: no shutdown hook, no flush, no clean close. Waits until it is gone. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("node " + name + " survived SIGKILL for " + KILL_TIMEOUT);
    }
  }

  /** SIGTERM, then up to {@code timeout} for the graceful stop; killed if it takes longer. */
  void stop(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      kill9();
    }
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

  /**
   * A private copy of the jar, made once per JVM, so that a rebuild of {@code target/} while the
   * tests run cannot pull the jar out from under a node that starts later.
   */
  private static synchronized Path jar() throws IOException {
    if (jarCopy == null) {
      Path jar = Path.of(System.getProperty("stripeinbox.jar", "target/stripe-inbox.jar"));
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException(
            "no runnable jar at " + jar.toAbsolutePath() + ": run `mvn package` first");
      }
      Path copy = Files.createTempFile("stripe-inbox-it-", ".jar");
      copy.toFile().deleteOnExit();
      Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
      jarCopy = copy;
    }
    return jarCopy;
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
