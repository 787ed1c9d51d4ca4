package io.reachability.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.autonat.AutonatClient;
import io.reachability.autonat.AutonatClientSettings;
import io.reachability.autonat.AutonatV2;
import io.reachability.autonat.CheckResult;
import io.reachability.autonat.DialStatus;
import io.reachability.autonat.Reachability;
import io.reachability.autonat.ResponseStatus;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.host.Host;
import io.reachability.testing.LoopbackHosts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Our AutoNAT v2 client against js-libp2p's server (2.0.15, with the documented test-only patch
 * that lets it dial loopback): real dial-backs, real nonces, real dial data.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@Interop
class AutonatClientJsInteropTest {

  private static final long TIMEOUT_SECONDS = 30;

  private static InteropPeer jsServer;
  private static Host host;
  private static AutonatClient client;
  private static Multiaddr server;

  @BeforeAll
  static void start() {
    PeerImplementation.JS.assumeAvailable();
    jsServer = InteropPeer.startJsAutonat();
    // 127.0.0.1 is where we dial the js server from; 127.0.0.2 is "another IP" on the same machine
    host =
        LoopbackHosts.builder("autonat-interop")
            .listen(LoopbackHosts.ANOTHER_IP_ANY_PORT)
            .build()
            .start();
    client = new AutonatClient(host, AutonatClientSettings.defaults());
    client.start();
    server = Multiaddr.fromString(jsServer.addrs().get(0));
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (host != null) {
      host.close();
    }
    if (jsServer != null) {
      jsServer.close();
    }
  }

  private static CheckResult check(Multiaddr address) throws Exception {
    return client.check(server, List.of(address)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  void reachableAddressIsVerifiedByTheNonce() throws Exception {
    Multiaddr listen = host.listenAddresses().get(0);
    CheckResult result = check(listen);
    assertThat(result.reachability()).as(result.reason()).isEqualTo(Reachability.REACHABLE);
    assertThat(result.responseStatus()).isEqualTo(ResponseStatus.OK);
    assertThat(result.dialStatus()).isEqualTo(DialStatus.OK);
    assertThat(result.nonceVerified()).isTrue();
    assertThat(result.dialBackAddress()).isEqualTo(listen);
    assertThat(result.dialDataBytes()).isZero();
    assertThat(result.server().toString()).isEqualTo(jsServer.peerId());
  }

  @Test
  void portWhereNothingListensIsUnreachable() throws Exception {
    Multiaddr closed = Multiaddr.fromString("/ip4/127.0.0.1/tcp/" + freePort());
    CheckResult result = check(closed);
    assertThat(result.reachability()).as(result.reason()).isEqualTo(Reachability.UNREACHABLE);
    assertThat(result.dialStatus()).isEqualTo(DialStatus.E_DIAL_ERROR);
    assertThat(result.nonceVerified()).isFalse();
  }

  @Test
  void addressOnAnotherIpCostsDialDataThenIsReachable() throws Exception {
    Multiaddr other = host.listenAddresses().get(1);
    assertThat(other.toString()).startsWith("/ip4/127.0.0.2/");
    CheckResult result = check(other);
    assertThat(result.reachability()).as(result.reason()).isEqualTo(Reachability.REACHABLE);
    assertThat(result.dialBackAddress()).isEqualTo(other);
    assertThat(result.dialDataBytes())
        .isBetween((long) AutonatV2.MIN_DIAL_DATA_BYTES, (long) AutonatV2.MAX_DIAL_DATA_BYTES - 1);
  }

  /** A port nothing listens on (bound, then released). */
  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
