package io.reachability.libp2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.Stream;
import io.reachability.libp2p.identify.IdentifyResult;
import io.reachability.libp2p.ping.Ping;
import io.reachability.libp2p.transport.QuicTransport;
import io.reachability.libp2p.yamux.YamuxSettings;
import io.reachability.testing.Echo;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.Waiting;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link TwoHostsTest} over QUIC-v1: the same connections, streams, limits and failures, each
 * libp2p stream a QUIC stream, TLS inside QUIC authenticating the peers.
 */
class QuicTwoHostsTest extends TwoHostsTest {

  /** Inbound streams the host of {@link #aPeerCannotHoldMoreStreamsThanTheLimit} allows. */
  private static final int STREAM_LIMIT = 4;

  /** Streams tried beyond the limit: a refused attempt must not spend a stream id. */
  private static final int EXTRA_ATTEMPTS = 3;

  /** Streams opened one after the other on one connection: five times the limit. */
  private static final int SEQUENTIAL_STREAMS = 5 * STREAM_LIMIT;

  private static final int ECHO_BYTES = 1000;

  /** A protocol whose streams the responder keeps open. */
  private static final String HOLD = "/test/hold/1.0.0";

  /** Datagrams of garbage sent, each as large as a QUIC Initial must be. */
  private static final int GARBAGE_DATAGRAMS = 16;

  private static final int GARBAGE_DATAGRAM_SIZE = 1200;

  @BeforeAll
  static void quicIsAvailable() {
    assumeTrue(QuicTransport.isAvailable(), QuicTransport::unavailabilityReason);
  }

  @Override
  String anyPort() {
    return LoopbackHosts.QUIC_ANY_PORT;
  }

  @Override
  String wildcardAnyPort() {
    return "/ip4/0.0.0.0/udp/0/quic-v1";
  }

  @Test
  void outboundConnectionsLeaveFromTheListenPort() throws Exception {
    Host a = LoopbackHosts.builder("quic-a", anyPort()).build().start();
    Host b = LoopbackHosts.builder("quic-b", anyPort()).build().start();
    try {
      assumeTrue(a.dialsFromListenPort(), "port reuse needs the native epoll transport");
      Connection connection =
          a.dial(b.listenAddresses().get(0).withPeerId(b.peerId()))
              .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      // b observes a at a's listen port: the mapping a NAT would give that port
      assertThat(connection.localAddress()).isEqualTo(a.listenAddresses().get(0));
      IdentifyResult aboutB = a.identify(connection).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      assertThat(aboutB.observedAddress()).isEqualTo(a.listenAddresses().get(0));

      // b dialing a back, while a's connection from that port is open, leaves from another port:
      // one four-tuple cannot carry two connections
      Connection back =
          b.dialOutbound(a.listenAddresses().get(0).withPeerId(a.peerId()))
              .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      assertThat(back.localAddress()).isNotEqualTo(b.listenAddresses().get(0));
      assertThat(b.ping(back).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isPositive();
      assertThat(a.ping(connection).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isPositive();
    } finally {
      a.close();
      b.close();
    }
  }

  /**
   * A peer gets stream credit for the host's inbound stream limit only: beyond it, opening one more
   * fails at once (no credit) while the streams already open, and the connection, carry on; a
   * stream that ends (FIN each way) gives its credit back.
   */
  @Test
  void aPeerCannotHoldMoreStreamsThanTheLimit() throws Exception {
    CountDownLatch held = new CountDownLatch(STREAM_LIMIT);
    Host limited =
        LoopbackHosts.builder("quic-streams", anyPort())
            .yamux(YamuxSettings.defaults().withMaxInboundStreams(STREAM_LIMIT))
            .protocol(Echo.PROTOCOL_ID, Echo.responder())
            .protocol(
                HOLD,
                stream -> {
                  held.countDown();
                  // holds the stream until the dialer ends its side, then ends ours
                  stream
                      .channel()
                      .pipeline()
                      .addLast(
                          new ChannelInboundHandlerAdapter() {
                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                              if (evt instanceof ChannelInputShutdownEvent) {
                                ctx.close();
                              }
                              ctx.fireUserEventTriggered(evt);
                            }
                          });
                })
            .build()
            .start();
    Host dialer = LoopbackHosts.builder("quic-dialer", anyPort()).build().start();
    try {
      Connection connection =
          dialer
              .dial(limited.listenAddresses().get(0).withPeerId(limited.peerId()))
              .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      // identify's stream on the new connection holds a credit until the host hands it back
      List<Stream> open = new ArrayList<>();
      for (int i = 0; i < STREAM_LIMIT; i++) {
        open.add(openWithin(connection, HOLD));
      }
      assertThat(held.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < EXTRA_ATTEMPTS; i++) {
        CompletableFuture<Stream> extra = connection.newStream(List.of(HOLD), s -> {});
        assertThatThrownBy(() -> extra.get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
            .hasMessageContaining("allows no more streams");
      }
      assertThat(connection.isOpen()).isTrue();
      assertThat(open).allMatch(s -> s.channel().isActive());
      open.get(0).closeWrite();
      assertThat(openWithin(connection, Ping.PROTOCOL_ID).protocol()).isEqualTo(Ping.PROTOCOL_ID);

      // a long-lived connection (to a pool server, say) opens far more streams than the limit
      open.forEach(Stream::closeWrite);
      for (int i = 0; i < SEQUENTIAL_STREAMS; i++) {
        int seed = i;
        Waiting.within(Duration.ofSeconds(TIMEOUT_SECONDS))
            .until(
                () -> {
                  try {
                    return Echo.roundTrip(connection, ECHO_BYTES, seed)
                        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                        .matches();
                  } catch (ExecutionException e) {
                    return false; // no credit back yet
                  }
                });
      }
    } finally {
      dialer.close();
      limited.close();
    }
  }

  /** A stream of {@code protocol}, as soon as the peer has given the credit for one. */
  private static Stream openWithin(Connection connection, String protocol) {
    AtomicReference<Stream> opened = new AtomicReference<>();
    Waiting.within(Duration.ofSeconds(TIMEOUT_SECONDS))
        .until(
            () -> {
              try {
                opened.set(
                    connection
                        .newStream(List.of(protocol), s -> {})
                        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
                return true;
              } catch (ExecutionException e) {
                return false;
              }
            });
    return opened.get();
  }

  /**
   * With QUIC off (or its native library missing) a host still starts: its QUIC listen address is
   * skipped with a warning, and QUIC addresses are nothing it can dial.
   */
  @Test
  void aHostWithoutQuicStartsOnTcpAlone() throws Exception {
    try (Host tcpOnly =
        LoopbackHosts.builder("no-quic", LoopbackHosts.ANY_PORT)
            .listen(anyPort())
            .quic(false)
            .build()
            .start()) {
      assertThat(tcpOnly.listenAddresses()).hasSize(1).noneMatch(Multiaddr::isQuic);
      Multiaddr quicPeer = Multiaddr.fromString("/ip4/127.0.0.1/udp/4001/quic-v1");
      assertThat(tcpOnly.canDial(quicPeer)).isFalse();
      assertThat(tcpOnly.canDial(tcpOnly.listenAddresses().get(0))).isTrue();
      Host quicHost = LoopbackHosts.builder("quic-peer", anyPort()).build().start();
      try {
        assertThatThrownBy(
                () ->
                    tcpOnly
                        .dial(quicHost.listenAddresses().get(0).withPeerId(quicHost.peerId()))
                        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
            .hasMessageContaining("no transport handles it");
      } finally {
        quicHost.close();
      }
    }
  }

  /**
   * Random datagrams are no QUIC packets: the host drops them (at most it answers with a version
   * negotiation or a stateless reset); the test then checks the good connection still works.
   */
  @Override
  void sendGarbage(InetSocketAddress target) throws Exception {
    Random random = new Random(5);
    try (DatagramSocket raw = new DatagramSocket(new InetSocketAddress(target.getAddress(), 0))) {
      for (int i = 0; i < GARBAGE_DATAGRAMS; i++) {
        byte[] garbage = new byte[GARBAGE_DATAGRAM_SIZE];
        random.nextBytes(garbage);
        raw.send(new DatagramPacket(garbage, garbage.length, target));
      }
    }
  }
}
