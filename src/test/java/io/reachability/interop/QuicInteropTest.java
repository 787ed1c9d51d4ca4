package io.reachability.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Direction;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.transport.QuicTransport;
import io.reachability.testing.Echo;
import io.reachability.testing.LoopbackHosts;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

/**
 * Our host over QUIC-v1 against js-libp2p ({@code @chainsafe/libp2p-quic}, quinn underneath),
 * go-libp2p (quic-go) and rust-libp2p (quinn): the QUIC and TLS handshakes with the libp2p
 * certificate, then identify, ping and a 1 MiB echo both ways, in both directions.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@Interop
class QuicInteropTest {

  private static final long TIMEOUT_SECONDS = 20;

  private static Host host;
  private static final AtomicLong echoedForThem = new AtomicLong();

  @BeforeAll
  static void startHost() {
    assumeTrue(QuicTransport.isAvailable(), QuicTransport::unavailabilityReason);
    host =
        LoopbackHosts.builder("interop-quic", LoopbackHosts.QUIC_ANY_PORT)
            .protocol(Echo.PROTOCOL_ID, Echo.responder(echoedForThem))
            .build()
            .start();
  }

  @AfterAll
  static void stopHost() {
    if (host != null) {
      host.close();
    }
  }

  private static Multiaddr ourAddress() {
    return host.listenAddresses().get(0);
  }

  private static PeerSpec quicNode() {
    return PeerSpec.node().withListen(List.of(LoopbackHosts.QUIC_ANY_PORT));
  }

  @ParameterizedTest
  @EnumSource(PeerImplementation.class)
  void weDialThem(PeerImplementation implementation) throws Exception {
    implementation.assumeAvailable();
    try (InteropPeer peer = InteropPeer.start(implementation, quicNode())) {
      Multiaddr theirs = Multiaddr.fromString(peer.addrs().get(0));
      assertThat(theirs.isQuic()).as("%s listens on QUIC", theirs).isTrue();
      Connection connection = host.dial(theirs).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      assertThat(connection.remotePeer()).isEqualTo(PeerId.fromString(peer.peerId()));
      assertThat(connection.direction()).isEqualTo(Direction.OUTBOUND);
      assertThat(connection.remoteAddress()).isEqualTo(theirs.withoutPeerId());
      if (Epoll.isAvailable()) {
        // port reuse: we dial from our listen port, so they observe an address they could dial back
        assertThat(connection.localAddress()).isEqualTo(ourAddress());
      }
      HostInteropTest.exerciseBothWays(host, ourAddress(), echoedForThem, peer, connection);
    }
  }

  @ParameterizedTest
  @EnumSource(PeerImplementation.class)
  void theyDialUs(PeerImplementation implementation) throws Exception {
    implementation.assumeAvailable();
    try (InteropPeer peer = InteropPeer.start(implementation, quicNode())) {
      JsonNode dialed =
          peer.requestOk("dial", Map.of("addr", ourAddress().withPeerId(host.peerId()).toString()));
      assertThat(dialed.path("peerId").asString()).isEqualTo(host.peerId().toString());
      Connection connection =
          HostInteropTest.awaitConnection(host, PeerId.fromString(peer.peerId()));
      assertThat(connection.direction()).isEqualTo(Direction.INBOUND);
      assertThat(connection.remoteAddress().isQuic()).isTrue();
      HostInteropTest.exerciseBothWays(host, ourAddress(), echoedForThem, peer, connection);
    }
  }
}
