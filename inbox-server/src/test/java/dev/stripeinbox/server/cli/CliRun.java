package dev.stripeinbox.server.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * One run of the command line in this JVM, as {@code ./stripe-inbox} runs it: its exit code and
 * what it printed. Runs take turns, since they swap the process's {@code System.out} and {@code
 * System.err}.
 */
public record CliRun(int exit, String out, String err) {
  /** Runs {@code args} with the process's environment variables. */
  public static CliRun run(String... args) {
    return run(System.getenv(), args);
  }

  /** Runs {@code args} with {@code env} as the environment variables. */
  public static synchronized CliRun run(Map<String, String> env, String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, UTF_8));
      System.setErr(new PrintStream(e, true, UTF_8));
      int exit = Main.run(env, args);
      return new CliRun(exit, o.toString(UTF_8), e.toString(UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}
