package io.reachability.testing;

import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.host.HostBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Hosts for tests: on loopback only, on a port the system picks. */
public final class LoopbackHosts {

  /** Listen here: IPv4 loopback, any free port. */
  public static final String ANY_PORT = "/ip4/127.0.0.1/tcp/0";

  /**
   * Listen here to be "another IP" than a peer on {@link #ANY_PORT}: still loopback (127.0.0.0/8),
   * any free port.
   */
  public static final String ANOTHER_IP_ANY_PORT = "/ip4/127.0.0.2/tcp/0";

  /** Listen here for QUIC-v1: IPv4 loopback, any free UDP port. */
  public static final String QUIC_ANY_PORT = "/ip4/127.0.0.1/udp/0/quic-v1";

  /** Listen here: IPv6 loopback, any free port (a machine without {@code ::1} refuses it). */
  public static final String IPV6_ANY_PORT = "/ip6/::1/tcp/0";

  private LoopbackHosts() {}

  /**
   * A TCP port on 127.0.0.1 where nothing listens: bound once by the system, then released (a
   * dial-back to it fails at once).
   */
  public static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free loopback port", e);
    }
  }

  /** A UDP port on 127.0.0.1 where nothing listens, found as {@link #closedPort()} is. */
  public static int closedUdpPort() {
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free loopback UDP port", e);
    }
  }

  /** A builder listening on {@code listen}, its threads named {@code threadName}. */
  public static HostBuilder builder(String threadName, String listen) {
    return Host.builder().threadName(threadName).listen(listen);
  }

  /** A builder listening on {@link #ANY_PORT}, its threads named {@code threadName}. */
  public static HostBuilder builder(String threadName) {
    return Host.builder().threadName(threadName).listen(ANY_PORT);
  }

  /** A started host on {@link #ANY_PORT}; the test closes it. */
  public static Host start(String threadName) {
    return builder(threadName).build().start();
  }
}
