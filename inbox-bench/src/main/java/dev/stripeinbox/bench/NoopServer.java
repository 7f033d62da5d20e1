package dev.stripeinbox.bench;

import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * The limit of the benchmark: a {@code POST} endpoint on the same Jetty 12 core stack that reads
 * the whole body, as stripe-inbox does, and answers 200 with no work at all. No webhook endpoint on
 * this stack can be faster.
 *
 * <pre>java -cp inbox-bench/target/benchmarks.jar dev.stripeinbox.bench.NoopServer --port 4244
 * </pre>
 */
public final class NoopServer {
  private NoopServer() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = JettyBench.flags(args, "--port", "--host");
    JettyBench.start(
            flags.getOrDefault("--host", "127.0.0.1"),
            Integer.parseInt(flags.getOrDefault("--port", "4242")),
            new Noop())
        .join();
  }

  static final class Noop extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      Content.Source.asByteArrayAsync(request, 1 << 20)
          .whenComplete(
              (bytes, error) -> {
                if (error != null) {
                  Response.writeError(request, response, callback, 400);
                  return;
                }
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
                response.write(true, BufferUtil.EMPTY_BUFFER, callback);
              });
      return true;
    }
  }
}
