package io.reachability.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.reachability.autonat.AutonatClient;
import io.reachability.autonat.AutonatClientSettings;
import io.reachability.autonat.AutonatServer;
import io.reachability.autonat.AutonatServerSettings;
import io.reachability.autonat.CheckResult;
import io.reachability.autonat.DialStatus;
import io.reachability.autonat.Reachability;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.transport.QuicTransport;
import io.reachability.testing.LoopbackHosts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

/**
 * AutoNAT v2 checks of QUIC addresses with go-libp2p and rust-libp2p, both roles: their stock
 * server dials our QUIC address back (and finds a closed UDP port unreachable), and our server
 * dials theirs back for their stock client. The requests themselves travel over TCP; the dial-back
 * is QUIC.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@Interop
class QuicAutonatInteropTest {

  private static final long TIMEOUT_SECONDS = 20;

  private static Host clientHost;
  private static AutonatClient client;
  private static Host serverHost;
  private static AutonatServer server;
  private static final Map<PeerImplementation, InteropPeer> theirServers =
      new EnumMap<>(PeerImplementation.class);

  @BeforeAll
  static void start() {
    assumeTrue(QuicTransport.isAvailable(), QuicTransport::unavailabilityReason);
    clientHost =
        LoopbackHosts.builder("quic-autonat-client")
            .listen(LoopbackHosts.QUIC_ANY_PORT)
            .build()
            .start();
    client = new AutonatClient(clientHost, AutonatClientSettings.defaults());
    client.start();
    serverHost = LoopbackHosts.start("quic-autonat-server");
    server =
        new AutonatServer(
            serverHost, new AutonatServerSettings.Builder().allowPrivateAddresses(true).build());
    server.start();
  }

  @AfterAll
  static void stop() {
    theirServers.values().forEach(InteropPeer::close);
    if (client != null) {
      client.close();
      clientHost.close();
      server.close();
      serverHost.close();
    }
  }

  private static Multiaddr theirServer(PeerImplementation implementation) {
    implementation.assumeAvailable();
    InteropPeer peer =
        theirServers.computeIfAbsent(
            implementation,
            i ->
                InteropPeer.start(
                    i,
                    i == PeerImplementation.JS
                        // js loads its QUIC transport only when asked
                        ? PeerSpec.autonatServerNode().withExtraArgs(List.of("--quic"))
                        : PeerSpec.autonatServerNode()));
    return Multiaddr.fromString(peer.addrs().get(0));
  }

  private static Multiaddr ourQuicAddress() {
    return clientHost.listenAddresses().stream()
        .filter(Multiaddr::isQuic)
        .findFirst()
        .orElseThrow();
  }

  @ParameterizedTest
  @EnumSource(PeerImplementation.class)
  void theirServerDialsOurQuicAddressBack(PeerImplementation implementation) throws Exception {
    Multiaddr quic = ourQuicAddress();
    CheckResult result =
        client
            .check(theirServer(implementation), List.of(quic))
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertThat(result.reachability()).as(result.reason()).isEqualTo(Reachability.REACHABLE);
    assertThat(result.dialStatus()).isEqualTo(DialStatus.OK);
    assertThat(result.nonceVerified()).isTrue();
    assertThat(result.dialBackAddress()).isEqualTo(quic);
  }

  @ParameterizedTest
  @EnumSource(PeerImplementation.class)
  void theirServerFindsAClosedUdpPortUnreachable(PeerImplementation implementation)
      throws Exception {
    Multiaddr closed = Multiaddr.fromString("/ip4/127.0.0.1/udp/" + closedUdpPort() + "/quic-v1");
    CheckResult result =
        client
            .check(theirServer(implementation), List.of(closed))
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertThat(result.reachability()).as(result.reason()).isEqualTo(Reachability.UNREACHABLE);
    assertThat(result.dialStatus()).isEqualTo(DialStatus.E_DIAL_ERROR);
    assertThat(result.nonceVerified()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(
      value = PeerImplementation.class,
      names = {"GO", "RUST"})
  void ourServerDialsTheirQuicAddressBack(PeerImplementation implementation) {
    implementation.assumeAvailable();
    PeerSpec quicClient =
        PeerSpec.autonatClientNode().withListen(List.of(LoopbackHosts.QUIC_ANY_PORT));
    try (InteropPeer peer = InteropPeer.start(implementation, quicClient)) {
      String theirs = Multiaddr.fromString(peer.addrs().get(0)).withoutPeerId().toString();
      assertThat(Multiaddr.fromString(theirs).isQuic()).isTrue();
      String ours = serverHost.listenAddresses().get(0).withPeerId(serverHost.peerId()).toString();
      JsonNode answer =
          peer.request(
              "autonat-check",
              Map.of("server", ours, "addrs", List.of(theirs)),
              InteropPeer.AUTONAT_CHECK_TIMEOUT);
      assertThat(answer.path("ok").asBoolean()).as(answer.toString()).isTrue();
      assertThat(answer.path("addr").asString()).isEqualTo(theirs);
      assertThat(answer.path("reachability").asString()).isEqualTo("REACHABLE");
    }
  }

  /** A UDP port on 127.0.0.1 nothing listens on: bound once by the system, then released. */
  private static int closedUdpPort() {
    try (DatagramSocket socket =
        new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
