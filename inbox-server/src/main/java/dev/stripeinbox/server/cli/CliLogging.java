package dev.stripeinbox.server.cli;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.time.Instant;
import java.time.ZoneId;
import java.time.zone.ZoneRules;

/**
 * The command line's logging, set up in code: the same appenders, pattern and levels as {@code
 * logback.xml}, without parsing XML, which costs about 50 ms of CPU at start-up even with the
 * launcher's class data archive. Logback finds it as a service; it only acts in a process started
 * by {@link Main#main} and without {@code -Dlogback.configurationFile}, so an application that
 * embeds the server, the tests, and anyone pointing logback at their own file keep the usual
 * configuration. Keep it in step with {@code logback.xml}.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class CliLogging extends ContextAwareBase implements Configurator {
  private static volatile boolean enabled;

  /** Called by {@link Main#main} before anything logs. */
  static void enable() {
    enabled = true;
  }

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (!enabled || System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    // One line per outcome on stdout. Secrets and payloads are never logged.
    LineLayout layout = new LineLayout();
    layout.setContext(context);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("STDOUT");
    console.setEncoder(encoder);
    console.start();
    AsyncAppender async = new AsyncAppender();
    async.setContext(context);
    async.setName("ASYNC");
    async.setQueueSize(8192);
    async.setDiscardingThreshold(0);
    async.setNeverBlock(true);
    async.addAppender(console);
    async.start();
    context.getLogger("org.eclipse.jetty").setLevel(Level.WARN);
    // The pool's warnings are multi-line stack traces; the store reports outages on one line.
    context.getLogger("com.zaxxer.hikari").setLevel(Level.ERROR);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(async);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /**
   * What {@code logback.xml}'s pattern {@code %d{HH:mm:ss.SSS} %-5level %msg%n} prints, followed,
   * as with any pattern without an exception conversion, by the stack trace of the event's
   * exception, if any. Formatting by hand spares compiling the pattern at start-up.
   */
  static final class LineLayout extends LayoutBase<ILoggingEvent> {
    private final ZoneRules zone = ZoneId.systemDefault().getRules();
    private final ThrowableProxyConverter exception = new ThrowableProxyConverter();

    @Override
    public void start() {
      exception.setContext(getContext());
      exception.start();
      super.start();
    }

    @Override
    public String doLayout(ILoggingEvent event) {
      long millis = event.getTimeStamp();
      Instant at = Instant.ofEpochMilli(millis);
      long local = at.getEpochSecond() + zone.getOffset(at).getTotalSeconds();
      int second = (int) Math.floorMod(local, 86_400L);
      String level = event.getLevel().toString();
      StringBuilder line = new StringBuilder(80);
      digits(line, second / 3600, 2).append(':');
      digits(line, second / 60 % 60, 2).append(':');
      digits(line, second % 60, 2).append('.');
      digits(line, (int) Math.floorMod(millis, 1000L), 3).append(' ').append(level);
      for (int pad = level.length(); pad < 5; pad++) {
        line.append(' ');
      }
      return line.append(' ')
          .append(event.getFormattedMessage())
          .append(CoreConstants.LINE_SEPARATOR)
          .append(exception.convert(event))
          .toString();
    }

    private static StringBuilder digits(StringBuilder to, int value, int width) {
      String s = Integer.toString(value);
      for (int pad = s.length(); pad < width; pad++) {
        to.append('0');
      }
      return to.append(s);
    }
  }
}
