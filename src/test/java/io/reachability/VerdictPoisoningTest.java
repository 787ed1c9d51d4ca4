package io.reachability;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.autonat.AutonatClient;
import io.reachability.autonat.AutonatClientSettings;
import io.reachability.autonat.CheckOptions;
import io.reachability.autonat.CheckResult;
import io.reachability.autonat.Reachability;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.host.HostBuilder;
import io.reachability.libp2p.host.HostSettings;
import io.reachability.monitor.AddressReport;
import io.reachability.monitor.MonitorSettings;
import io.reachability.monitor.ProbeOutcome;
import io.reachability.monitor.ReachabilityMonitor;
import io.reachability.pool.EmbeddedPool;
import io.reachability.testing.FloodPeers;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.Waiting;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The "verdict poisoning" attacks against a real node, on the wire: a node with the service's
 * connection limits, its AutoNAT v2 client and monitor, and an embedded pool of three in-process
 * servers that dial back from 127.0.0.1. Attackers fill the node's connection slots from loopback
 * addresses, then genuine checks run the way REST check jobs do (their answers reach the monitor
 * through {@link ReachabilityMonitor#record}). The checks must still find the node REACHABLE and
 * the monitor's verdict must not move.
 */
class VerdictPoisoningTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  /** The attack of the finding: 64 connections (the per-IP limit) from each of 16 addresses. */
  private static final int ATTACK_IPS = 16;

  private static final int PER_IP = HostSettings.DEFAULT_MAX_INBOUND_CONNECTIONS_PER_IP;

  /** Short enough for a test to wait for, long enough for a check's connections to stay up. */
  private static final Duration SHORT_IDLE = Duration.ofSeconds(1);

  /** REST checks the finding ran during the flood. */
  private static final int JOBS = 4;

  private static EmbeddedPool pool;

  private Host node;
  private AutonatClient client;
  private ReachabilityMonitor monitor;
  private FloodPeers flood;
  private Multiaddr listen;

  @BeforeAll
  static void startPool() {
    pool = EmbeddedPool.start(3);
  }

  @AfterAll
  static void stopPool() {
    if (pool != null) {
      pool.close();
    }
  }

  /**
   * The node as the service builds it (its limits at their defaults), then its client and monitor,
   * settled REACHABLE.
   */
  private void startNode(UnaryOperator<HostBuilder> tweak) throws Exception {
    node = tweak.apply(LoopbackHosts.builder("node")).build().start();
    listen = node.listenAddresses().get(0);
    client = new AutonatClient(node, AutonatClientSettings.defaults()).start();
    CheckOptions defaults = CheckOptions.from(client.settings());
    monitor =
        new ReachabilityMonitor(
            MonitorSettings.DEFAULTS,
            (server, address, timeout) ->
                client.check(server, List.of(address), defaults.withTimeout(timeout)),
            () ->
                pool.addresses().stream()
                    .map(a -> new ReachabilityMonitor.Server(a, false))
                    .toList(),
            () -> List.of(listen),
            Clock.systemUTC());
    monitor.start();
    await(
        () -> monitor.verdicts().get(listen) == Reachability.REACHABLE,
        "the monitor finds " + listen + " REACHABLE");
    await(() -> monitor.probesInFlight() == 0, "the monitor's probes end");
    flood = new FloodPeers();
  }

  @AfterEach
  void stop() {
    if (flood != null) {
      flood.close();
    }
    if (monitor != null) {
      monitor.close();
    }
    if (client != null) {
      client.close();
    }
    if (node != null) {
      node.close();
    }
  }

  private InetSocketAddress target() {
    return listen.toTcpSocketAddress().orElseThrow();
  }

  /**
   * One round of checks as a REST job with the pool's servers runs them, each answer handed to the
   * monitor.
   */
  private List<CheckResult> jobRound() throws Exception {
    List<CheckResult> results = new ArrayList<>();
    for (Multiaddr server : pool.addresses()) {
      CheckResult result =
          client.check(server, List.of(listen)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      monitor.record(listen, server, ProbeOutcome.of(result));
      results.add(result);
    }
    return results;
  }

  private void assertVerdictHolds(AddressReport before) {
    AddressReport after = report();
    assertThat(after.verdict()).isEqualTo(Reachability.REACHABLE);
    assertThat(after.failures()).isZero();
    assertThat(after.successes()).isEqualTo(before.successes());
    assertThat(monitor.advertise(List.of(listen), List.of())).contains(listen);
    // the next probe is where the monitor's own outcomes put it, not where the jobs would
    assertThat(after.nextProbeAt()).isEqualTo(before.nextProbeAt());
  }

  private AddressReport report() {
    return monitor.report().addresses().stream()
        .filter(a -> a.address().equals(listen))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void halfOpenConnectionsFromTheServersOwnAddressDoNotBlockTheirDialBacks() throws Exception {
    startNode(b -> b);
    InetAddress loopback = FloodPeers.loopback(1);
    flood.halfOpen(target(), loopback, PER_IP, WAIT);
    await(
        () -> node.inboundConnectionsFrom(loopback) >= PER_IP,
        "the node counts the half-open connections");

    for (Multiaddr server : pool.addresses()) {
      CheckResult result =
          client.check(server, List.of(listen)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(result.reachability())
          .as("check by %s: %s", server, result.reason())
          .isEqualTo(Reachability.REACHABLE);
    }
  }

  @Test
  void idleAuthenticatedConnectionsFromOneSubnetDoNotMoveTheVerdict() throws Exception {
    startNode(b -> b);
    AddressReport before = report();
    for (int i = 0; i < ATTACK_IPS; i++) {
      flood.authenticated(target(), node.peerId(), FloodPeers.loopback(2 + i), PER_IP, WAIT);
    }
    // the /24 holds its share of the slots and no more; the servers dial back from that /24 too
    assertThat(node.inboundConnectionsFromSubnet(FloodPeers.loopback(1)))
        .isEqualTo(HostSettings.DEFAULT_MAX_INBOUND_CONNECTIONS_PER_SUBNET);
    assertThat(flood.open()).isEqualTo(HostSettings.DEFAULT_MAX_INBOUND_CONNECTIONS_PER_SUBNET);

    for (int job = 0; job < JOBS; job++) {
      for (CheckResult result : jobRound()) {
        assertThat(result.reachability())
            .as("check by %s: %s", result.server(), result.reason())
            .isEqualTo(Reachability.REACHABLE);
      }
    }
    assertVerdictHolds(before);
  }

  @Test
  void aFloodFromManySubnetsFillsOnlyTheInboundShareAndTheDialBacksStillGetIn() throws Exception {
    startNode(b -> b);
    AddressReport before = report();
    // 7 /24s of two addresses each, 64 connections per address: more than the inbound bound
    for (int subnet = 10; subnet < 17; subnet++) {
      for (int host = 2; host < 4; host++) {
        flood.authenticated(
            target(),
            node.peerId(),
            InetAddress.getByName("127.0." + subnet + "." + host),
            PER_IP,
            WAIT);
      }
    }
    assertThat(node.inboundConnections()).isEqualTo(HostSettings.DEFAULT_MAX_INBOUND_CONNECTIONS);

    for (CheckResult result : jobRound()) {
      assertThat(result.reachability())
          .as("check by %s: %s", result.server(), result.reason())
          .isEqualTo(Reachability.REACHABLE);
    }
    assertVerdictHolds(before);
  }

  @Test
  void idleAttackConnectionsAreClosedAndGiveTheirSlotsBack() throws Exception {
    startNode(b -> b.idleTimeout(SHORT_IDLE));
    AddressReport before = report();
    for (int i = 0; i < ATTACK_IPS; i++) {
      flood.authenticated(target(), node.peerId(), FloodPeers.loopback(2 + i), PER_IP, WAIT);
    }
    await(() -> flood.open() == 0, "the node closes every idle attack connection");
    await(() -> node.inboundConnections() == 0, "the node counts no inbound connection");

    for (CheckResult result : jobRound()) {
      assertThat(result.reachability())
          .as("check by %s: %s", result.server(), result.reason())
          .isEqualTo(Reachability.REACHABLE);
    }
    assertVerdictHolds(before);
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    Waiting.within(WAIT).alias(what).until(condition::getAsBoolean);
  }
}
