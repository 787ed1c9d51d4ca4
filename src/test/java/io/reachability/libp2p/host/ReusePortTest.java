package io.reachability.libp2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.identify.IdentifyResult;
import io.reachability.testing.Echo;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.Waiting;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Dialing from the listen port (SO_REUSEPORT) with real hosts on loopback: the other side sees the
 * listen port, identify reports it as our observed address, and whenever reuse is impossible the
 * dial still succeeds from an ephemeral port.
 */
class ReusePortTest {

  private static final long TIMEOUT_SECONDS = 20;

  private final List<Host> hosts = new ArrayList<>();

  @AfterEach
  void stop() {
    hosts.forEach(Host::close);
  }

  private Host start(HostBuilder builder) {
    Host host = builder.protocol(Echo.PROTOCOL_ID, Echo.responder()).build().start();
    hosts.add(host);
    return host;
  }

  private Host listening(String name) {
    return start(Host.builder().threadName(name).listen(LoopbackHosts.ANY_PORT));
  }

  private static Multiaddr addressOf(Host host) {
    return host.listenAddresses().get(0).withPeerId(host.peerId());
  }

  private static int listenPort(Host host) {
    return host.listenAddresses().get(0).toTcpSocketAddress().orElseThrow().getPort();
  }

  private static int port(Multiaddr address) {
    return address.toTcpSocketAddress().orElseThrow().getPort();
  }

  /** B's inbound connection from {@code from}, as B sees it. */
  private static Connection inboundOn(Host b, PeerId from, int count) throws InterruptedException {
    Waiting.within(Duration.ofSeconds(TIMEOUT_SECONDS))
        .until(() -> !(b.connections(from).size() < count));
    assertThat(b.connections(from)).hasSizeGreaterThanOrEqualTo(count);
    return b.connections(from).get(count - 1);
  }

  private static void assumeEpoll() {
    assumeTrue(Epoll.isAvailable(), "SO_REUSEPORT dials need the native epoll transport");
  }

  @Test
  void anOutboundConnectionLeavesFromTheListenPortAndIdentifyObservesIt() throws Exception {
    assumeEpoll();
    Host a = listening("reuse-a");
    Host b = listening("reuse-b");
    int x = listenPort(a);

    Connection connection = a.dial(addressOf(b)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertThat(connection.localAddress())
        .isEqualTo(Multiaddr.fromString("/ip4/127.0.0.1/tcp/" + x));
    assertThat(port(inboundOn(b, a.peerId(), 1).remoteAddress())).isEqualTo(x);
    IdentifyResult aboutB = a.identify(connection).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertThat(aboutB.observedAddress()).isEqualTo(Multiaddr.fromString("/ip4/127.0.0.1/tcp/" + x));
    assertThat(Echo.roundTrip(connection, 1000, 1).get(TIMEOUT_SECONDS, TimeUnit.SECONDS).matches())
        .isTrue();
  }

  @Test
  void withoutReuseAnOutboundConnectionLeavesFromAnEphemeralPort() throws Exception {
    Host a = start(LoopbackHosts.builder("plain-a").reusePort(false));
    Host b = listening("plain-b");

    Connection connection = a.dial(addressOf(b)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertThat(port(inboundOn(b, a.peerId(), 1).remoteAddress())).isNotEqualTo(listenPort(a));
    assertThat(port(connection.localAddress())).isNotEqualTo(listenPort(a));
  }

  @Test
  void aWildcardListenerLendsItsPortToOutboundConnections() throws Exception {
    assumeEpoll();
    Host a = start(Host.builder().threadName("wild-a").listen("/ip4/0.0.0.0/tcp/0"));
    Host b = listening("wild-b");

    a.dial(addressOf(b)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertThat(port(inboundOn(b, a.peerId(), 1).remoteAddress())).isEqualTo(listenPort(a));
  }

  @Test
  void anIpv6ListenerLendsItsPortToIpv6ConnectionsOnly() throws Exception {
    assumeEpoll();
    Host a =
        start(
            Host.builder()
                .threadName("six-a")
                .listen("/ip6/::1/tcp/0")
                .listen(LoopbackHosts.ANY_PORT));
    Host b =
        start(
            Host.builder()
                .threadName("six-b")
                .listen("/ip6/::1/tcp/0")
                .listen(LoopbackHosts.ANY_PORT));
    int port6 = port(a.listenAddresses().get(0));
    int port4 = port(a.listenAddresses().get(1));

    Connection over6 = a.dial(b.listenAddresses().get(0)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    Connection over4 = a.dial(b.listenAddresses().get(1)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertThat(over6.localAddress()).isEqualTo(Multiaddr.fromString("/ip6/::1/tcp/" + port6));
    assertThat(over4.localAddress()).isEqualTo(Multiaddr.fromString("/ip4/127.0.0.1/tcp/" + port4));
  }

  @Test
  void twoConcurrentConnectionsToTwoPeersBothLeaveFromTheListenPort() throws Exception {
    assumeEpoll();
    Host a = listening("conc-a");
    Host b = listening("conc-b");
    Host c = listening("conc-c");

    CompletableFuture<Connection> toB = a.dial(addressOf(b));
    CompletableFuture<Connection> toC = a.dial(addressOf(c));

    assertThat(port(toB.get(TIMEOUT_SECONDS, TimeUnit.SECONDS).localAddress()))
        .isEqualTo(listenPort(a));
    assertThat(port(toC.get(TIMEOUT_SECONDS, TimeUnit.SECONDS).localAddress()))
        .isEqualTo(listenPort(a));
    assertThat(port(inboundOn(b, a.peerId(), 1).remoteAddress())).isEqualTo(listenPort(a));
    assertThat(port(inboundOn(c, a.peerId(), 1).remoteAddress())).isEqualTo(listenPort(a));
  }

  @Test
  void aSecondConnectionWithTheSameFourTupleFallsBackToAnEphemeralPort() throws Exception {
    assumeEpoll();
    Host a = listening("twice-a");
    Host b = listening("twice-b");
    // no /p2p: every dial is a new connection (as a dial-back is)
    Multiaddr plain = b.listenAddresses().get(0);

    Connection first = a.dial(plain).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    Connection second = a.dial(plain).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertThat(port(first.localAddress())).isEqualTo(listenPort(a));
    assertThat(port(second.localAddress())).isNotEqualTo(listenPort(a));
    assertThat(first.isOpen()).isTrue();
    assertThat(second.isOpen()).isTrue();
    assertThat(Echo.roundTrip(second, 1000, 2).get(TIMEOUT_SECONDS, TimeUnit.SECONDS).matches())
        .isTrue();
    assertThat(Echo.roundTrip(first, 1000, 3).get(TIMEOUT_SECONDS, TimeUnit.SECONDS).matches())
        .isTrue();
  }

  @Test
  void theOtherSideDialingBackOverTheSameFourTupleStillConnects() throws Exception {
    assumeEpoll();
    Host a = listening("back-a");
    Host b = listening("back-b");
    a.dial(addressOf(b)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    // B's listen port → A's listen port is exactly the connection A opened
    Connection back = b.dial(a.listenAddresses().get(0)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertThat(back.remotePeer()).isEqualTo(a.peerId());
    assertThat(port(back.localAddress())).isNotEqualTo(listenPort(b));
  }

  @Test
  void aRefusedDialFromTheListenPortFailsAndLeavesNothingBehind() throws Exception {
    assumeEpoll();
    Host a = listening("refused-a");
    Host b = listening("refused-b");
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }

    assertThatThrownBy(
            () -> a.dial("/ip4/127.0.0.1/tcp/" + closed).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
        .hasMessageContaining("refused");

    assertThat(a.connections()).isEmpty();
    assertThat(port(a.dial(addressOf(b)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS).localAddress()))
        .isEqualTo(listenPort(a));
  }

  @Test
  void nioTransportDialsFromAnEphemeralPort() throws Exception {
    Host a = start(LoopbackHosts.builder("nio-a").nativeTransport(false));
    Host b = listening("nio-b");

    Connection connection = a.dial(addressOf(b)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertThat(port(inboundOn(b, a.peerId(), 1).remoteAddress())).isNotEqualTo(listenPort(a));
    assertThat(Echo.roundTrip(connection, 1000, 4).get(TIMEOUT_SECONDS, TimeUnit.SECONDS).matches())
        .isTrue();
    // and it is dialable itself
    Connection toA = b.dial(addressOf(a)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertThat(toA.remotePeer()).isEqualTo(a.peerId());
  }

  @Test
  void aHostWithoutListenAddressesDialsFromEphemeralPorts() throws Exception {
    Host a = start(Host.builder().threadName("nolisten-a"));
    Host b = listening("nolisten-b");

    Connection connection = a.dial(addressOf(b)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertThat(connection.remotePeer()).isEqualTo(b.peerId());
    assertThat(port(connection.localAddress())).isNotEqualTo(listenPort(b));
  }

  @Test
  void aPortAnotherSocketListensOnIsStillRefused() throws Exception {
    assumeEpoll();
    Host a = listening("taken-a");
    // SO_REUSEPORT on both would let two hosts share a port and split its connections: refused
    HostBuilder second = Host.builder().threadName("taken-b").listen(a.listenAddresses().get(0));
    assertThatThrownBy(() -> start(second))
        .hasMessageContaining("cannot start host")
        .hasMessageContaining("in use");
  }
}
