package io.reachability.libp2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.crypto.PrivateKey;
import io.reachability.libp2p.transport.ConnectionUpgrader;
import io.reachability.libp2p.transport.StreamHandlerRegistry;
import io.reachability.libp2p.transport.TcpTransport;
import io.reachability.testing.LoopbackHosts;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the connection manager picks a transport, and what it refuses before any socket opens. */
class ConnectionManagerTest {

  private static final PrivateKey KEY = Keys.generateEd25519();
  private static final PeerId SELF = PeerId.fromPublicKey(KEY.publicKey());
  private static final StreamHandlerRegistry NO_HANDLERS =
      new StreamHandlerRegistry() {
        @Override
        public Collection<String> protocols() {
          return List.of();
        }

        @Override
        public Optional<io.reachability.libp2p.core.ProtocolHandler> handler(String protocolId) {
          return Optional.empty();
        }
      };

  private final HostSettings settings = HostSettings.defaults();
  private final ConnectionManager manager =
      new ConnectionManager(
          SELF,
          settings,
          new ConnectionUpgrader(KEY, settings.upgrade(), NO_HANDLERS),
          NO_HANDLERS,
          connection -> {});
  private final TcpTransport tcp = new TcpTransport(1, "cm-test");

  @AfterEach
  void stop() {
    manager.closeAll(Duration.ofSeconds(1));
    tcp.close();
  }

  @Test
  void withoutTransportsNothingIsDialed() {
    assertThatThrownBy(
            () -> manager.dial(Multiaddr.fromString("/ip4/127.0.0.1/tcp/9"), false).join())
        .isInstanceOf(CompletionException.class)
        .hasMessageContaining("host is not started");
  }

  @Test
  void anAddressNoTransportHandlesIsRefusedByName() {
    manager.use(List.of(tcp));
    assertThatThrownBy(
            () -> manager.dial(Multiaddr.fromString("/ip4/127.0.0.1/udp/9/quic-v1"), false).join())
        .hasMessageContaining(
            "cannot dial /ip4/127.0.0.1/udp/9/quic-v1: no transport handles it (this host has"
                + " [tcp");
    assertThatThrownBy(
            () -> manager.listen(Multiaddr.fromString("/ip4/127.0.0.1/udp/0/quic-v1")).join())
        .hasMessageContaining(
            "cannot listen on /ip4/127.0.0.1/udp/0/quic-v1: no transport handles it (this host has"
                + " [tcp");
  }

  @Test
  void neverDialsItself() {
    manager.use(List.of(tcp));
    Multiaddr self = Multiaddr.fromString("/ip4/127.0.0.1/tcp/9").withPeerId(SELF);
    assertThatThrownBy(() -> manager.dial(self, false).join())
        .hasMessageContaining("refusing to dial ourselves");
  }

  @Test
  void listensThroughTheTransportThatHandlesTheAddress() {
    manager.use(List.of(tcp));
    var server = manager.listen(Multiaddr.fromString(LoopbackHosts.ANY_PORT)).join();
    assertThat(server.isActive()).isTrue();
    server.close().syncUninterruptibly();
  }

  @Test
  void refusesNewConnectionsOnceClosing() {
    manager.use(List.of(tcp));
    manager.refuseNew();
    assertThatThrownBy(
            () -> manager.dial(Multiaddr.fromString("/ip4/127.0.0.1/tcp/9"), false).join())
        .hasMessageContaining("host is closed");
  }
}
