package dev.stripeinbox.server.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code load}: a webhook load generator (being built). */
@Command(
    name = "load",
    description = "Load-test a Stripe webhook endpoint with signed events.",
    mixinStandardHelpOptions = true,
    hidden = true)
public final class LoadCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("stripe-inbox: load is not available in this build");
    return 1;
  }
}
