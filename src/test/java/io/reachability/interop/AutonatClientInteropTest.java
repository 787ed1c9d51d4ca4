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
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Our AutoNAT v2 client against the stock servers of js-libp2p (2.0.15, with the documented
 * test-only patch that lets it dial loopback), go-libp2p (v0.52.0, {@code
 * autonatv2.AllowPrivateAddrs} on) and rust-libp2p (libp2p-autonat 0.15.0, which has no
 * private-address check to switch off): real dial-backs, real nonces, real dial data.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Interop
class AutonatClientInteropTest {

  private static final long TIMEOUT_SECONDS = 30;

  /** go-libp2p's default per-peer limit: 12 requests a minute ({@code serverPerPeerRPM}). */
  private static final int GO_REQUESTS_PER_PEER_PER_MINUTE = 12;

  private static final Map<PeerImplementation, InteropPeer> servers =
      new EnumMap<>(PeerImplementation.class);
  private static Host host;
  private static AutonatClient client;

  @BeforeAll
  static void start() {
    // 127.0.0.1 is where we dial the servers from; 127.0.0.2 is "another IP" on the same machine
    host =
        LoopbackHosts.builder("autonat-interop")
            .listen(LoopbackHosts.ANOTHER_IP_ANY_PORT)
            .build()
            .start();
    client = new AutonatClient(host, AutonatClientSettings.defaults());
    client.start();
  }

  @AfterAll
  static void stop() {
    client.close();
    host.close();
    servers.values().forEach(InteropPeer::close);
  }

  /**
   * One server per implementation for the class (go's per-peer limit allows 12 checks a minute).
   */
  private static Multiaddr server(PeerImplementation implementation) {
    implementation.assumeAvailable();
    InteropPeer peer =
        servers.computeIfAbsent(
            implementation, i -> InteropPeer.start(i, PeerSpec.autonatServerNode()));
    return Multiaddr.fromString(peer.addrs().get(0));
  }

  private static CheckResult check(PeerImplementation implementation, Multiaddr address)
      throws Exception {
    return client
        .check(server(implementation), List.of(address))
        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @EnumSource(PeerImplementation.class)
  void reachableAddressIsVerifiedByTheNonce(PeerImplementation implementation) throws Exception {
    Multiaddr listen = host.listenAddresses().get(0);
    CheckResult result = check(implementation, listen);
    assertThat(result.reachability()).as(result.reason()).isEqualTo(Reachability.REACHABLE);
    assertThat(result.responseStatus()).isEqualTo(ResponseStatus.OK);
    assertThat(result.dialStatus()).isEqualTo(DialStatus.OK);
    assertThat(result.nonceVerified()).isTrue();
    assertThat(result.dialBackAddress()).isEqualTo(listen);
    // we dial from our listen port, so every server observes the address it is asked about
    assertThat(result.dialDataBytes()).isZero();
    assertThat(result.server().toString()).isEqualTo(servers.get(implementation).peerId());
  }

  @ParameterizedTest
  @EnumSource(PeerImplementation.class)
  void portWhereNothingListensIsUnreachable(PeerImplementation implementation) throws Exception {
    Multiaddr closed = Multiaddr.fromString("/ip4/127.0.0.1/tcp/" + LoopbackHosts.closedPort());
    CheckResult result = check(implementation, closed);
    assertThat(result.reachability()).as(result.reason()).isEqualTo(Reachability.UNREACHABLE);
    assertThat(result.dialStatus()).isEqualTo(DialStatus.E_DIAL_ERROR);
    assertThat(result.nonceVerified()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(PeerImplementation.class)
  void addressOnAnotherIpCostsDialDataThenIsReachable(PeerImplementation implementation)
      throws Exception {
    Multiaddr other = host.listenAddresses().get(1);
    assertThat(other.toString()).startsWith("/ip4/127.0.0.2/");
    CheckResult result = check(implementation, other);
    assertThat(result.reachability()).as(result.reason()).isEqualTo(Reachability.REACHABLE);
    assertThat(result.dialBackAddress()).isEqualTo(other);
    // exactly what the server asked for: 30 000 to 100 000 bytes with all three (rust's upper
    // bound is inclusive, so 100 000 itself is possible)
    assertThat(result.dialDataBytes())
        .isBetween((long) AutonatV2.MIN_DIAL_DATA_BYTES, (long) AutonatV2.MAX_DIAL_DATA_BYTES);
  }

  /**
   * Two addresses in one request, a closed port first: the spec has the server dial the first it
   * can, as js and go do (E_DIAL_ERROR for index 0). rust dials the LAST address but reports index
   * 0, so its answer names the wrong address; we never let that make the closed port REACHABLE.
   */
  @ParameterizedTest
  @EnumSource(PeerImplementation.class)
  void twoAddressesInOneRequestNeverConfirmTheWrongOne(PeerImplementation implementation)
      throws Exception {
    Multiaddr closed = Multiaddr.fromString("/ip4/127.0.0.1/tcp/" + LoopbackHosts.closedPort());
    Multiaddr listen = host.listenAddresses().get(0);
    CheckResult result =
        client
            .check(server(implementation), List.of(closed, listen))
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertThat(result.testedIndex()).as(result.reason()).isEqualTo(0);
    if (implementation == PeerImplementation.RUST) {
      // the nonce arrived on the listen address while rust names the closed port
      assertThat(result.reachability()).as(result.reason()).isEqualTo(Reachability.UNKNOWN);
      assertThat(result.reason()).contains("but the nonce arrived on " + listen);
    } else {
      assertThat(result.reachability()).as(result.reason()).isEqualTo(Reachability.UNREACHABLE);
      assertThat(result.dialStatus()).isEqualTo(DialStatus.E_DIAL_ERROR);
    }
  }

  /**
   * Over go's default per-peer limit the request is answered E_REQUEST_REJECTED, which we report as
   * UNKNOWN (the server said nothing about the address); rust has no rate limit and answers every
   * request.
   */
  @ParameterizedTest
  @EnumSource(
      value = PeerImplementation.class,
      names = {"GO", "RUST"})
  void requestsOverTheirRateLimitAreAnsweredAsTheyAnswerThem(PeerImplementation implementation)
      throws Exception {
    implementation.assumeAvailable();
    // a fresh client identity and a fresh server: the limit is per client peer and per minute
    try (InteropPeer server = InteropPeer.start(implementation, PeerSpec.autonatServerNode());
        Host freshHost = LoopbackHosts.start("rate-limited");
        AutonatClient freshClient =
            new AutonatClient(freshHost, AutonatClientSettings.defaults())) {
      freshClient.start();
      Multiaddr serverAddress = Multiaddr.fromString(server.addrs().get(0));
      Multiaddr listen = freshHost.listenAddresses().get(0);
      List<CheckResult> results = new ArrayList<>();
      for (int i = 0; i <= GO_REQUESTS_PER_PEER_PER_MINUTE; i++) {
        results.add(
            freshClient
                .check(serverAddress, List.of(listen))
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
      }
      List<CheckResult> allowed = results.subList(0, GO_REQUESTS_PER_PEER_PER_MINUTE);
      assertThat(allowed)
          .allSatisfy(
              r -> assertThat(r.reachability()).as(r.reason()).isEqualTo(Reachability.REACHABLE));
      CheckResult over = results.get(GO_REQUESTS_PER_PEER_PER_MINUTE);
      if (implementation == PeerImplementation.GO) {
        assertThat(over.responseStatus()).isEqualTo(ResponseStatus.E_REQUEST_REJECTED);
        assertThat(over.reachability()).isEqualTo(Reachability.UNKNOWN);
      } else {
        assertThat(over.reachability()).as(over.reason()).isEqualTo(Reachability.REACHABLE);
      }
    }
  }
}
