package dev.stripeinbox.server.http;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which client addresses may deliver webhooks, as IPs and CIDR ranges, and which proxies may speak
 * for a client through {@code X-Forwarded-For}.
 *
 * <p>An allowlist is a second line of defence behind signatures (Stripe publishes its webhook
 * addresses). The header is honoured only when the connection comes from a trusted proxy, and then
 * the client is the right-most address in it that is not itself a trusted proxy; otherwise a client
 * could name any address it likes.
 *
 * <p>Immutable and thread-safe.
 */
public final class IpAllowlist {
  private static final Pattern LITERAL = Pattern.compile("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  private record Range(BigInteger network, int prefix, int bits) {
    boolean contains(InetAddress address) {
      byte[] raw = address.getAddress();
      if (raw.length * 8 != bits) {
        return false;
      }
      BigInteger value = new BigInteger(1, raw);
      return value.shiftRight(bits - prefix).equals(network.shiftRight(bits - prefix));
    }
  }

  private final List<Range> allowed;
  private final List<Range> proxies;

  private IpAllowlist(List<Range> allowed, List<Range> proxies) {
    this.allowed = List.copyOf(allowed);
    this.proxies = List.copyOf(proxies);
  }

  /**
   * Parses comma-separated addresses and ranges, such as {@code 3.18.12.63,10.0.0.0/8,::1}.
   *
   * @throws IllegalArgumentException naming the first entry that is not an IP or CIDR range
   */
  public static IpAllowlist parse(String allowedList, String trustedProxyList) {
    List<Range> allowed = ranges(allowedList);
    if (allowed.isEmpty()) {
      throw new IllegalArgumentException("the allowlist is empty");
    }
    return new IpAllowlist(allowed, ranges(trustedProxyList));
  }

  private static List<Range> ranges(String list) {
    List<Range> out = new ArrayList<>();
    if (list == null || list.isBlank()) {
      return out;
    }
    for (String raw : list.split(",")) {
      String entry = raw.strip();
      if (!entry.isEmpty()) {
        out.add(range(entry));
      }
    }
    return out;
  }

  private static Range range(String entry) {
    int slash = entry.indexOf('/');
    String host = slash < 0 ? entry : entry.substring(0, slash);
    InetAddress address =
        literal(host)
            .orElseThrow(
                () -> new IllegalArgumentException("\"" + entry + "\" is not an IP or CIDR range"));
    int bits = address.getAddress().length * 8;
    int prefix = bits;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(entry.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException("\"" + entry + "\" has an invalid prefix length");
      }
    }
    return new Range(new BigInteger(1, address.getAddress()), prefix, bits);
  }

  /** An IP literal; never a DNS lookup. */
  private static Optional<InetAddress> literal(String host) {
    if (!LITERAL.matcher(host).matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(host));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether a request may deliver.
   *
   * @param remote the address of the connection's peer
   * @param forwardedFor the {@code X-Forwarded-For} lines joined in order with commas, or null
   */
  public boolean permits(String remote, String forwardedFor) {
    Optional<InetAddress> client = clientOf(remote, forwardedFor);
    return client.isPresent() && allowed.stream().anyMatch(r -> r.contains(client.get()));
  }

  /** The address a request comes from, after trusted proxies; empty if it cannot be read. */
  Optional<InetAddress> clientOf(String remote, String forwardedFor) {
    Optional<InetAddress> peer = literal(stripBrackets(remote));
    if (peer.isEmpty() || !isProxy(peer.get()) || forwardedFor == null) {
      return peer;
    }
    String[] hops = forwardedFor.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      Optional<InetAddress> hop = literal(stripBrackets(hops[i].strip()));
      if (hop.isEmpty()) {
        return Optional.empty();
      }
      if (!isProxy(hop.get())) {
        return hop;
      }
    }
    return peer;
  }

  private boolean isProxy(InetAddress address) {
    return proxies.stream().anyMatch(r -> r.contains(address));
  }

  private static String stripBrackets(String s) {
    return s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
  }
}
