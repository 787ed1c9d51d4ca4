package io.reachability.libp2p.transport;

import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Dialing from the listen port (SO_REUSEPORT), as go-libp2p, rust-libp2p and js-libp2p do for TCP:
 * a NAT then maps an outbound connection from the same public port it maps inbound ones to, so the
 * address a peer observes for us (identify's {@code observedAddr}) is one it could dial back.
 *
 * <p>Which listen address an outbound socket binds to follows go-libp2p's reuseport transport
 * ({@code p2p/net/reuseport/dialer.go}): only a listener of the remote's IP family; for a loopback
 * remote a loopback listener (the one the routing table would send from, when there are several);
 * for any other remote a specific listener only when it is the source address the routing table
 * picks for that remote (otherwise the kernel would send packets from an address that route cannot
 * carry; a loopback listener never dials out); else a wildcard listener (0.0.0.0 / ::), which lets
 * the kernel pick the source address; else none, and the dial uses an ephemeral port. A bound dial
 * that fails for any reason other than a timeout or a refused connection (the remote really said
 * no) is retried once without binding, as go-reuseport does: a dial never fails only because of
 * port reuse (the usual cause is a connection with the same four-tuple, {@code EADDRNOTAVAIL}).
 */
final class PortReuse {

  /** Any port will do: connecting a UDP socket only looks up the route, nothing is sent. */
  static final int ROUTE_PROBE_PORT = 9;

  private PortReuse() {}

  /**
   * The local address an outbound socket to {@code remote} binds to, or empty for an ephemeral
   * port.
   *
   * @param listeners the listen sockets (configured IP, real port)
   * @param routeSource the source address the routing table uses for a destination, when known
   */
  static Optional<InetSocketAddress> select(
      List<InetSocketAddress> listeners,
      InetSocketAddress remote,
      Function<InetAddress, Optional<InetAddress>> routeSource) {
    InetAddress ip = remote.getAddress();
    if (ip == null) {
      return Optional.empty();
    }
    boolean v6 = ip instanceof Inet6Address;
    boolean loopbackRemote = ip.isLoopbackAddress();
    InetSocketAddress wildcard = null;
    List<InetSocketAddress> fitting =
        new ArrayList<>(); // loopback ones for a loopback remote, else specific ones
    for (InetSocketAddress listener : listeners) {
      InetAddress own = listener.getAddress();
      if ((own instanceof Inet6Address) != v6) {
        continue;
      }
      if (own.isAnyLocalAddress()) {
        wildcard = wildcard == null ? listener : wildcard;
      } else if (own.isLoopbackAddress() == loopbackRemote) {
        fitting.add(listener);
      }
    }
    if (!fitting.isEmpty()) {
      Optional<InetAddress> source = routeSource.apply(ip);
      for (InetSocketAddress listener : fitting) {
        if (source.isPresent() && listener.getAddress().equals(source.get())) {
          return Optional.of(listener);
        }
      }
      if (loopbackRemote) {
        return Optional.of(fitting.get(0)); // any loopback address reaches any other
      }
    }
    return Optional.ofNullable(wildcard);
  }

  /** The source address the routing table picks for {@code destination}; sends nothing. */
  static Optional<InetAddress> routeSource(InetAddress destination) {
    StandardProtocolFamily family =
        destination instanceof Inet6Address
            ? StandardProtocolFamily.INET6
            : StandardProtocolFamily.INET;
    try (DatagramChannel udp = DatagramChannel.open(family)) {
      udp.connect(new InetSocketAddress(destination, ROUTE_PROBE_PORT));
      return Optional.of(((InetSocketAddress) udp.getLocalAddress()).getAddress());
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // no route, or no such family here: no specific listener fits
    }
  }

  /**
   * Whether a dial from a bound listen port should be tried again from an ephemeral port: yes
   * unless the remote timed out or refused (go-reuseport's {@code reuseErrShouldRetry}).
   */
  static boolean worthRetryingUnbound(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ConnectTimeoutException || t instanceof SocketTimeoutException) {
        return false;
      }
      // Netty's native transport reports ECONNREFUSED as a ConnectException with the strerror text
      if (t instanceof ConnectException
          && t.getMessage() != null
          && t.getMessage().toLowerCase(Locale.ROOT).contains("connection refused")) {
        return false;
      }
    }
    return true;
  }

  /**
   * Fails unless a plain socket (SO_REUSEADDR, no SO_REUSEPORT) could listen on {@code address}. A
   * listener with SO_REUSEPORT would otherwise share a port that another process (say a second
   * instance of the service) already listens on, and the two would split the inbound connections.
   */
  static void requireFreePort(InetSocketAddress address) throws IOException {
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(address, 1);
    }
  }

  /**
   * Lists {@code server} among the listeners outbound sockets may share while it is open: under the
   * configured IP (a native socket on 0.0.0.0 may call itself ::) with its real port.
   */
  static void track(List<InetSocketAddress> listeners, Channel server, InetAddress configuredIp) {
    int port = ((InetSocketAddress) server.localAddress()).getPort();
    InetSocketAddress source = new InetSocketAddress(configuredIp, port);
    listeners.add(source);
    server.closeFuture().addListener(f -> listeners.remove(source));
  }

  /**
   * {@link #requireFreePort} for a UDP port: fails unless a plain UDP socket could bind it; returns
   * {@code address}.
   */
  static InetSocketAddress requireFreeUdpPort(InetSocketAddress address) throws IOException {
    try (DatagramSocket probe = new DatagramSocket(null)) {
      probe.bind(address);
    }
    return address;
  }

  /**
   * {@code address}'s IP with a UDP port no socket holds now, as a plain socket (no SO_REUSEPORT)
   * finds it.
   */
  static InetSocketAddress freeUdpPort(InetSocketAddress address) throws IOException {
    try (DatagramSocket probe = new DatagramSocket(null)) {
      probe.bind(address);
      return new InetSocketAddress(address.getAddress(), probe.getLocalPort());
    }
  }
}
