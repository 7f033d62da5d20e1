package dev.stripeinbox.server.cli;

import dev.stripeinbox.dispatch.TypePattern;
import dev.stripeinbox.event.Envelope;
import dev.stripeinbox.inbox.EventQuery;
import dev.stripeinbox.inbox.EventStatus;
import dev.stripeinbox.inbox.JobView;
import dev.stripeinbox.inbox.StoredEvent;
import dev.stripeinbox.jdbc.JdbcInboxStore;
import dev.stripeinbox.jdbc.StoreOptions;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code events}: inspect and replay stored events, straight from the database. */
@Command(
    name = "events",
    description = "List, show and replay stored events (reads --db directly; no server needed).",
    mixinStandardHelpOptions = true,
    subcommands = {
      EventsCommand.ListEvents.class,
      EventsCommand.Show.class,
      EventsCommand.Replay.class
    })
public final class EventsCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  abstract static class DbCommand implements Callable<Integer> {
    @Option(
        names = "--db",
        description =
            "SQLite file or jdbc:postgresql:// URL (env STRIPE_INBOX_DB, default stripe-inbox.db)")
    String db;

    final PrintStream out = System.out;

    JdbcInboxStore openStore() {
      String location = StoreOpener.location(new Settings(System.getenv()), db);
      if (!location.startsWith("jdbc:")
          && !java.nio.file.Files.exists(java.nio.file.Path.of(location))) {
        throw new SettingException(
            Settings.name("--db", StoreOpener.DB_ENV)
                + ": no database at "
                + location
                + " (run serve first, or pass --db)");
      }
      return StoreOpener.open(location, StoreOptions.defaults());
    }
  }

  @Command(
      name = "list",
      description = "Stored events, newest first.",
      mixinStandardHelpOptions = true)
  static final class ListEvents extends DbCommand {
    @Option(names = "--status", description = "pending, retrying, processed or dead")
    String status;

    @Option(names = "--type", description = "an exact type, or a prefix such as invoice.*")
    String type;

    @Option(names = "--limit", description = "the most events to list (default 20)")
    String limit;

    @Override
    public Integer call() {
      EventQuery query =
          EventQuery.latest(Settings.positiveInt(limit == null ? "20" : limit, "--limit"));
      if (status != null) {
        query = query.withStatus(parseStatus(status));
      }
      if (type != null) {
        query = query.withType(parseType(type));
      }
      try (JdbcInboxStore store = openStore()) {
        List<StoredEvent> events = store.list(query);
        out.printf("%-24s  %-30s  %-40s  %s%n", "RECEIVED", "ID", "TYPE", "STATUS");
        for (StoredEvent e : events) {
          out.printf(
              "%-24s  %-30s  %-40s  %s%n",
              e.receivedAt(), e.envelope().id(), e.envelope().type(), e.status().wireName());
        }
        if (events.isEmpty()) {
          out.println("(no events)");
        }
      }
      return 0;
    }
  }

  @Command(
      name = "show",
      description = "One event: envelope and per-subscriber jobs.",
      mixinStandardHelpOptions = true)
  static final class Show extends DbCommand {
    @Parameters(paramLabel = "EVENT_ID")
    String id;

    @Option(names = "--payload", description = "print only the exact stored bytes")
    boolean payload;

    @Override
    public Integer call() throws Exception {
      try (JdbcInboxStore store = openStore()) {
        if (payload) {
          Optional<byte[]> bytes = store.payload(id);
          if (bytes.isEmpty()) {
            return notFound(id);
          }
          out.write(bytes.get());
          out.flush();
          return 0;
        }
        Optional<StoredEvent> found = store.find(id);
        if (found.isEmpty()) {
          return notFound(id);
        }
        StoredEvent e = found.get();
        Envelope env = e.envelope();
        out.println("id           " + env.id());
        out.println("type         " + env.type());
        out.println("object       " + orDash(env.object()));
        out.println("created      " + orDash(env.created()));
        out.println("livemode     " + env.livemode());
        out.println("account      " + orDash(env.account()));
        out.println("api_version  " + orDash(env.apiVersion()));
        out.println(
            "data.object  " + orDash(env.dataObjectType()) + " " + orDash(env.dataObjectId()));
        out.println("endpoint     " + e.endpoint());
        out.println("received_at  " + e.receivedAt());
        out.println("status       " + e.status().wireName());
        out.println();
        out.printf(
            "%-24s  %-10s  %-8s  %-24s  %s%n",
            "SUBSCRIBER", "STATUS", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR");
        for (JobView job : e.jobs()) {
          out.printf(
              "%-24s  %-10s  %-8d  %-24s  %s%n",
              job.subscriber(),
              job.state().wireName(),
              job.attempts(),
              orDash(job.nextAttemptAt()),
              orDash(job.lastError()));
        }
        if (e.jobs().isEmpty()) {
          out.println("(no subscriber matched this event's type)");
        }
      }
      return 0;
    }
  }

  @Command(
      name = "replay",
      description = "Re-queue the jobs of events (never re-ingests): by id, or by --status.",
      mixinStandardHelpOptions = true)
  static final class Replay extends DbCommand {
    @Parameters(paramLabel = "EVENT_ID", arity = "0..*")
    List<String> ids;

    @Option(names = "--status", description = "dead, retrying or processed")
    String status;

    @Option(
        names = "--type",
        description = "with --status: an exact type, or a prefix such as invoice.*")
    String type;

    @Option(
        names = "--since",
        description = "with --status: received on or after this date (2026-11-01) or instant")
    String since;

    @Override
    public Integer call() {
      boolean byId = ids != null && !ids.isEmpty();
      if (byId == (status != null)) {
        throw new SettingException(
            "replay: give event ids, or --status (with optional --type and --since), not both");
      }
      if (byId && (type != null || since != null)) {
        throw new SettingException("replay: --type and --since only apply with --status");
      }
      try (JdbcInboxStore store = openStore()) {
        Instant now = Instant.now();
        int jobs;
        if (byId) {
          List<String> missing = ids.stream().filter(id -> store.find(id).isEmpty()).toList();
          if (!missing.isEmpty()) {
            System.err.println("stripe-inbox: no such event: " + String.join(", ", missing));
            return 1;
          }
          jobs = store.replay(ids, now);
        } else {
          EventQuery query = EventQuery.latest(Integer.MAX_VALUE).withStatus(parseStatus(status));
          if (type != null) {
            query = query.withType(parseType(type));
          }
          if (since != null) {
            query = query.withSince(parseSince(since));
          }
          try {
            jobs = store.replay(query, now);
          } catch (IllegalArgumentException e) {
            throw new SettingException("--status: " + e.getMessage());
          }
        }
        out.println("re-queued " + jobs + (jobs == 1 ? " job" : " jobs"));
      }
      return 0;
    }
  }

  static EventStatus parseStatus(String value) {
    return EventStatus.fromWire(value)
        .orElseThrow(
            () ->
                new SettingException(
                    "--status: \""
                        + value
                        + "\" is not one of pending, retrying, processed, dead"));
  }

  /**
   * A type pattern as the handlers and the admin API read it. Checked here, because the store takes
   * anything else, such as {@code invoice*}, as an exact type that matches nothing.
   */
  static String parseType(String value) {
    try {
      TypePattern.parse(value);
      return value;
    } catch (IllegalArgumentException e) {
      throw new SettingException("--type: " + e.getMessage());
    }
  }

  static Instant parseSince(String value) {
    return EventQuery.parseInstant(value)
        .orElseThrow(
            () ->
                new SettingException(
                    "--since: \""
                        + value
                        + "\" is not a date such as 2026-11-01 or an instant such as"
                        + " 2026-11-01T12:00:00Z"));
  }

  private static int notFound(String id) {
    System.err.println("stripe-inbox: no such event: " + id);
    return 1;
  }

  private static String orDash(Object value) {
    return value == null ? "-" : value.toString();
  }
}
