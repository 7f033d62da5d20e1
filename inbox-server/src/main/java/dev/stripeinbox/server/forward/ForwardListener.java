package dev.stripeinbox.server.forward;

/** Told of every forward attempt, for logs and metrics. Must be fast and must not throw. */
@FunctionalInterface
public interface ForwardListener {
  /**
   * @param destination the destination's name
   * @param status the HTTP status answered, or -1 for a timeout, a connection error or no free
   *     delivery slot within the timeout
   * @param nanos how long the attempt took
   */
  void onForward(String destination, int status, long nanos);

  ForwardListener NONE = (destination, status, nanos) -> {};
}
