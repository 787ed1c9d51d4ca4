package io.reachability.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.autonat.AutonatServer;
import io.reachability.autonat.AutonatServerSettings;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.host.Host;
import io.reachability.testing.LoopbackHosts;
import java.io.IOException;
import java.time.Duration;
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
 * The stock AutoNAT v2 clients of go-libp2p ({@code GetReachability}, {@code AllowPrivateAddrs}
 * on), rust-libp2p ({@code client::Behaviour} events; it has no private-address check) and
 * js-libp2p (its address manager's verdict, with the test-only loopback patch) against our server:
 * each reports our dial-back the way it reports its own servers' answers. Our server here is a lab
 * one that may dial loopback.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Interop
class AutonatServerInteropTest {

  private static final Duration CHECK_TIMEOUT = InteropPeer.AUTONAT_CHECK_TIMEOUT;

  private static Host host;
  private static AutonatServer server;

  @BeforeAll
  static void start() {
    host = LoopbackHosts.start("autonat-server-interop");
    server =
        new AutonatServer(
            host, new AutonatServerSettings.Builder().allowPrivateAddresses(true).build());
    server.start();
  }

  @AfterAll
  static void stop() {
    server.close();
    host.close();
  }

  private static String ourAddress() {
    return host.listenAddresses().get(0).withPeerId(host.peerId()).toString();
  }

  /** Their stock client's verdict on {@code address}, asked of our server only. */
  private static JsonNode stockCheck(InteropPeer client, String address) {
    return client.request(
        "autonat-check", Map.of("server", ourAddress(), "addrs", List.of(address)), CHECK_TIMEOUT);
  }

  private static String withoutPeerId(String address) {
    return Multiaddr.fromString(address).withoutPeerId().toString();
  }

  @ParameterizedTest
  @EnumSource(PeerImplementation.class)
  void theirListenAddressIsReachableThroughOurServer(PeerImplementation implementation) {
    implementation.assumeAvailable();
    try (InteropPeer client = InteropPeer.start(implementation, PeerSpec.autonatClientNode())) {
      String listen = withoutPeerId(client.addrs().get(0));
      if (implementation == PeerImplementation.JS) {
        // js checks its own addresses by itself and tells only its address manager
        client.requestOk("dial", Map.of("addr", ourAddress()));
        JsonNode verified = client.awaitEvent("address-verified", e -> true, CHECK_TIMEOUT);
        assertThat(verified.path("addr").asString()).isEqualTo(listen);
        return;
      }
      JsonNode answer = stockCheck(client, listen);
      assertThat(answer.path("ok").asBoolean()).as(answer.toString()).isTrue();
      assertThat(answer.path("addr").asString()).isEqualTo(listen);
      assertThat(answer.path("reachability").asString()).isEqualTo("REACHABLE");
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = PeerImplementation.class,
      names = {"GO", "RUST"})
  void aClosedPortIsUnreachableForTheirClient(PeerImplementation implementation)
      throws IOException {
    implementation.assumeAvailable();
    try (InteropPeer client = InteropPeer.start(implementation, PeerSpec.autonatClientNode())) {
      String closed = "/ip4/127.0.0.1/tcp/" + LoopbackHosts.closedPort();
      JsonNode answer = stockCheck(client, closed);
      assertThat(answer.path("ok").asBoolean()).as(answer.toString()).isTrue();
      assertThat(answer.path("addr").asString()).isEqualTo(closed);
      assertThat(answer.path("reachability").asString()).isEqualTo("UNREACHABLE");
    }
  }

  /** Their address on 127.0.0.2 while they connect from 127.0.0.1: they pay our dial data. */
  @ParameterizedTest
  @EnumSource(
      value = PeerImplementation.class,
      names = {"GO", "RUST"})
  void theyPayOurDialDataForAnAddressOnAnotherIp(PeerImplementation implementation) {
    implementation.assumeAvailable();
    PeerSpec twoIps =
        PeerSpec.autonatClientNode()
            .withListen(List.of(LoopbackHosts.ANY_PORT, LoopbackHosts.ANOTHER_IP_ANY_PORT));
    try (InteropPeer client = InteropPeer.start(implementation, twoIps)) {
      String other =
          client.addrs().stream()
              .map(AutonatServerInteropTest::withoutPeerId)
              .filter(a -> a.startsWith("/ip4/127.0.0.2/"))
              .findFirst()
              .orElseThrow();
      JsonNode answer = stockCheck(client, other);
      assertThat(answer.path("ok").asBoolean()).as(answer.toString()).isTrue();
      assertThat(answer.path("reachability").asString()).isEqualTo("REACHABLE");
      if (implementation == PeerImplementation.RUST) {
        // rust reports what it sent; go does not
        assertThat(answer.path("bytesSent").asLong()).isPositive();
      }
    }
  }
}
