package dev.stripeinbox.server.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code stripe-inbox} command line. */
@Command(
    name = "stripe-inbox",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "The production-grade Stripe webhook endpoint.")
public final class Main implements Runnable {
  /**
   * The subcommands, in the order the usage lists them, each made from the environment it reads.
   * Building one means reflecting over its options (and those of its own subcommands), so a run
   * builds only the one it names.
   */
  private static final Map<String, Function<Map<String, String>, Object>> SUBCOMMANDS =
      new LinkedHashMap<>();

  static {
    SUBCOMMANDS.put("serve", ServeCommand::new);
    SUBCOMMANDS.put("trigger", TriggerCommand::new);
    SUBCOMMANDS.put("events", env -> new EventsCommand());
    SUBCOMMANDS.put("load", LoadCommand::new);
    SUBCOMMANDS.put("help", env -> new CommandLine.HelpCommand());
    SUBCOMMANDS.put(CdsTrainingCommand.NAME, env -> new CdsTrainingCommand());
  }

  /**
   * Jetty pads some arrays by the number of references in a cache line, and unless this property is
   * set it asks the platform MBean server whether references are compressed: starting that server
   * (every platform bean, diagnostic commands included) takes tens of milliseconds. References are
   * compressed by default below a 32 GiB heap; the value only sizes padding, so that will do.
   */
  private static final String JETTY_REFERENCES_PER_CACHE_LINE =
      "org.eclipse.jetty.util.referencesPerCacheLine";

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    CliLogging.enable();
    setJettyReferenceWidth();
    System.exit(run(args));
  }

  private static void setJettyReferenceWidth() {
    if (System.getProperty(JETTY_REFERENCES_PER_CACHE_LINE) != null) {
      return;
    }
    boolean compressed = Runtime.getRuntime().maxMemory() < (32L << 30);
    int cacheLineBytes = Integer.getInteger("org.eclipse.jetty.util.cacheLineBytes", 64);
    System.setProperty(
        JETTY_REFERENCES_PER_CACHE_LINE, Integer.toString(cacheLineBytes / (compressed ? 4 : 8)));
  }

  /** Runs a command and returns its exit code: 0 ok, 1 failed, 2 invalid usage or setting. */
  public static int run(String... args) {
    return run(System.getenv(), args);
  }

  /**
   * Like {@link #run(String...)}, with {@code env} in place of the process's environment variables:
   * tests set {@code STRIPE_WEBHOOK_SECRET} and the like without a child process.
   */
  static int run(Map<String, String> env, String... args) {
    CommandLine cli = new CommandLine(new Main());
    Function<Map<String, String>, Object> named =
        args.length == 0 ? null : SUBCOMMANDS.get(args[0]);
    if (named != null && !"help".equals(args[0])) {
      cli.addSubcommand(args[0], named.apply(env));
    } else {
      SUBCOMMANDS.forEach((name, command) -> cli.addSubcommand(name, command.apply(env)));
    }
    cli.setParameterExceptionHandler(
        (e, argv) -> {
          System.err.println("stripe-inbox: " + e.getMessage());
          System.err.println("Run 'stripe-inbox " + commandPath(e.getCommandLine()) + "--help'.");
          return 2;
        });
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof SettingException) {
            System.err.println("stripe-inbox: " + e.getMessage());
            return 2;
          }
          System.err.println("stripe-inbox: " + oneLine(e));
          return 1;
        });
    return cli.execute(args);
  }

  private static String commandPath(CommandLine cl) {
    StringBuilder path = new StringBuilder();
    for (CommandLine c = cl; c.getParent() != null; c = c.getParent()) {
      path.insert(0, c.getCommandName() + " ");
    }
    return path.toString();
  }

  /** The exception's message, or its class when it has none: never a stack trace. */
  static String oneLine(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  /** Reads the version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"stripe-inbox " + (v == null ? "development build" : v)};
    }
  }
}
