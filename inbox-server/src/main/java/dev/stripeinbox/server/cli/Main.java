package dev.stripeinbox.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code stripe-inbox} command line. */
@Command(
    name = "stripe-inbox",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "The production-grade Stripe webhook endpoint.",
    subcommands = {
      ServeCommand.class,
      TriggerCommand.class,
      EventsCommand.class,
      LoadCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command and returns its exit code: 0 ok, 1 failed, 2 invalid usage or setting. */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
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
