package dev.stripeinbox.server.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code trigger}: placeholder until the templates land. */
@Command(
    name = "trigger",
    description = "Sign and send a realistic test event.",
    mixinStandardHelpOptions = true)
public final class TriggerCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return 1;
  }
}
