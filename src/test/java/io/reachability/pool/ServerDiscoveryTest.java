package io.reachability.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.kad.KadMessages;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pool's replacement rules, and what discovery does with nobody to ask. */
class ServerDiscoveryTest {

  private final Host host = LoopbackHosts.start("discovery-test");
  private final MutableClock clock = new MutableClock();

  @AfterEach
  void stop() {
    host.close();
  }

  private static Multiaddr address(int i) {
    PeerId id = PeerId.fromBytes(KadMessages.randomKey(new Random(i)));
    return Multiaddr.fromString("/ip4/198.51.100." + i + "/tcp/4001/p2p/" + id);
  }

  private ServerDiscovery discovery(ServerPool pool, DiscoverySettings settings) {
    return new ServerDiscovery(host, pool, settings, clock, new Random(1));
  }

  @Test
  void aDiscoveredServerThatKeepsFailingOrDoesNotServeIsDroppedConfiguredOnesStay() {
    PoolServer configured = new PoolServer(address(1), false);
    ServerPool pool = ServerPool.of(List.of(configured.address()), null);
    PoolServer flaky = PoolServer.discovered(address(2), "via");
    PoolServer recovering = PoolServer.discovered(address(3), "via");
    PoolServer notAServer = PoolServer.discovered(address(4), "via");
    pool.add(flaky);
    pool.add(recovering);
    pool.add(notAServer);
    for (int i = 0; i < DiscoverySettings.DEFAULT_MAX_FAILURES_IN_A_ROW; i++) {
      flaky.answeredLastContact(false);
      pool.find(configured.address().peerId().orElseThrow())
          .orElseThrow()
          .answeredLastContact(false);
      recovering.answeredLastContact(i < DiscoverySettings.DEFAULT_MAX_FAILURES_IN_A_ROW - 1);
    }
    recovering.answeredLastContact(false);
    recovering.answeredLastContact(true); // an answer resets the count
    notAServer.speaksAutonatV2(false);

    try (ServerDiscovery discovery = discovery(pool, DiscoverySettings.defaults())) {
      discovery.replaceFailing();
      assertThat(pool.servers())
          .extracting(PoolServer::address)
          .containsExactly(address(1), address(3));
      assertThat(discovery.status().replaced()).isEqualTo(2);
    }
  }

  @Test
  void thePoolAddsADiscoveredPeerOnceAndRemovesOnlyDiscoveredOnes() {
    ServerPool pool = ServerPool.of(List.of(address(1)), null);
    // the monitor listens, so an empty pool that fills is asked at once, not after its backoff
    AtomicInteger changes = new AtomicInteger();
    pool.addChangeListener(changes::incrementAndGet);
    assertThat(pool.add(PoolServer.discovered(address(1), "via"))).isFalse();
    assertThat(pool.add(PoolServer.discovered(address(2), "via"))).isTrue();
    assertThat(pool.add(PoolServer.discovered(address(2), "via"))).isFalse();
    assertThat(pool.discovered()).extracting(PoolServer::foundVia).containsExactly("via");
    assertThat(pool.removeDiscovered(address(1).peerId().orElseThrow())).isFalse();
    assertThat(pool.removeDiscovered(address(2).peerId().orElseThrow())).isTrue();
    assertThat(changes).hasValue(2); // one add, one removal; refused ones change nothing
    assertThat(pool.servers())
        .extracting(PoolServer::source)
        .containsExactly(PoolServer.Source.CONFIGURED);
  }

  @Test
  void contactsStopAtTheMinutesBudgetAndResumeTheNextMinute() {
    // bootstrap peers on loopback ports where nothing listens: each step spends one contact
    List<Multiaddr> nobody =
        List.of(
            Multiaddr.fromString(
                "/ip4/127.0.0.1/tcp/"
                    + LoopbackHosts.closedPort()
                    + "/p2p/"
                    + address(5).peerId().orElseThrow()));
    ServerPool pool = ServerPool.of(List.of(), null);
    DiscoverySettings settings =
        new DiscoverySettings.Builder().bootstrap(nobody).contactsPerMinute(2).build();
    try (ServerDiscovery discovery = discovery(pool, settings)) {
      for (int i = 0; i < 5; i++) {
        discovery.step();
      }
      assertThat(discovery.status().contacts()).isEqualTo(2);
      clock.advance(java.time.Duration.ofMinutes(1));
      discovery.step();
      assertThat(discovery.status().contacts()).isEqualTo(3);
      assertThat(discovery.status().dhtNodes()).isEqualTo(1); // a bootstrap peer is never dropped
    }
  }

  @Test
  void discoveredServersAreRememberedAcrossRestartsAndBadLinesSkipped(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("state/servers.txt");
    int closed = LoopbackHosts.closedPort();
    Multiaddr first = loopback(closed, 6);
    Multiaddr second = loopback(closed, 7);
    List<Multiaddr> nobody = List.of(loopback(closed, 8));
    DiscoverySettings settings =
        new DiscoverySettings.Builder().bootstrap(nobody).stateFile(file).build();

    ServerPool pool = ServerPool.of(List.of(), null);
    try (ServerDiscovery discovery = discovery(pool, settings)) {
      pool.add(PoolServer.discovered(first, "via"));
      pool.add(PoolServer.discovered(second, "via"));
      discovery.remember();
    }
    assertThat(Files.readAllLines(file))
        .containsExactly(ServerDiscovery.STATE_FILE_HEADER, first.toString(), second.toString());

    Files.write(
        file,
        List.of("# a comment", "not a multiaddr", "/ip4/127.0.0.1/tcp/1", first.toString(), ""),
        java.nio.charset.StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
    ServerPool restarted = ServerPool.of(List.of(), null);
    try (ServerDiscovery discovery = discovery(restarted, settings)) {
      assertThat(discovery.remembered()).containsExactly(first);
      discovery.start();
      assertThat(restarted.discovered())
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.address()).isEqualTo(first);
                assertThat(s.foundVia()).isEqualTo(ServerDiscovery.REMEMBERED);
              });
    }

    Files.write(file, new byte[(int) ServerDiscovery.MAX_STATE_FILE_BYTES + 1]);
    try (ServerDiscovery discovery = discovery(ServerPool.of(List.of(), null), settings)) {
      assertThat(discovery.remembered()).isEmpty();
    }
  }

  private static Multiaddr loopback(int port, int seed) {
    PeerId id = PeerId.fromBytes(KadMessages.randomKey(new Random(seed)));
    return Multiaddr.fromString("/ip4/127.0.0.1/tcp/" + port + "/p2p/" + id);
  }
}
