package dev.stripeinbox.server.load;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * One event loop of the NIO client: one thread, one selector, and its share of the connections.
 * HTTP/1.1 with keep-alive, one request at a time per connection (no pipelining), the request
 * written from a prepared header block and the delivery's body.
 *
 * <p>Closed loop: each connection sends its next delivery as soon as the previous one is answered;
 * latency runs from the write. Open loop: delivery {@code k} is due at {@code start + k *
 * interval}; it goes out on an idle connection, or a new one up to the limit, or waits for one to
 * free up; latency runs from when it was due, so a server that stalls is charged for every delivery
 * it delayed (no coordinated omission).
 *
 * <p>Not thread-safe: its own thread runs {@link #run()}; read the stats after it returns.
 */
final class NioLoop implements Runnable {
  private static final int CONNECTING = 0;
  private static final int IDLE = 1;
  private static final int BUSY = 2;
  private static final long RECONNECT_BACKOFF = 20_000_000L;
  private static final long SCAN_EVERY = 10_000_000L;

  private final class Conn {
    SocketChannel channel;
    SelectionKey key;
    int state = CONNECTING;
    byte[] out = new byte[8192];
    ByteBuffer outBuffer;
    byte[] in = new byte[4096];
    int inLength;
    final HttpResponseParser parser = new HttpResponseParser();
    boolean pending; // has a delivery assigned (written or waiting for the connect)
    long due;
    long sent;
    long deadline;
    boolean duplicate;
    long deliveryKey;
    boolean requestWritten;
  }

  private final Phases phases;
  private final Deliveries deliveries;
  private final InetSocketAddress address;
  private final byte[] head;
  private final boolean openLoop;
  private final int connectionLimit;
  private final long interval;
  private final long offset;
  final Stats warmup = new Stats();
  final Stats measured = new Stats();
  private Selector selector;
  private final List<Conn> connections = new ArrayList<>();
  private final ArrayDeque<Conn> idle = new ArrayDeque<>();
  private final ArrayDeque<Long> reconnectAt = new ArrayDeque<>();
  private long nextIndex;
  private long lastScan;
  private boolean sending = true;

  /**
   * @param connectionLimit closed loop: the connections kept busy; open loop: the most opened
   * @param interval open loop: the gap between this loop's deliveries, in nanoseconds
   * @param offset open loop: when this loop's first delivery is due, after the start
   */
  NioLoop(
      Phases phases,
      Deliveries deliveries,
      InetSocketAddress address,
      String hostHeader,
      String path,
      boolean openLoop,
      int connectionLimit,
      long interval,
      long offset) {
    this.phases = phases;
    this.deliveries = deliveries;
    this.address = address;
    this.openLoop = openLoop;
    this.connectionLimit = connectionLimit;
    this.interval = interval;
    this.offset = offset;
    this.head =
        ("POST "
                + path
                + " HTTP/1.1\r\nHost: "
                + hostHeader
                + "\r\nUser-Agent: Stripe/1.0 (+https://stripe.com/docs/webhooks)"
                + "\r\nAccept: */*; q=0.5, application/xml\r\nCache-Control: no-cache"
                + "\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ")
            .getBytes(US_ASCII);
  }

  @Override
  public void run() {
    try (Selector s = Selector.open()) {
      selector = s;
      loop();
    } catch (IOException e) {
      measured.noteFailure("event loop failed: " + e.getMessage());
    } finally {
      for (Conn c : connections) {
        closeQuietly(c);
      }
    }
  }

  private void loop() throws IOException {
    if (!openLoop) {
      for (int i = 0; i < connectionLimit; i++) {
        open(System.nanoTime(), true);
      }
    } else {
      for (int i = 0; i < Math.min(connectionLimit, 4); i++) {
        Conn c = open(System.nanoTime(), false);
        if (c == null) {
          break;
        }
      }
    }
    while (true) {
      long now = System.nanoTime();
      if (sending && now - phases.end() >= 0) {
        sending = openLoop && dueAt(nextIndex) - phases.end() < 0; // late open-loop sends remain
        if (!sending) {
          closeIdle();
        }
      }
      if (now - phases.drainDeadline() >= 0) {
        abandonAll(now);
        return;
      }
      if (!sending && busyCount() == 0) {
        return;
      }
      if (now - lastScan >= SCAN_EVERY) {
        lastScan = now;
        expire(now);
      }
      long wake = now + SCAN_EVERY;
      if (sending) {
        if (openLoop) {
          issueDue(now);
          if (dueAt(nextIndex) - phases.end() >= 0) {
            sending = false;
            closeIdle();
          } else if (!idle.isEmpty() || connections.size() < connectionLimit) {
            wake = Math.min(wake, dueAt(nextIndex));
          }
        } else {
          while (!reconnectAt.isEmpty() && now - reconnectAt.peekFirst() >= 0) {
            reconnectAt.pollFirst();
            open(now, true);
          }
          if (!reconnectAt.isEmpty()) {
            wake = Math.min(wake, reconnectAt.peekFirst());
          }
        }
        wake = Math.min(wake, phases.end());
      }
      select(wake - System.nanoTime());
    }
  }

  private void select(long waitNanos) throws IOException {
    if (waitNanos <= 0) {
      selector.selectNow(this::ready);
    } else if (waitNanos < 1_000_000L) {
      if (selector.selectNow(this::ready) == 0) {
        LockSupport.parkNanos(Math.min(waitNanos, 100_000L));
      }
    } else {
      selector.select(this::ready, waitNanos / 1_000_000L);
    }
  }

  private long dueAt(long index) {
    return phases.start + offset + index * interval;
  }

  /** Open loop: sends every delivery that is due, while connections allow. */
  private void issueDue(long now) {
    while (dueAt(nextIndex) - now <= 0 && dueAt(nextIndex) - phases.end() < 0) {
      Conn c = idle.pollFirst();
      if (c == null) {
        if (connections.size() >= connectionLimit) {
          return;
        }
        c = open(now, false);
        if (c == null) {
          // Could not even create a socket: count this delivery as failed and move on.
          record(dueAt(nextIndex), false, -1, false, now, "cannot open a connection");
          nextIndex++;
          continue;
        }
        assign(c, dueAt(nextIndex));
        nextIndex++;
        continue;
      }
      assign(c, dueAt(nextIndex));
      nextIndex++;
      send(c, now);
    }
  }

  private void assign(Conn c, long due) {
    c.pending = true;
    c.due = due;
    c.requestWritten = false;
  }

  private Conn open(long now, boolean assignNow) {
    Conn c = new Conn();
    try {
      c.channel = SocketChannel.open();
      c.channel.configureBlocking(false);
      c.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      c.channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
      boolean connected = c.channel.connect(address);
      c.key = c.channel.register(selector, connected ? 0 : SelectionKey.OP_CONNECT, c);
      connections.add(c);
      c.deadline = now + phases.timeoutNanos;
      if (assignNow) {
        assign(c, now);
      }
      if (connected) {
        connected(c, now);
      }
      return c;
    } catch (IOException e) {
      closeQuietly(c);
      if (assignNow) {
        record(now, false, -1, false, now, "connect: " + e.getMessage());
        reconnectAt.addLast(now + RECONNECT_BACKOFF);
      }
      return null;
    }
  }

  private void connected(Conn c, long now) {
    c.state = IDLE;
    if (c.pending) {
      if (!openLoop) {
        c.due = now; // closed loop: the clock starts when the request can go out
      }
      send(c, now);
    } else {
      c.key.interestOps(SelectionKey.OP_READ);
      idle.addLast(c);
    }
  }

  private void send(Conn c, long now) {
    if (!openLoop) {
      c.pending = true;
      c.due = now;
    }
    deliveries.next(System.currentTimeMillis() / 1000);
    byte[] body = deliveries.body();
    byte[] length = Integer.toString(body.length).getBytes(US_ASCII);
    int size = head.length + length.length + 21 + deliveries.signatureLength() + 4 + body.length;
    if (c.out.length < size) {
      c.out = new byte[Math.max(size, c.out.length * 2)];
    }
    byte[] o = c.out;
    int p = 0;
    System.arraycopy(head, 0, o, p, head.length);
    p += head.length;
    System.arraycopy(length, 0, o, p, length.length);
    p += length.length;
    p = put(o, p, "\r\nStripe-Signature: ");
    p += deliveries.copySignature(o, p);
    p = put(o, p, "\r\n\r\n");
    System.arraycopy(body, 0, o, p, body.length);
    p += body.length;
    c.duplicate = deliveries.isDuplicate();
    c.deliveryKey = deliveries.key();
    c.outBuffer = ByteBuffer.wrap(o, 0, p);
    c.inLength = 0;
    c.state = BUSY;
    c.sent = System.nanoTime();
    c.deadline = c.sent + phases.timeoutNanos;
    c.requestWritten = false;
    write(c);
  }

  private static int put(byte[] o, int p, String ascii) {
    for (int i = 0; i < ascii.length(); i++) {
      o[p++] = (byte) ascii.charAt(i);
    }
    return p;
  }

  private void write(Conn c) {
    try {
      c.channel.write(c.outBuffer);
      if (c.outBuffer.hasRemaining()) {
        c.key.interestOps(SelectionKey.OP_WRITE | SelectionKey.OP_READ);
      } else {
        c.requestWritten = true;
        c.key.interestOps(SelectionKey.OP_READ);
      }
    } catch (IOException e) {
      fail(c, System.nanoTime(), false, "write: " + e.getMessage());
    }
  }

  private void ready(SelectionKey key) {
    Conn c = (Conn) key.attachment();
    if (!key.isValid()) {
      return;
    }
    long now = System.nanoTime();
    try {
      if (c.state == CONNECTING && key.isConnectable()) {
        if (c.channel.finishConnect()) {
          connected(c, now);
        }
        return;
      }
      if (key.isWritable() && c.state == BUSY && !c.requestWritten) {
        write(c);
        if (!key.isValid()) {
          return;
        }
      }
      if (key.isReadable()) {
        read(c, now);
      }
    } catch (IOException e) {
      fail(c, now, false, (c.state == CONNECTING ? "connect: " : "") + e.getMessage());
    }
  }

  private void read(Conn c, long now) throws IOException {
    if (c.inLength == c.in.length) {
      if (c.in.length >= HttpResponseParser.MAX_RESPONSE) {
        throw new IOException("response too large");
      }
      c.in = java.util.Arrays.copyOf(c.in, c.in.length * 2);
    }
    int n = c.channel.read(ByteBuffer.wrap(c.in, c.inLength, c.in.length - c.inLength));
    if (n < 0) {
      if (c.state == BUSY && c.inLength > 0) {
        int end = c.parser.parse(c.in, c.inLength);
        if (end == HttpResponseParser.UNTIL_CLOSE) {
          complete(c, now, c.inLength);
          closeQuietly(c);
          replace(c, now);
          return;
        }
      }
      if (c.state == IDLE) {
        // The server closed an idle keep-alive connection: not an error.
        idle.remove(c);
        closeQuietly(c);
        return;
      }
      fail(c, now, false, "connection closed by the server before an answer");
      return;
    }
    if (c.state != BUSY) {
      c.inLength = 0; // bytes nobody asked for
      return;
    }
    c.inLength += n;
    int end = c.parser.parse(c.in, c.inLength);
    if (end >= 0) {
      complete(c, now, end);
      if (!c.parser.keepAlive || !c.requestWritten) {
        closeQuietly(c);
        replace(c, now);
      } else {
        reuse(c, now);
      }
    }
  }

  private void complete(Conn c, long now, int end) {
    int status = c.parser.status;
    boolean duplicateAck = status / 100 == 2 && c.parser.saysDuplicate(c.in, end);
    if (status / 100 == 2 && !c.duplicate) {
      deliveries.acknowledged(c.deliveryKey);
    }
    String failure =
        status / 100 == 2
            ? null
            : status
                + " "
                + new String(
                    c.in,
                    c.parser.bodyStart,
                    Math.min(200, Math.max(0, end - c.parser.bodyStart)),
                    US_ASCII);
    long start = openLoop ? c.due : c.sent;
    record(c.due, c.duplicate, status, duplicateAck, now - start, failure);
    c.pending = false;
    c.state = IDLE;
    c.inLength = 0;
  }

  private void record(
      long due, boolean duplicate, int status, boolean duplicateAck, long latency, String why) {
    Stats stats = phases.measured(due) ? measured : warmup;
    if (status < 0) {
      stats.failed(duplicate, false, why);
    } else {
      stats.answered(status, duplicate, duplicateAck, latency);
      if (why != null) {
        stats.noteFailure(why);
      }
    }
    phases.completions.increment();
  }

  /** After an answer on a connection that stays open. */
  private void reuse(Conn c, long now) {
    if (sending && !openLoop) {
      send(c, now);
    } else if (sending) {
      c.key.interestOps(SelectionKey.OP_READ);
      idle.addLast(c);
      issueDue(now);
    } else {
      closeQuietly(c);
    }
  }

  /** After a connection closed: closed loop opens another; open loop opens them on demand. */
  private void replace(Conn c, long now) {
    if (sending && !openLoop) {
      open(now, true);
    } else if (sending) {
      issueDue(now);
    }
  }

  private void fail(Conn c, long now, boolean timeout, String why) {
    boolean hadDelivery = c.pending && (c.state == BUSY || c.state == CONNECTING);
    if (hadDelivery) {
      Stats stats = phases.measured(c.due) ? measured : warmup;
      stats.failed(c.duplicate && c.state == BUSY, timeout, why);
      phases.completions.increment();
    }
    idle.remove(c);
    closeQuietly(c);
    c.pending = false;
    if (sending && !openLoop) {
      reconnectAt.addLast(now + (timeout ? 0 : RECONNECT_BACKOFF));
    }
  }

  private void expire(long now) {
    for (Conn c : new ArrayList<>(connections)) {
      if (c.pending && now - c.deadline >= 0) {
        fail(c, now, true, "no answer within the timeout");
      }
    }
  }

  private void abandonAll(long now) {
    for (Conn c : new ArrayList<>(connections)) {
      if (c.pending) {
        fail(c, now, true, "no answer within the timeout");
      }
    }
    // Open loop: deliveries that were due but never went out, for want of a connection.
    if (openLoop) {
      while (dueAt(nextIndex) - phases.end() < 0) {
        Stats stats = phases.measured(dueAt(nextIndex)) ? measured : warmup;
        stats.failed(false, true, "not sent: every connection was busy until the end");
        nextIndex++;
      }
    }
  }

  private int busyCount() {
    int n = 0;
    for (Conn c : connections) {
      if (c.pending) {
        n++;
      }
    }
    return n;
  }

  private void closeIdle() {
    Conn c;
    while ((c = idle.pollFirst()) != null) {
      closeQuietly(c);
    }
  }

  private void closeQuietly(Conn c) {
    connections.remove(c);
    if (c.key != null) {
      c.key.cancel();
    }
    if (c.channel != null) {
      try {
        c.channel.close();
      } catch (IOException ignored) {
        // closing a socket that already failed
      }
    }
  }
}
