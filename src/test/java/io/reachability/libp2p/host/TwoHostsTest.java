package io.reachability.libp2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.ConnectionListener;
import io.reachability.libp2p.core.Direction;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.core.Stream;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.identify.Identify;
import io.reachability.libp2p.identify.IdentifyResult;
import io.reachability.libp2p.ping.Ping;
import io.reachability.testing.Echo;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.Waiting;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two of our hosts on loopback: the whole stack, real sockets. Over TCP here; {@link
 * QuicTwoHostsTest} runs every test again over QUIC.
 */
class TwoHostsTest {

  static final long TIMEOUT_SECONDS = 20;

  /** Where the hosts listen: any port on IPv4 loopback. */
  String anyPort() {
    return LoopbackHosts.ANY_PORT;
  }

  /** {@link #anyPort()} on the IPv4 wildcard. */
  String wildcardAnyPort() {
    return "/ip4/0.0.0.0/tcp/0";
  }

  /** Sends bytes that are no libp2p handshake to {@code target} and waits for the host's answer. */
  void sendGarbage(InetSocketAddress target) throws Exception {
    try (Socket raw = new Socket(target.getAddress(), target.getPort())) {
      OutputStream out = raw.getOutputStream();
      byte[] garbage = new byte[4096];
      new java.util.Random(5).nextBytes(garbage);
      out.write(garbage);
      out.flush();
      raw.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
      // the host hangs up on the garbage: an orderly close, or a reset because our bytes were
      // unread
      try {
        while (raw.getInputStream().read() != -1) {
          // drain whatever it said before closing
        }
      } catch (java.net.SocketException reset) {
        assertThat(reset.getMessage()).containsIgnoringCase("reset");
      }
    }
  }

  private Host a;
  private Host b;

  @BeforeEach
  void start() {
    a =
        LoopbackHosts.builder("host-a", anyPort())
            .protocol(Echo.PROTOCOL_ID, Echo.responder())
            .build()
            .start();
    b =
        LoopbackHosts.builder("host-b", anyPort())
            .protocol(Echo.PROTOCOL_ID, Echo.responder())
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
  }

  private Multiaddr addressOf(Host host) {
    return host.listenAddresses().get(0).withPeerId(host.peerId());
  }

  private Connection connectAtoB() throws Exception {
    return a.dial(addressOf(b)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  void oneAddressCannotTakeMoreThanItsShareOfInboundConnections() throws Exception {
    Host limited =
        LoopbackHosts.builder("host-limited", anyPort())
            .maxInboundConnectionsPerIp(2)
            .build()
            .start();
    Host third = Host.builder().threadName("host-third").build().start();
    try {
      Connection first = a.dial(addressOf(limited)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      b.dial(addressOf(limited)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      InetAddress loopback = InetAddress.getByName("127.0.0.1");
      assertThat(limited.inboundConnectionsFrom(loopback)).isEqualTo(2);

      // a third connection from 127.0.0.1 is closed at once: its upgrade cannot complete
      assertThatThrownBy(
              () -> third.dial(addressOf(limited)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class);

      // a slot freed is a slot to take again
      first.close();
      Waiting.within(Duration.ofSeconds(TIMEOUT_SECONDS))
          .until(() -> !(limited.inboundConnectionsFrom(loopback) > 1));
      assertThat(third.dial(addressOf(limited)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS).isOpen())
          .isTrue();
      assertThat(limited.inboundConnectionsFrom(loopback)).isEqualTo(2);
    } finally {
      third.close();
      limited.close();
    }
  }

  @Test
  void aConnectionTheOtherSideOpenedIsReusedButNotByDialOutbound() throws Exception {
    // b dials a: for a, an inbound connection to b
    Connection fromB = b.dial(addressOf(a)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    Waiting.within(Duration.ofSeconds(TIMEOUT_SECONDS))
        .until(() -> !(a.connections(b.peerId()).isEmpty()));
    Connection inbound = a.connections(b.peerId()).get(0);
    assertThat(inbound.direction()).isEqualTo(Direction.INBOUND);
    assertThat(a.dial(addressOf(b)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isSameAs(inbound);

    // dialOutbound opens a connection of its own, and from then on both dials prefer it
    Connection outbound = a.dialOutbound(addressOf(b)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertThat(outbound).isNotSameAs(inbound);
    assertThat(outbound.direction()).isEqualTo(Direction.OUTBOUND);
    assertThat(a.dial(addressOf(b)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isSameAs(outbound);
    assertThat(a.dialOutbound(addressOf(b)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
        .isSameAs(outbound);
    assertThat(fromB.isOpen()).isTrue();
  }

  @Test
  void listenOnPortZeroReportsTheRealPort() {
    Multiaddr bound = a.listenAddresses().get(0);
    assertThat(bound.toIpSocketAddress())
        .hasValueSatisfying(s -> assertThat(s.getPort()).isPositive());
  }

  @Test
  void connectsAuthenticatesAndKnowsBothAddresses() throws Exception {
    Connection connection = connectAtoB();
    assertThat(connection.remotePeer()).isEqualTo(b.peerId());
    assertThat(connection.direction()).isEqualTo(Direction.OUTBOUND);
    assertThat(connection.remoteAddress()).isEqualTo(b.listenAddresses().get(0));
    assertThat(connection.localAddress().toString())
        .startsWith(anyPort().substring(0, anyPort().indexOf("/0")));
    awaitConnections(b, 1);
    Connection inbound = b.connections().get(0);
    assertThat(inbound.remotePeer()).isEqualTo(a.peerId());
    assertThat(inbound.direction()).isEqualTo(Direction.INBOUND);
    assertThat(inbound.remoteAddress()).isEqualTo(connection.localAddress());
  }

  @Test
  void dialReusesTheOpenConnection() throws Exception {
    Connection first = connectAtoB();
    Connection second = connectAtoB();
    assertThat(second).isSameAs(first);
  }

  @Test
  void identifyWorksInBothDirections() throws Exception {
    Connection connection = connectAtoB();
    IdentifyResult aboutB = a.identify(connection).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertThat(aboutB.peer()).isEqualTo(b.peerId());
    assertThat(aboutB.protocols())
        .contains(Identify.PROTOCOL_ID, Ping.PROTOCOL_ID, Echo.PROTOCOL_ID);
    assertThat(aboutB.listenAddresses()).containsExactlyElementsOf(b.listenAddresses());
    assertThat(aboutB.observedAddress()).isEqualTo(connection.localAddress());
    assertThat(aboutB.agentVersion()).startsWith(HostSettings.DEFAULT_AGENT_VERSION);
    assertThat(aboutB.protocolVersion()).isEqualTo(Identify.PROTOCOL_VERSION);

    awaitConnections(b, 1);
    Connection inbound = b.connections().get(0);
    IdentifyResult aboutA = b.identify(inbound).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertThat(aboutA.peer()).isEqualTo(a.peerId());
    assertThat(aboutA.observedAddress()).isEqualTo(b.listenAddresses().get(0));
  }

  @Test
  void pings() throws Exception {
    Connection connection = connectAtoB();
    Duration rtt = a.ping(connection).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertThat(rtt).isPositive();
  }

  @Test
  void hundredConcurrentStreams() throws Exception {
    Connection connection = connectAtoB();
    List<CompletableFuture<Echo.Result>> echoes = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      echoes.add(Echo.roundTrip(connection, 10_000 + i, i));
    }
    CompletableFuture.allOf(echoes.toArray(new CompletableFuture<?>[0]))
        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    for (CompletableFuture<Echo.Result> echo : echoes) {
      assertThat(echo.get().matches()).as("echo %s", echo.get()).isTrue();
    }
  }

  @Test
  void fourMebibytesEachWay() throws Exception {
    Connection connection = connectAtoB();
    Echo.Result result =
        Echo.roundTrip(connection, 4 * 1024 * 1024, 7).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertThat(result.received()).isEqualTo(4L * 1024 * 1024);
    assertThat(result.matches()).isTrue();
  }

  @Test
  void abruptCloseEndsStreamsOnTheOtherSideAndTheHostsCarryOn() throws Exception {
    CountDownLatch streamOpen = new CountDownLatch(1);
    CountDownLatch streamClosed = new CountDownLatch(1);
    b.setStreamHandler(
        "/test/hold/1.0.0",
        stream -> {
          streamOpen.countDown();
          stream.channel().closeFuture().addListener(f -> streamClosed.countDown());
        });
    CountDownLatch disconnected = new CountDownLatch(1);
    b.addConnectionListener(
        new ConnectionListener() {
          @Override
          public void disconnected(Connection connection) {
            disconnected.countDown();
          }
        });
    Connection connection = connectAtoB();
    connection
        .newStream(List.of("/test/hold/1.0.0"), stream -> {})
        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertThat(streamOpen.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();

    connection.close().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertThat(streamClosed.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(disconnected.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
    Connection again = connectAtoB();
    assertThat(again).isNotSameAs(connection);
    assertThat(Echo.roundTrip(again, 1000, 1).get(TIMEOUT_SECONDS, TimeUnit.SECONDS).matches())
        .isTrue();
  }

  @Test
  void resetReachesTheOtherSide() throws Exception {
    AtomicReference<Throwable> seen = new AtomicReference<>();
    CountDownLatch closed = new CountDownLatch(1);
    b.setStreamHandler(
        "/test/reset/1.0.0",
        stream -> {
          stream
              .channel()
              .pipeline()
              .addLast(
                  new ChannelInboundHandlerAdapter() {
                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                      seen.set(cause);
                    }
                  });
          stream.channel().closeFuture().addListener(f -> closed.countDown());
        });
    Connection connection = connectAtoB();
    Stream stream =
        connection
            .newStream(List.of("/test/reset/1.0.0"), s -> {})
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    stream.channel().writeAndFlush(stream.channel().alloc().buffer().writeInt(1));
    stream.reset();
    assertThat(closed.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
    // the connection survives a reset stream
    assertThat(Echo.roundTrip(connection, 1000, 2).get(TIMEOUT_SECONDS, TimeUnit.SECONDS).matches())
        .isTrue();
  }

  @Test
  void unsupportedProtocolFailsTheStreamNotTheConnection() throws Exception {
    Connection connection = connectAtoB();
    assertThatThrownBy(
            () ->
                connection
                    .newStream(List.of("/nope/1.0.0"), s -> {})
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
        .hasMessageContaining("/nope/1.0.0");
    assertThat(connection.isOpen()).isTrue();
    assertThat(Echo.roundTrip(connection, 100, 3).get(TIMEOUT_SECONDS, TimeUnit.SECONDS).matches())
        .isTrue();
  }

  @Test
  void wrongPeerIdFailsTheDial() {
    Multiaddr wrong =
        b.listenAddresses()
            .get(0)
            .withPeerId(PeerId.fromPublicKey(Keys.generateEd25519().publicKey().marshal()));
    assertThatThrownBy(() -> a.dial(wrong).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
        .hasMessageContaining("peer id");
    assertThat(a.connections()).isEmpty();
  }

  @Test
  void garbageFromOnePeerDoesNotDisturbOthers() throws Exception {
    Connection good = connectAtoB();
    sendGarbage(b.listenAddresses().get(0).toIpSocketAddress().orElseThrow());
    assertThat(Echo.roundTrip(good, 1000, 4).get(TIMEOUT_SECONDS, TimeUnit.SECONDS).matches())
        .isTrue();
  }

  @Test
  void connectionLimitRefusesTheExtraConnection() throws Exception {
    try (Host limited =
        LoopbackHosts.builder("limited", anyPort()).maxConnections(1).build().start()) {
      Multiaddr address = limited.listenAddresses().get(0).withPeerId(limited.peerId());
      a.dial(address).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      assertThatThrownBy(() -> b.dial(address).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isNotNull();
      assertThat(limited.connections()).hasSize(1);
    }
  }

  @Test
  void aDialWeCannotMakeFailsAtOnceAndDoesNotBlockTheNext() throws Exception {
    // (a DNS name is dialable now: resolved, it would send a query beyond loopback)
    Multiaddr websocket = Multiaddr.fromString("/ip4/127.0.0.1/tcp/4001/ws").withPeerId(b.peerId());
    assertThatThrownBy(() -> a.dial(websocket).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
        .hasMessageContaining("cannot dial");
    // the failed attempt left no pending dial or connection slot behind
    assertThat(connectAtoB().remotePeer()).isEqualTo(b.peerId());
  }

  @Test
  void wildcardListenAddressIsAdvertisedAsInterfaceAddresses() {
    try (Host wildcard =
        Host.builder().threadName("wildcard").listen(wildcardAnyPort()).build().start()) {
      Multiaddr bound = wildcard.listenAddresses().get(0);
      int port = bound.toIpSocketAddress().orElseThrow().getPort();
      String loopback = anyPort().replace("/0", "/" + port);
      assertThat(wildcard.interfaceListenAddresses())
          .contains(Multiaddr.fromString(loopback))
          .allSatisfy(
              address ->
                  assertThat(address.toString()).startsWith("/ip4/").doesNotContain("ip6zone"));
      // with no filter, identify announces exactly these
      assertThat(wildcard.advertisedAddresses()).isEqualTo(wildcard.interfaceListenAddresses());
    }
  }

  @Test
  void closingTheHostFromItsOwnEventLoopIsRefused() throws Exception {
    Connection connection = connectAtoB();
    CompletableFuture<Throwable> refused = new CompletableFuture<>();
    connection.newStream(
        List.of(Echo.PROTOCOL_ID),
        stream -> {
          try {
            a.close();
            refused.complete(null);
          } catch (IllegalStateException e) {
            refused.complete(e);
          }
        });
    assertThat(refused.get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
        .isInstanceOf(IllegalStateException.class);
    assertThat(connection.isOpen()).isTrue();
  }

  private static void awaitConnections(Host host, int count) throws InterruptedException {
    Waiting.within(Duration.ofSeconds(TIMEOUT_SECONDS))
        .until(() -> !(host.connections().size() < count));
    assertThat(host.connections()).hasSizeGreaterThanOrEqualTo(count);
  }
}
