package io.reachability.autonat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.transport.QuicTransport;
import io.reachability.testing.LoopbackHosts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * AutoNAT v2 over QUIC between our own client and server on loopback: the server dials QUIC
 * addresses back from its dial-back host's own UDP socket, and a verdict belongs to a transport, so
 * one IP and port number can be reachable over TCP and not over QUIC.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AutonatOverQuicTest {

  private static final long TIMEOUT_SECONDS = 20;

  private Host serverHost;
  private AutonatServer server;
  private Host clientHost;
  private AutonatClient client;

  @BeforeEach
  void start() {
    assumeTrue(QuicTransport.isAvailable(), QuicTransport::unavailabilityReason);
    serverHost =
        LoopbackHosts.builder("quic-server").listen(LoopbackHosts.QUIC_ANY_PORT).build().start();
    server =
        new AutonatServer(
            serverHost, new AutonatServerSettings.Builder().allowPrivateAddresses(true).build());
    server.start();
    clientHost =
        LoopbackHosts.builder("quic-client", LoopbackHosts.QUIC_ANY_PORT)
            .listen(LoopbackHosts.ANY_PORT)
            .build()
            .start();
    client = new AutonatClient(clientHost, AutonatClientSettings.defaults());
    client.start();
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
      clientHost.close();
      server.close();
      serverHost.close();
    }
  }

  private Multiaddr serverAddress(boolean quic) {
    return serverHost.listenAddresses().stream()
        .filter(a -> a.isQuic() == quic)
        .findFirst()
        .orElseThrow()
        .withPeerId(serverHost.peerId());
  }

  private Multiaddr ours(boolean quic) {
    return clientHost.listenAddresses().stream()
        .filter(a -> a.isQuic() == quic)
        .findFirst()
        .orElseThrow();
  }

  private CheckResult check(Multiaddr serverAddress, Multiaddr address) throws Exception {
    return client.check(serverAddress, List.of(address)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  void aQuicAddressIsReachableOverAQuicDialBack() throws Exception {
    CheckResult result = check(serverAddress(false), ours(true));
    assertThat(result.reachability()).as(result.reason()).isEqualTo(Reachability.REACHABLE);
    assertThat(result.nonceVerified()).isTrue();
    assertThat(result.dialBackAddress()).isEqualTo(ours(true));
    assertThat(server.dials(DialStatus.OK, AddressClass.QUIC_V1)).isEqualTo(1);
    assertThat(server.dials(DialStatus.OK, AddressClass.TCP)).isZero();
  }

  @Test
  void theServerCanBeAskedOverQuicToo() throws Exception {
    CheckResult overQuic = check(serverAddress(true), ours(false));
    assertThat(overQuic.reachability()).as(overQuic.reason()).isEqualTo(Reachability.REACHABLE);
    assertThat(overQuic.dialBackAddress()).isEqualTo(ours(false));
  }

  /** The same IP and port number: TCP listens, UDP does not. Only a per-transport check tells. */
  @Test
  void oneIpAndPortCanBeReachableOverTcpAndUnreachableOverQuic() throws Exception {
    int port = ours(false).toTcpSocketAddress().orElseThrow().getPort();
    assumeTrue(udpPortFree(port), "another process holds udp/" + port);
    Multiaddr quicOnTcpPort = Multiaddr.fromString("/ip4/127.0.0.1/udp/" + port + "/quic-v1");

    CheckResult tcp = check(serverAddress(false), ours(false));
    CheckResult quic = check(serverAddress(false), quicOnTcpPort);

    assertThat(tcp.reachability()).as(tcp.reason()).isEqualTo(Reachability.REACHABLE);
    assertThat(quic.reachability()).as(quic.reason()).isEqualTo(Reachability.UNREACHABLE);
    assertThat(quic.dialStatus()).isEqualTo(DialStatus.E_DIAL_ERROR);
    assertThat(server.dials(DialStatus.E_DIAL_ERROR, AddressClass.QUIC_V1)).isEqualTo(1);
  }

  private static boolean udpPortFree(int port) {
    try (DatagramSocket probe =
        new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
      return probe.getLocalPort() == port;
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().contains("in use")) {
        return false;
      }
      throw new UncheckedIOException(e);
    }
  }
}
