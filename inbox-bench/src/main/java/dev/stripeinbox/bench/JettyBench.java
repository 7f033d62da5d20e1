package dev.stripeinbox.bench;

import java.util.HashMap;
import java.util.Map;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The Jetty 12 set-up the comparison servers share with stripe-inbox's own {@code InboxServer}: the
 * same thread pool (200 threads at most, 8 at least), the same HTTP configuration and the same
 * accept queue, so that only the handler differs.
 */
final class JettyBench {
  private JettyBench() {}

  static Server start(String host, int port, Handler handler) throws Exception {
    QueuedThreadPool threads = new QueuedThreadPool(200, 8);
    threads.setName("http");
    Server server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    http.setRequestHeaderSize(64 * 1024);
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(host);
    connector.setPort(port);
    connector.setAcceptQueueSize(1024);
    server.addConnector(connector);
    server.setHandler(handler);
    server.setStopAtShutdown(true);
    server.start();
    System.out.println("listening on http://" + host + ":" + connector.getLocalPort() + "/webhook");
    return server;
  }

  /** {@code --name value} pairs; a missing value or an unknown flag is an error. */
  static Map<String, String> flags(String[] args, String... known) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (!java.util.List.of(known).contains(name) || i + 1 >= args.length) {
        throw new IllegalArgumentException(
            "usage: " + String.join(" ", known) + " (each with a value); got " + name);
      }
      out.put(name, args[++i]);
    }
    return out;
  }
}
