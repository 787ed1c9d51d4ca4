package io.reachability.libp2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.dns.DnsException;
import io.reachability.libp2p.dns.DnsSettings;
import io.reachability.testing.LoopbackDnsServer;
import io.reachability.testing.LoopbackHosts;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Dialing DNS multiaddrs: two hosts on loopback, the names served by a name server there too. */
class DnsDialTest {

  private final LoopbackDnsServer dns = new LoopbackDnsServer();
  private Host server;
  private Host client;
  private int port;

  @BeforeEach
  void start() {
    server = LoopbackHosts.start("dns-server");
    client =
        LoopbackHosts.builder("dns-client")
            .dns(DnsSettings.defaults().withServers(List.of(dns.address())))
            .build()
            .start();
    port = server.listenAddresses().get(0).toTcpSocketAddress().orElseThrow().getPort();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
    dns.close();
  }

  @Test
  void dialsADns4NameAndProvesThePeer() {
    dns.address("node.test", "127.0.0.1");
    Connection connection =
        client
            .dial(Multiaddr.fromString("/dns4/node.test/tcp/" + port + "/p2p/" + server.peerId()))
            .join();
    assertThat(connection.remotePeer()).isEqualTo(server.peerId());
    assertThat(connection.remoteAddress().toString()).startsWith("/ip4/127.0.0.1/tcp/" + port);
  }

  @Test
  void dialsTheBootstrapShapeOfDnsaddr() {
    dns.txt("_dnsaddr.bootstrap.test", "dnsaddr=/dnsaddr/one.bootstrap.test/p2p/" + server.peerId())
        .txt(
            "_dnsaddr.one.bootstrap.test",
            "dnsaddr=/ip4/127.0.0.1/tcp/" + port + "/p2p/" + server.peerId());
    Connection connection =
        client.dial(Multiaddr.fromString("/dnsaddr/bootstrap.test/p2p/" + server.peerId())).join();
    assertThat(connection.remotePeer()).isEqualTo(server.peerId());
  }

  @Test
  void aDnsaddrWithoutAPeerIdProvesTheRecordsPeer() {
    dns.txt("_dnsaddr.anon.test", "dnsaddr=/ip4/127.0.0.1/tcp/" + port + "/p2p/" + server.peerId());
    assertThat(client.dial(Multiaddr.fromString("/dnsaddr/anon.test")).join().remotePeer())
        .isEqualTo(server.peerId());
  }

  @Test
  void aFailingAddressIsFollowedByTheNext() {
    int closed = LoopbackHosts.closedPort();
    dns.txt("_dnsaddr.two.test", "dnsaddr=/ip4/127.0.0.1/tcp/" + closed + "/p2p/" + server.peerId())
        .txt("_dnsaddr.two.test", "dnsaddr=/ip4/127.0.0.1/tcp/" + port + "/p2p/" + server.peerId());
    // the order of TXT records is the server's: either way the working one is reached
    assertThat(
            client
                .dial(Multiaddr.fromString("/dnsaddr/two.test/p2p/" + server.peerId()))
                .join()
                .remotePeer())
        .isEqualTo(server.peerId());
  }

  @Test
  void anUnknownNameFailsTheDialWithTheName() {
    assertThatThrownBy(
            () ->
                client
                    .dial(Multiaddr.fromString("/dns4/nowhere.test/tcp/1/p2p/" + server.peerId()))
                    .join())
        .hasCauseInstanceOf(DnsException.class)
        .hasMessageContaining("nowhere.test");
  }

  @Test
  void aNameResolvingOnlyToAddressesWithoutATransportSaysSo() {
    dns.txt("_dnsaddr.ws.test", "dnsaddr=/ip4/127.0.0.1/tcp/" + port + "/ws");
    assertThatThrownBy(() -> client.dial(Multiaddr.fromString("/dnsaddr/ws.test")).join())
        .hasMessageContaining("none of which this host can dial");
  }

  @Test
  void canDialJudgesANameByWhatItWouldResolveTo() {
    assertThat(client.canDial(Multiaddr.fromString("/dns4/x.test/tcp/1"))).isTrue();
    assertThat(client.canDial(Multiaddr.fromString("/dns6/x.test/udp/1/quic-v1"))).isTrue();
    assertThat(client.canDial(Multiaddr.fromString("/dns/x.test/tcp/1/ws"))).isFalse();
    assertThat(client.canDial(Multiaddr.fromString("/dnsaddr/x.test"))).isTrue();
  }

  @Test
  void resolveIsOffWhenTheHostIsClosed() {
    client.close();
    assertThatThrownBy(() -> client.resolve(Multiaddr.fromString("/dns4/x.test/tcp/1")).join())
        .hasMessageContaining("not running");
  }
}
