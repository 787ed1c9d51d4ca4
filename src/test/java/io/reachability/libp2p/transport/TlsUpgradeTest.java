package io.reachability.libp2p.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Direction;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.host.HostSettings;
import io.reachability.libp2p.noise.Noise;
import io.reachability.libp2p.tls.Tls;
import io.reachability.libp2p.tls.TlsAuthenticationException;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.Waiting;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /tls/1.0.0} as the TCP security protocol between two of our hosts on loopback. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsUpgradeTest {

  private static final long TIMEOUT_SECONDS = 10;

  private static Host host(String name, List<String> security) {
    HostSettings settings =
        HostSettings.defaults().toBuilder()
            .upgrade(UpgradeSettings.defaults().withSecurityProtocols(security))
            .build();
    return LoopbackHosts.builder(name).settings(settings).build().start();
  }

  @Test
  void aHostThatOffersOnlyTlsConnectsAndBothSidesKnowEachOther() throws Exception {
    try (Host dialer = host("tls-dialer", List.of(Tls.PROTOCOL_ID));
        Host listener = LoopbackHosts.start("tls-listener")) {
      Multiaddr target = listener.listenAddresses().get(0).withPeerId(listener.peerId());
      Connection connection = dialer.dial(target).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      assertThat(connection.remotePeer()).isEqualTo(listener.peerId());
      assertThat(connection.direction()).isEqualTo(Direction.OUTBOUND);
      assertThat(PeerId.fromPublicKey(connection.remotePublicKey())).isEqualTo(listener.peerId());
      // streams work on top: identify and ping
      assertThat(dialer.identify(connection).get(TIMEOUT_SECONDS, TimeUnit.SECONDS).peer())
          .isEqualTo(listener.peerId());
      assertThat(dialer.ping(connection).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isPositive();
      List<Connection> inbound =
          Waiting.within(Duration.ofSeconds(TIMEOUT_SECONDS))
              .until(() -> listener.connections(dialer.peerId()), c -> !c.isEmpty());
      assertThat(inbound.get(0).remotePeer()).isEqualTo(dialer.peerId());
    }
  }

  @Test
  void anotherPeerIdThanTheOneDialedFailsTheUpgrade() {
    try (Host dialer = host("tls-dialer", List.of(Tls.PROTOCOL_ID));
        Host listener = LoopbackHosts.start("tls-listener")) {
      PeerId someoneElse = PeerId.fromPublicKey(Keys.generateEd25519().publicKey());
      Multiaddr target = listener.listenAddresses().get(0).withPeerId(someoneElse);
      assertThatThrownBy(() -> dialer.dial(target).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
          .hasRootCauseInstanceOf(TlsAuthenticationException.class)
          .hasMessageContaining(
              "certificate authenticates peer id "
                  + listener.peerId()
                  + ", expected "
                  + someoneElse);
    }
  }

  @Test
  void tlsOnlyAgainstNoiseOnlyFindsNoCommonProtocol() {
    try (Host dialer = host("tls-dialer", List.of(Tls.PROTOCOL_ID));
        Host listener = host("noise-listener", List.of(Noise.PROTOCOL_ID))) {
      Multiaddr target = listener.listenAddresses().get(0).withPeerId(listener.peerId());
      assertThatThrownBy(() -> dialer.dial(target).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
          .hasMessageContaining("no common protocol");
    }
  }

  @Test
  void unknownOrRepeatedSecurityProtocolsAreRefusedInTheSettings() {
    assertThatThrownBy(
            () -> UpgradeSettings.defaults().withSecurityProtocols(List.of("/plaintext")))
        .hasMessageContaining("securityProtocols");
    assertThatThrownBy(
            () ->
                UpgradeSettings.defaults()
                    .withSecurityProtocols(List.of(Tls.PROTOCOL_ID, Tls.PROTOCOL_ID)))
        .hasMessageContaining("securityProtocols");
    assertThatThrownBy(() -> UpgradeSettings.defaults().withSecurityProtocols(List.of()))
        .hasMessageContaining("securityProtocols");
  }
}
