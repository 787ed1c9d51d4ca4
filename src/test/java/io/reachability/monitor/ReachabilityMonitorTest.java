package io.reachability.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.autonat.CheckResult;
import io.reachability.autonat.DialStatus;
import io.reachability.autonat.Reachability;
import io.reachability.autonat.ResponseStatus;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The monitor's scheduling with a scripted prober and an injected clock; passes are run by hand
 * ({@link ReachabilityMonitor#tick}), so nothing here depends on timing.
 */
class ReachabilityMonitorTest {

  private static final PeerId SERVER_ID = PeerId.fromPublicKey(Keys.generateEd25519().publicKey());
  private static final Multiaddr PUBLIC = Multiaddr.fromString("/ip4/198.51.100.7/tcp/4001");
  private static final Multiaddr OTHER = Multiaddr.fromString("/ip4/198.51.100.8/tcp/4001");

  private final MutableClock clock = new MutableClock();
  private final List<Probe> probes = new CopyOnWriteArrayList<>();
  private final List<ReachabilityMonitor.VerdictChange> changes = new CopyOnWriteArrayList<>();
  private List<ReachabilityMonitor.Server> pool = new ArrayList<>();
  private List<Multiaddr> candidates = new ArrayList<>(List.of(PUBLIC));
  private MonitorSettings settings = MonitorSettings.DEFAULTS;
  private ReachabilityMonitor monitor;

  private record Probe(
      Multiaddr server, Multiaddr address, CompletableFuture<CheckResult> result) {}

  private static ReachabilityMonitor.Server server(String ip) {
    return new ReachabilityMonitor.Server(
        Multiaddr.fromString("/ip4/" + ip + "/tcp/4001/p2p/" + SERVER_ID), true);
  }

  private ReachabilityMonitor monitor() {
    monitor =
        new ReachabilityMonitor(
            settings,
            (server, address, timeout) -> {
              Probe probe = new Probe(server, address, new CompletableFuture<>());
              probes.add(probe);
              return probe.result();
            },
            () -> pool,
            () -> candidates,
            clock);
    monitor.addListener(changes::add);
    return monitor;
  }

  @AfterEach
  void close() {
    if (monitor != null) {
      monitor.close();
    }
  }

  private static CheckResult result(
      Probe probe, Reachability reachability, ResponseStatus status, DialStatus dial) {
    return new CheckResult(
        SERVER_ID,
        probe.server(),
        0,
        probe.address(),
        status,
        dial,
        reachability,
        "scripted",
        reachability == Reachability.REACHABLE,
        null,
        0,
        Duration.ofMillis(3));
  }

  private static void succeed(Probe probe) {
    probe
        .result()
        .complete(result(probe, Reachability.REACHABLE, ResponseStatus.OK, DialStatus.OK));
  }

  private static void fail(Probe probe) {
    probe
        .result()
        .complete(
            result(probe, Reachability.UNREACHABLE, ResponseStatus.OK, DialStatus.E_DIAL_ERROR));
  }

  private static void refuse(Probe probe) {
    probe
        .result()
        .complete(result(probe, Reachability.UNKNOWN, ResponseStatus.E_DIAL_REFUSED, null));
  }

  private List<Probe> open() {
    return probes.stream().filter(p -> !p.result().isDone()).toList();
  }

  @Test
  void aNewAddressGetsItsThreeProbesAtOnceFromThreeServers() {
    pool = List.of(server("203.0.113.1"), server("203.0.114.1"), server("203.0.115.1"));
    monitor().tick();

    assertThat(probes).hasSize(3).allMatch(p -> p.address().equals(PUBLIC));
    assertThat(probes).extracting(Probe::server).doesNotHaveDuplicates();

    succeed(probes.get(0));
    assertThat(monitor.verdicts()).containsEntry(PUBLIC, Reachability.UNKNOWN);
    succeed(probes.get(1));
    assertThat(monitor.verdicts())
        .containsEntry(PUBLIC, Reachability.REACHABLE); // before the third answers
    assertThat(changes)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.address()).isEqualTo(PUBLIC);
              assertThat(c.from()).isEqualTo(Reachability.UNKNOWN);
              assertThat(c.to()).isEqualTo(Reachability.REACHABLE);
            });
    succeed(probes.get(2));
    monitor.tick();

    assertThat(probes).hasSize(3); // confident: nothing more
    AddressReport report = monitor.report().addresses().get(0);
    assertThat(report.confidence()).isEqualTo(3);
    assertThat(report.history()).hasSize(3);
    assertThat(report.nextProbeAt())
        .isEqualTo(report.lastProbeAt().plus(settings.reprobeInterval()));
    assertThat(monitor.report().reachability()).isEqualTo(NodeReachability.PUBLIC);
  }

  @Test
  void anUnreachableAddressIsDecidedByFailuresAndTheNodeIsPrivate() {
    pool = List.of(server("203.0.113.1"), server("203.0.114.1"), server("203.0.115.1"));
    monitor().tick();
    probes.forEach(ReachabilityMonitorTest::fail);

    assertThat(monitor.verdicts()).containsEntry(PUBLIC, Reachability.UNREACHABLE);
    assertThat(monitor.report().reachability()).isEqualTo(NodeReachability.PRIVATE);
  }

  @Test
  void serversOnANetworkTheWindowHasNotHeardFromComeFirst() {
    // two servers in one /24, one elsewhere
    pool = List.of(server("203.0.113.1"), server("203.0.113.2"), server("192.0.2.1"));
    settings = settings.toBuilder().concurrency(1).build();
    monitor().tick();
    Probe first = probes.get(0);
    succeed(first);
    monitor.tick();

    Probe second = probes.get(1);
    Object firstNetwork = ReachabilityMonitor.network(first.server());
    // the first server was on 203.0.113.0/24 or on 192.0.2.0/24: the second is on the other one
    assertThat(ReachabilityMonitor.network(second.server())).isNotEqualTo(firstNetwork);
  }

  @Test
  void addressesAreServedInCandidateOrderEachWithAllItNeeds() {
    candidates = List.of(PUBLIC, OTHER);
    pool =
        List.of(
            server("203.0.113.1"),
            server("203.0.114.1"),
            server("203.0.115.1"),
            server("203.0.116.1"));
    monitor().tick();

    // four servers, one probe each at a time: the first address takes the three it needs
    assertThat(probes).hasSize(4);
    assertThat(probes).filteredOn(p -> p.address().equals(PUBLIC)).hasSize(3);
    assertThat(probes).filteredOn(p -> p.address().equals(OTHER)).hasSize(1);
  }

  @Test
  void aThrottledServerIsAskedAgainOnlyAfterThePerServerInterval() {
    pool = List.of(server("203.0.113.1"));
    monitor().tick();
    Instant sent = clock.instant();
    succeed(probes.get(0));
    monitor.tick();

    assertThat(probes).hasSize(1);
    assertThat(monitor.wakeAt()).isEqualTo(sent.plus(settings.perServerInterval()));

    clock.advance(settings.perServerInterval());
    monitor.tick();
    assertThat(probes).hasSize(2);
  }

  @Test
  void anInProcessServerIsNotThrottled() {
    pool = List.of(new ReachabilityMonitor.Server(server("127.0.0.1").address(), false));
    monitor().tick();
    succeed(probes.get(0));
    monitor.tick();
    assertThat(probes).hasSize(2);
  }

  @Test
  void aServerThatErrsIsRestedWithABackoffAndOthersAreAsked() {
    pool = List.of(server("203.0.113.1"), server("203.0.114.1"));
    settings = settings.toBuilder().concurrency(1).perServerInterval(Duration.ZERO).build();
    monitor().tick();
    Probe first = probes.get(0);
    first.result().completeExceptionally(new IllegalStateException("connection refused"));
    monitor.tick();

    Probe second = probes.get(1);
    assertThat(second.server()).isNotEqualTo(first.server());
    // the address still needs probes, the other server is busy: the next pass is when the erring
    // server's rest ends (5 s, less up to 20 % jitter)
    Instant wake = monitor.wakeAt();
    assertThat(wake)
        .isBetween(
            clock.instant().plus(settings.backoffInitial().multipliedBy(8).dividedBy(10)),
            clock.instant().plus(settings.backoffInitial()));
    succeed(second);
    clock.advance(Duration.between(clock.instant(), wake));
    monitor.tick();
    assertThat(open())
        .singleElement()
        .satisfies(p -> assertThat(p.server()).isEqualTo(first.server()));
    assertThat(monitor.report().addresses().get(0).history())
        .extracting(ProbeRecord::outcome)
        .containsExactly(ProbeOutcome.ERROR, ProbeOutcome.SUCCESS);
  }

  @Test
  void anEmptyPoolIsRetriedWithADoublingBackoff() {
    monitor().tick();
    Duration first = Duration.between(clock.instant(), monitor.wakeAt());
    assertThat(first)
        .isBetween(
            settings.backoffInitial().multipliedBy(8).dividedBy(10), settings.backoffInitial());
    monitor.tick();
    Duration second = Duration.between(clock.instant(), monitor.wakeAt());
    assertThat(second)
        .isBetween(
            settings.backoffInitial().multipliedBy(16).dividedBy(10),
            settings.backoffInitial().multipliedBy(2));

    pool = List.of(server("203.0.113.1"));
    monitor.tick();
    assertThat(probes).hasSize(1);
  }

  @Test
  void aConfirmedAddressIsProbedAgainAfterAnHour() {
    pool = List.of(server("203.0.113.1"), server("203.0.114.1"), server("203.0.115.1"));
    monitor().tick();
    probes.forEach(ReachabilityMonitorTest::succeed);
    monitor.tick();
    Instant answered = clock.instant();
    assertThat(monitor.report().addresses().get(0).nextProbeAt())
        .isEqualTo(answered.plus(settings.reprobeInterval()));
    // no pass sleeps longer than MAX_SLEEP, and none before the hour probes
    assertThat(monitor.wakeAt()).isEqualTo(answered.plus(ReachabilityMonitor.MAX_SLEEP));
    clock.advance(settings.reprobeInterval().minusMillis(1));
    monitor.tick();
    assertThat(open()).isEmpty();

    clock.advance(Duration.ofMillis(1));
    monitor.tick();
    assertThat(open()).singleElement().satisfies(p -> assertThat(p.address()).isEqualTo(PUBLIC));
  }

  @Test
  void fiveRefusalsPauseAnAddressForTenMinutes() {
    pool =
        List.of(
            server("203.0.113.1"),
            server("203.0.114.1"),
            server("203.0.115.1"),
            server("203.0.116.1"),
            server("203.0.117.1"));
    settings = settings.toBuilder().perServerInterval(Duration.ZERO).build();
    monitor().tick();
    while (probes.size() < settings.maxConsecutiveRefusals()) {
      open().forEach(ReachabilityMonitorTest::refuse);
      monitor.tick();
    }
    open().forEach(ReachabilityMonitorTest::refuse);
    monitor.tick();

    assertThat(open()).isEmpty();
    Instant refused = clock.instant();
    assertThat(monitor.report().addresses().get(0).nextProbeAt())
        .isEqualTo(refused.plus(settings.refusalPause()));
    clock.advance(settings.refusalPause().minusMillis(1));
    monitor.tick();
    assertThat(open()).isEmpty();
    clock.advance(Duration.ofMillis(1));
    monitor.tick();
    assertThat(open()).isNotEmpty();
  }

  @Test
  void aJobAnswerFromAServerOutsideThePoolIsNotEvenHeard() {
    pool = List.of(server("203.0.113.1"), server("203.0.114.1"), server("203.0.115.1"));
    monitor().tick();
    probes.forEach(ReachabilityMonitorTest::succeed);
    monitor.tick();
    clock.advance(settings.perServerInterval());
    Set<PeerId> trusted =
        pool.stream()
            .map(s -> s.address().peerId().orElseThrow())
            .collect(java.util.stream.Collectors.toSet());

    Multiaddr stranger =
        Multiaddr.fromString("/ip4/198.51.100.7/tcp/4001")
            .withPeerId(PeerId.fromPublicKey(Keys.generateEd25519().publicKey()));
    assertThat(monitor.recordJobAnswer(PUBLIC, stranger, ProbeOutcome.FAILURE, trusted)).isFalse();
    monitor.tick();
    assertThat(open()).isEmpty(); // no re-probe for a stranger's word

    assertThat(
            monitor.recordJobAnswer(PUBLIC, pool.get(0).address(), ProbeOutcome.FAILURE, trusted))
        .isTrue();
    clock.advance(settings.perServerInterval());
    monitor.tick();
    assertThat(open()).singleElement().satisfies(p -> assertThat(p.address()).isEqualTo(PUBLIC));
  }

  @Test
  void jobAnswersCannotConfirmOrFlipAVerdictNorMoveItsNextProbe() {
    pool = List.of(server("203.0.113.1"), server("203.0.114.1"), server("203.0.115.1"));
    monitor().tick();
    probes.forEach(ReachabilityMonitorTest::succeed);
    monitor.tick();
    assertThat(monitor.verdicts()).containsEntry(PUBLIC, Reachability.REACHABLE);

    // the finding: four check jobs during a connection flood, every pool server answering FAILURE
    for (int job = 0; job < 4; job++) {
      for (ReachabilityMonitor.Server server : pool) {
        monitor.record(PUBLIC, server.address(), ProbeOutcome.FAILURE);
      }
    }
    AddressReport report = monitor.report().addresses().get(0);
    assertThat(report.verdict()).isEqualTo(Reachability.REACHABLE);
    assertThat(report.successes()).isEqualTo(3);
    assertThat(report.failures()).isZero();
    assertThat(report.history())
        .extracting(ProbeRecord::outcome)
        .containsOnly(ProbeOutcome.SUCCESS);
    assertThat(changes)
        .extracting(ReachabilityMonitor.VerdictChange::to)
        .containsExactly(Reachability.REACHABLE);

    // the disagreement only makes the monitor ask again itself, once, when a server is free
    assertThat(open()).isEmpty(); // the jobs just asked every server
    clock.advance(settings.perServerInterval());
    monitor.tick();
    assertThat(open()).singleElement().satisfies(p -> assertThat(p.address()).isEqualTo(PUBLIC));
    succeed(open().get(0));
    monitor.tick();
    assertThat(open()).isEmpty();
    assertThat(monitor.report().addresses().get(0).nextProbeAt())
        .isEqualTo(clock.instant().plus(settings.reprobeInterval()));

    // more disagreeing answers within the probe-rate window change nothing
    monitor.record(PUBLIC, pool.get(0).address(), ProbeOutcome.FAILURE);
    clock.advance(settings.perServerInterval());
    monitor.tick();
    assertThat(open()).isEmpty();

    // after it, one more re-probe; the monitor's own outcomes still decide
    clock.advance(settings.probeRateWindow());
    monitor.record(PUBLIC, pool.get(0).address(), ProbeOutcome.FAILURE);
    clock.advance(settings.perServerInterval());
    monitor.tick();
    assertThat(open()).singleElement().satisfies(p -> assertThat(p.address()).isEqualTo(PUBLIC));
    fail(open().get(0));
    assertThat(monitor.verdicts()).containsEntry(PUBLIC, Reachability.REACHABLE);
    assertThat(monitor.report().addresses().get(0).failures()).isEqualTo(1);
  }

  @Test
  void jobAnswersDoNotGiveAnAddressItsFirstVerdictNorSpendItsBudget() {
    pool = List.of(server("203.0.113.1"));
    monitor().tick();
    assertThat(open()).hasSize(1); // one server, one probe at a time

    for (int i = 0; i < 2 * settings.maxProbesPerAddress(); i++) {
      monitor.record(PUBLIC, server("203.0.114." + (i + 1)).address(), ProbeOutcome.SUCCESS);
      monitor.record(
          OTHER,
          server("203.0.114." + (i + 1)).address(),
          ProbeOutcome.SUCCESS); // not a candidate: ignored
    }
    assertThat(monitor.verdicts())
        .containsOnlyKeys(PUBLIC)
        .containsEntry(PUBLIC, Reachability.UNKNOWN);
    assertThat(changes).isEmpty();

    // the monitor's own probes decide, each counted once against the budget
    succeed(open().get(0));
    clock.advance(settings.perServerInterval());
    monitor.tick();
    succeed(open().get(0));
    assertThat(monitor.verdicts()).containsEntry(PUBLIC, Reachability.REACHABLE);
    assertThat(monitor.probesSent()).isEqualTo(2);
  }

  @Test
  void aServerAJobJustAskedIsSpacedLikeOneTheMonitorAsked() {
    ReachabilityMonitor.Server busy = server("203.0.113.1");
    pool = List.of(busy);
    monitor();
    monitor.record(
        OTHER, busy.address(), ProbeOutcome.SUCCESS); // a job's answer, about another address
    monitor.tick();

    assertThat(probes).isEmpty();
    assertThat(monitor.wakeAt()).isEqualTo(clock.instant().plus(settings.perServerInterval()));
    clock.advance(settings.perServerInterval());
    monitor.tick();
    assertThat(probes)
        .singleElement()
        .satisfies(p -> assertThat(p.server()).isEqualTo(busy.address()));
  }

  @Test
  void candidatesThatGoAwayAreForgottenAndAtMostFiftyAreTracked() {
    List<Multiaddr> many = new ArrayList<>();
    for (int i = 1; i <= settings.maxAddresses() + 5; i++) {
      many.add(Multiaddr.fromString("/ip4/198.51.100." + i + "/tcp/4001"));
    }
    candidates = many;
    monitor().tick();
    assertThat(monitor.verdicts()).hasSize(settings.maxAddresses());

    candidates = List.of(OTHER);
    monitor.tick();
    assertThat(monitor.verdicts()).containsOnlyKeys(OTHER);
  }

  @Test
  void identifyIsToldConfirmedAddressesFirstAndNoUnreachableOne() {
    Multiaddr observed = Multiaddr.fromString("/ip4/198.51.100.9/tcp/4001");
    Multiaddr undecided = Multiaddr.fromString("/ip4/198.51.100.10/tcp/4001");
    candidates = List.of(PUBLIC, OTHER, observed, undecided);
    pool = List.of(server("203.0.113.1"), server("203.0.114.1"), server("203.0.115.1"));
    settings = settings.toBuilder().perServerInterval(Duration.ZERO).build();
    monitor();
    // PUBLIC fails everywhere, OTHER and observed succeed, undecided is refused until paused
    for (int pass = 0; pass < 20; pass++) {
      monitor.tick();
      for (Probe probe : open()) {
        if (probe.address().equals(PUBLIC)) {
          fail(probe);
        } else if (probe.address().equals(undecided)) {
          refuse(probe);
        } else {
          succeed(probe);
        }
      }
    }
    assertThat(monitor.verdicts())
        .containsEntry(PUBLIC, Reachability.UNREACHABLE)
        .containsEntry(OTHER, Reachability.REACHABLE)
        .containsEntry(observed, Reachability.REACHABLE)
        .containsEntry(undecided, Reachability.UNKNOWN);

    // base = the listen addresses (PUBLIC, undecided), extra = announced (OTHER)
    assertThat(monitor.advertise(List.of(PUBLIC, undecided), List.of(OTHER)))
        .containsExactly(OTHER, observed, undecided); // confirmed first; PUBLIC is unreachable
  }

  @Test
  void aSecondaryFollowsItsReachablePrimary() {
    Multiaddr secondary = Multiaddr.fromString("/ip4/198.51.100.7/tcp/4001/ws");
    candidates = List.of(secondary, PUBLIC);
    pool = List.of(server("203.0.113.1"), server("203.0.114.1"), server("203.0.115.1"));
    monitor().tick();

    // primaries go first: the plain TCP address, listed second, gets every probe
    assertThat(probes).hasSize(3).allMatch(p -> p.address().equals(PUBLIC));
    probes.stream()
        .filter(p -> p.address().equals(PUBLIC))
        .forEach(ReachabilityMonitorTest::succeed);

    assertThat(monitor.verdicts()).containsEntry(secondary, Reachability.REACHABLE);
    assertThat(monitor.report().addresses())
        .filteredOn(AddressReport::secondary)
        .extracting(AddressReport::address)
        .containsExactly(secondary);
  }
}
