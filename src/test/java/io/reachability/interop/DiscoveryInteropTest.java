package io.reachability.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.autonat.AutonatClient;
import io.reachability.autonat.AutonatClientSettings;
import io.reachability.autonat.CheckResult;
import io.reachability.autonat.Reachability;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.kad.KadMessages;
import io.reachability.peercheck.AddressOutcome;
import io.reachability.peercheck.PeerChecker;
import io.reachability.peercheck.PeerVerdict;
import io.reachability.pool.DiscoverySettings;
import io.reachability.pool.PoolServer;
import io.reachability.pool.ServerDiscovery;
import io.reachability.pool.ServerPool;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.Waiting;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Server discovery on a DHT of go-libp2p-kad-dht nodes on loopback: six DHT servers, two of which
 * also serve AutoNAT v2 (go's, allowed to dial loopback); discovery starts from the first alone,
 * keeps exactly the two servers, and a check through one of them works.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Interop
class DiscoveryInteropTest {

  private static final int NODES = 6;
  private static final Set<Integer> AUTONAT_SERVERS = Set.of(2, 4);
  private static final Duration WAIT = Duration.ofSeconds(45);

  private static final List<InteropPeer> nodes = new ArrayList<>();
  private static Host host;

  @BeforeAll
  static void startDht() {
    nodes.addAll(GoDht.start(NODES, AUTONAT_SERVERS));
    host = LoopbackHosts.start("discovery-interop");
  }

  @AfterAll
  static void stop() {
    if (host != null) {
      host.close();
    }
    nodes.forEach(InteropPeer::close);
  }

  @Test
  void findsTheAutonatServersAndOnlyThemAndChecksThroughThem() throws Exception {
    ServerPool pool = ServerPool.of(List.of(), null);
    DiscoverySettings settings =
        new DiscoverySettings.Builder()
            .bootstrap(List.of(Multiaddr.fromString(nodes.get(0).addrs().get(0))))
            .targetServers(AUTONAT_SERVERS.size())
            .interval(Duration.ofMillis(200))
            .allowPrivateAddresses(true)
            .build();
    Set<String> expected =
        AUTONAT_SERVERS.stream().map(i -> nodes.get(i).peerId()).collect(Collectors.toSet());
    try (ServerDiscovery discovery =
        new ServerDiscovery(host, pool, settings, Clock.systemUTC(), new SecureRandom()).start()) {
      Waiting.within(WAIT)
          .alias("both AutoNAT v2 servers discovered")
          // the count is raised just after the pool takes the server: wait for both
          .until(
              () ->
                  pool.discovered().size() == AUTONAT_SERVERS.size()
                      && discovery.status().admitted() == AUTONAT_SERVERS.size());
      assertThat(pool.discovered())
          .extracting(s -> s.peerId().toString())
          .containsExactlyInAnyOrderElementsOf(expected);
      assertThat(pool.discovered())
          .allSatisfy(
              s -> {
                assertThat(s.source()).isEqualTo(PoolServer.Source.DISCOVERED);
                assertThat(s.foundVia()).isNotBlank();
                assertThat(s.speaksAutonatV2()).isTrue();
              });
      ServerDiscovery.Status status = discovery.status();
      assertThat(status.queries()).isPositive();
      assertThat(status.admitted()).isEqualTo(AUTONAT_SERVERS.size());
      assertThat(status.contacts())
          .isLessThanOrEqualTo(DiscoverySettings.DEFAULT_CONTACTS_PER_MINUTE);
    }

    try (AutonatClient client = new AutonatClient(host, AutonatClientSettings.defaults())) {
      client.start();
      CheckResult result =
          client
              .check(pool.discovered().get(0).address(), host.listenAddresses())
              .get(30, TimeUnit.SECONDS);
      assertThat(result.reachability()).as("%s", result).isEqualTo(Reachability.REACHABLE);
    }
  }

  /** A peer check of a node known by its id alone: its addresses come from the DHT. */
  @Test
  void aPeerFoundOnlyThroughTheDhtByItsIdIsReachable() throws Exception {
    InteropPeer target = nodes.get(NODES - 1);
    PeerId id = PeerId.fromString(target.peerId());
    PeerChecker checker = new PeerChecker(host);
    List<Multiaddr> found =
        checker
            .find(id, List.of(Multiaddr.fromString(nodes.get(0).addrs().get(0))), a -> true)
            .get(60, TimeUnit.SECONDS);
    assertThat(found).isNotEmpty();
    List<AddressOutcome> outcomes = checker.check(id, found).get(60, TimeUnit.SECONDS);
    assertThat(PeerVerdict.of(outcomes.stream().map(AddressOutcome::verdict).toList()))
        .isEqualTo(PeerVerdict.REACHABLE);

    PeerId unknown = PeerId.fromBytes(KadMessages.randomKey(new java.util.Random(3)));
    assertThat(
            checker
                .find(
                    unknown, List.of(Multiaddr.fromString(nodes.get(0).addrs().get(0))), a -> true)
                .get(60, TimeUnit.SECONDS))
        .isEmpty(); // NOT_FOUND
    assertThat(PeerVerdict.of(List.of())).isEqualTo(PeerVerdict.NOT_FOUND);
  }
}
