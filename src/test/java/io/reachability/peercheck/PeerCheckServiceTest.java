package io.reachability.peercheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.reachability.access.KeyedRateLimiter;
import io.reachability.job.CheckJob;
import io.reachability.job.InMemoryJobStore;
import io.reachability.job.JobState;
import io.reachability.job.TooManyJobsException;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.host.Host;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.Waiting;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The peer-check job runner: real dials between our hosts on loopback, and a network whose answers
 * the test holds back where the bounds (dial slots, timeouts, turns) are what is tested.
 */
class PeerCheckServiceTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final Host target = LoopbackHosts.start("peer-check-target");
  private final Host checking = LoopbackHosts.start("peer-check-node");
  private final InMemoryJobStore store =
      new InMemoryJobStore(Clock.systemUTC(), Duration.ofHours(1), 1000);
  private final List<PeerCheckService> services = new ArrayList<>();

  @AfterEach
  void stop() {
    services.forEach(PeerCheckService::close);
    checking.close();
    target.close();
  }

  private static PeerCheckSettings settings(
      int maxConcurrentDials, int maxRunning, int queueCapacity, int perClient, int perTarget) {
    return new PeerCheckSettings(
        true,
        PeerChecks.DEFAULT_MAX_ADDRESSES,
        maxConcurrentDials,
        maxRunning,
        queueCapacity,
        perClient,
        perTarget,
        PeerChecks.DEFAULT_PER_REQUESTER_PER_MINUTE,
        Duration.ofSeconds(30));
  }

  private PeerCheckService service(PeerCheckService.Network network, PeerCheckSettings settings) {
    TargetRules rules = new TargetRules(settings.allowPrivateAddresses(), checking::canDial);
    PeerCheckService service =
        new PeerCheckService(
            store,
            network,
            rules,
            settings,
            new KeyedRateLimiter(settings.perTargetPerMinute()),
            Clock.systemUTC());
    services.add(service);
    return service;
  }

  /** The real network of {@link #checking}, with the DHT's answer given by the test. */
  private PeerCheckService.Network real(Function<PeerId, CompletableFuture<List<Multiaddr>>> dht) {
    PeerCheckService.Network network =
        new PeerChecker(checking).asNetwork(List::of, a -> true, Integer.MAX_VALUE);
    return new PeerCheckService.Network() {
      @Override
      public CompletableFuture<List<Multiaddr>> find(PeerId peer, BooleanSupplier stop) {
        return dht.apply(peer);
      }

      @Override
      public CompletableFuture<List<Multiaddr>> resolve(Multiaddr address) {
        return network.resolve(address);
      }

      @Override
      public CompletableFuture<AddressOutcome> check(PeerId peer, Multiaddr address) {
        return network.check(peer, address);
      }
    };
  }

  private static PeerCheckRequest request(PeerId peer, Multiaddr... addresses) {
    List<PeerAddress> named = new ArrayList<>();
    for (Multiaddr address : addresses) {
      named.add(PeerAddress.dialed(address, AddressSource.REQUEST, null));
    }
    return new PeerCheckRequest(peer, named, null);
  }

  private PeerCheckJob finished(PeerCheckService service, PeerCheckJob job) {
    Waiting.within(WAIT).until(() -> service.find(job.id()).orElseThrow().isFinished());
    return service.find(job.id()).orElseThrow();
  }

  @Test
  void namedAddressesAreDialedEachWithItsVerdict() {
    PeerCheckService service =
        service(real(p -> new CompletableFuture<>()), settings(4, 4, 4, 4, 10));
    Multiaddr open = target.listenAddresses().get(0);
    Multiaddr closed = Multiaddr.fromString("/ip4/127.0.0.1/tcp/" + LoopbackHosts.closedPort());

    PeerCheckJob job =
        finished(service, service.submit(request(target.peerId(), open, closed), "alice"));

    assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(job.verdict()).isEqualTo(PeerVerdict.REACHABLE);
    assertThat(job.lookedUp()).isFalse();
    assertThat(job.addresses()).extracting(PeerAddress::address).containsExactly(open, closed);
    assertThat(job.results())
        .extracting(AddressOutcome::address, AddressOutcome::verdict)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(open, AddressVerdict.REACHABLE),
            org.assertj.core.groups.Tuple.tuple(closed, AddressVerdict.UNREACHABLE));
    // one store for every kind of job: a peer check is not a check job
    assertThat(store.find(job.id(), CheckJob.class)).isEmpty();
    assertThat(service.list(null, "alice", 0, 10).items())
        .extracting(PeerCheckJob::id)
        .containsExactly(job.id());
    assertThat(service.list(null, "bob", 0, 10).items()).isEmpty();
    assertThat(service.dialsInFlight()).isZero();
  }

  @Test
  void aPeerByIdIsLookedUpAndWhatTheDhtSaysIsJudged() {
    Multiaddr open = target.listenAddresses().get(0);
    PeerId someoneElse = checking.peerId();
    List<Multiaddr> record =
        List.of(
            open.withPeerId(target.peerId()),
            open, // the same address twice: dialed once
            Multiaddr.fromString("/ip4/127.0.0.1/tcp/1/ws"),
            Multiaddr.fromString("/ip4/127.0.0.1/tcp/1/p2p/" + someoneElse + "/p2p-circuit"),
            Multiaddr.fromString("/ip4/127.0.0.1/tcp/2/p2p/" + someoneElse));
    PeerCheckService service =
        service(real(p -> CompletableFuture.completedFuture(record)), settings(4, 4, 4, 4, 10));

    PeerCheckJob job =
        finished(
            service,
            service.submit(new PeerCheckRequest(target.peerId(), List.of(), null), "alice"));

    assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(job.lookedUp()).isTrue();
    assertThat(job.verdict()).isEqualTo(PeerVerdict.REACHABLE);
    assertThat(job.addresses()).hasSize(4).allMatch(a -> a.source() == AddressSource.DHT);
    assertThat(job.addresses().get(0).isDialed()).isTrue();
    assertThat(job.addresses().get(1).skipped()).isEqualTo(TargetRules.NOT_DIALABLE);
    assertThat(job.addresses().get(2).skipped()).isEqualTo(TargetRules.RELAYED);
    assertThat(job.addresses().get(3).skipped()).contains("names another peer");
    assertThat(job.results())
        .singleElement()
        .satisfies(o -> assertThat(o.agentVersion()).isNotBlank());
  }

  @Test
  void withoutTheLabSwitchPrivateAddressesFromTheDhtAreSkippedByName() {
    Multiaddr open = target.listenAddresses().get(0);
    PeerCheckService service =
        service(
            real(p -> CompletableFuture.completedFuture(List.of(open))),
            settings(4, 4, 4, 4, 10).withAllowPrivateAddresses(false));

    PeerCheckJob job =
        finished(
            service,
            service.submit(new PeerCheckRequest(target.peerId(), List.of(), null), "alice"));

    assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(job.results()).isEmpty();
    assertThat(job.addresses())
        .singleElement()
        .satisfies(
            a ->
                assertThat(a.skipped())
                    .startsWith("a loopback (127.0.0.0/8) address")
                    .endsWith(TargetRules.PRIVATE_SUFFIX));
    assertThat(job.verdict()).isEqualTo(PeerVerdict.NO_DIALABLE_ADDRESS);
  }

  @Test
  void aDhtRecordListingManyPortsOfOneIpGetsAFewDialed() {
    List<Multiaddr> record = new ArrayList<>();
    for (int i = 0; i < PeerChecks.MAX_ADDRESSES_PER_IP + 2; i++) {
      record.add(address(20_000 + i));
    }
    HeldNetwork network =
        new HeldNetwork() {
          @Override
          public CompletableFuture<List<Multiaddr>> find(PeerId peer, BooleanSupplier stop) {
            return CompletableFuture.completedFuture(record);
          }
        };
    PeerCheckService service = service(network, settings(16, 4, 4, 4, 10));
    PeerCheckJob job = service.submit(new PeerCheckRequest(target.peerId(), List.of(), null), "a");

    Waiting.within(WAIT).until(() -> network.order.size() == PeerChecks.MAX_ADDRESSES_PER_IP);
    PeerCheckJob running = service.find(job.id()).orElseThrow();
    assertThat(running.addresses()).hasSize(record.size());
    assertThat(running.addresses().subList(PeerChecks.MAX_ADDRESSES_PER_IP, record.size()))
        .allSatisfy(a -> assertThat(a.skipped()).isEqualTo(PeerChecks.TOO_MANY_OF_ONE_IP));
    network.order.forEach(network::answer);
    assertThat(finished(service, job).results()).hasSize(PeerChecks.MAX_ADDRESSES_PER_IP);
  }

  @Test
  void aPeerTheDhtDoesNotKnowIsNotFoundAndADhtThatDoesNotAnswerFails() {
    PeerCheckService service =
        service(
            real(
                p ->
                    p.equals(target.peerId())
                        ? CompletableFuture.completedFuture(List.of())
                        : CompletableFuture.failedFuture(
                            new IllegalStateException("no DHT node answered"))),
            settings(4, 4, 4, 4, 10));

    PeerCheckJob notFound =
        finished(
            service, service.submit(new PeerCheckRequest(target.peerId(), List.of(), null), "a"));
    PeerCheckJob failed =
        finished(
            service, service.submit(new PeerCheckRequest(checking.peerId(), List.of(), null), "a"));

    assertThat(notFound.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(notFound.verdict()).isEqualTo(PeerVerdict.NOT_FOUND);
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.error()).startsWith("the DHT lookup failed").contains("no DHT node answered");
  }

  /** Dials the test answers by hand; records how many were in flight at most. */
  private static class HeldNetwork implements PeerCheckService.Network {
    final Map<Multiaddr, CompletableFuture<AddressOutcome>> dials = new ConcurrentHashMap<>();
    final List<Multiaddr> order = new CopyOnWriteArrayList<>();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger most = new AtomicInteger();

    @Override
    public CompletableFuture<List<Multiaddr>> find(PeerId peer, BooleanSupplier stop) {
      return new CompletableFuture<>();
    }

    @Override
    public CompletableFuture<List<Multiaddr>> resolve(Multiaddr address) {
      return CompletableFuture.completedFuture(List.of(address));
    }

    @Override
    public CompletableFuture<AddressOutcome> check(PeerId peer, Multiaddr address) {
      most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      order.add(address);
      CompletableFuture<AddressOutcome> dial = new CompletableFuture<>();
      dials.put(address, dial);
      return dial.whenComplete((outcome, error) -> inFlight.decrementAndGet());
    }

    void answer(Multiaddr address) {
      dials.get(address).complete(AddressOutcome.unreachable(address, "held"));
    }
  }

  private static Multiaddr address(int port) {
    return Multiaddr.fromString("/ip4/127.0.0.1/tcp/" + port);
  }

  @Test
  void dialsStayWithinTheirBoundAndChecksTakeTurns() {
    HeldNetwork network = new HeldNetwork();
    PeerCheckService service = service(network, settings(2, 4, 4, 4, 10));
    PeerId peer = target.peerId();
    PeerCheckJob a =
        service.submit(request(peer, address(1001), address(1002), address(1003)), "a");
    PeerCheckJob b = service.submit(request(checking.peerId(), address(2001), address(2002)), "b");

    Waiting.within(WAIT).until(() -> network.order.size() == 2);
    assertThat(network.order).containsExactly(address(1001), address(1002));
    assertThat(service.dialsInFlight()).isEqualTo(2);
    network.answer(address(1001));
    Waiting.within(WAIT).until(() -> network.order.size() == 3);
    network.answer(address(1002));
    Waiting.within(WAIT).until(() -> network.order.size() == 4);
    // b got a slot as soon as one was free, before a's third address
    assertThat(network.order.subList(2, 4)).contains(address(2001));
    for (Multiaddr held : List.copyOf(network.order)) {
      network.answer(held);
    }
    Waiting.within(WAIT).until(() -> network.order.size() == 5);
    network.answer(network.order.get(4));

    assertThat(finished(service, a).verdict()).isEqualTo(PeerVerdict.UNREACHABLE);
    assertThat(finished(service, b).results()).hasSize(2);
    assertThat(network.most.get()).isEqualTo(2);
    assertThat(service.dialsInFlight()).isZero();
  }

  @Test
  void aTimedOutCheckFailsWithWhatItHadAndItsDialKeepsItsSlotUntilItEnds() {
    HeldNetwork network = new HeldNetwork();
    PeerCheckService service = service(network, settings(1, 4, 4, 4, 10));
    PeerCheckJob job =
        service.submit(
            new PeerCheckRequest(
                target.peerId(),
                List.of(PeerAddress.dialed(address(1001), AddressSource.REQUEST, null)),
                Duration.ofMillis(300)),
            "a");

    PeerCheckJob failed = finished(service, job);
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.error()).isEqualTo("timed out after 0 s with 0 of 1 addresses dialed");
    assertThat(service.running()).isZero();
    assertThat(service.dialsInFlight()).isEqualTo(1); // the dial has not ended yet
    PeerCheckJob next = service.submit(request(checking.peerId(), address(2001)), "b");
    assertThat(network.order).doesNotContain(address(2001));

    network.answer(address(1001));
    Waiting.within(WAIT).until(() -> network.order.contains(address(2001)));
    network.answer(address(2001));
    assertThat(finished(service, next).state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(service.find(job.id()).orElseThrow().results())
        .isEmpty(); // the late answer is not kept
  }

  @Test
  void queuedAndRunningChecksCanBeCancelled() {
    HeldNetwork network = new HeldNetwork();
    PeerCheckService service = service(network, settings(4, 1, 4, 4, 10));
    PeerCheckJob running = service.submit(request(target.peerId(), address(1001)), "a");
    PeerCheckJob queued = service.submit(request(checking.peerId(), address(2001)), "a");
    assertThat(service.queued()).isOne();

    assertThat(service.cancel(queued.id()).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    assertThat(service.cancel(running.id()).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    assertThat(service.cancel(running.id()).orElseThrow().error())
        .isEqualTo(PeerCheckService.CANCELLED_BY_USER);
    assertThat(service.queued()).isZero();
    assertThat(service.running()).isZero();
    assertThat(network.order).containsExactly(address(1001));
  }

  @Test
  void aFullQueueATooBusyClientAndAnOverCheckedTargetAreTurnedAwayStoringNothing() {
    HeldNetwork network = new HeldNetwork();
    PeerCheckService service = service(network, settings(4, 1, 1, 2, 2));
    PeerId peer = target.peerId();
    service.submit(request(peer, address(1001)), "a"); // running
    service.submit(request(peer, address(1002)), "b"); // queued: the queue is full now
    int stored = store.size();

    assertThatExceptionOfType(io.reachability.job.JobRejectedException.class)
        .isThrownBy(() -> service.submit(request(checking.peerId(), address(2001)), "c"))
        .withMessageContaining("reach.peer-checks.queue-capacity");
    assertThat(store.size()).isEqualTo(stored);

    PeerCheckService roomy = service(network, settings(4, 4, 4, 1, 2));
    roomy.submit(request(checking.peerId(), address(3001)), "d");
    assertThatExceptionOfType(TooManyJobsException.class)
        .isThrownBy(() -> roomy.submit(request(checking.peerId(), address(3002)), "d"));

    // the target peer was checked twice by `service`; a third check through it is over its rate
    PeerCheckService limited = service(network, settings(4, 4, 4, 4, 1));
    limited.submit(request(peer, address(4001)), "e");
    int before = store.size();
    assertThatExceptionOfType(PeerCheckLimitedException.class)
        .isThrownBy(() -> limited.submit(request(peer, address(4002)), "f"))
        .withMessageContaining("per-target-per-minute")
        .satisfies(e -> assertThat(e.retryAfter()).isPositive());
    // so is another peer id at the same IP and port's IP
    assertThatExceptionOfType(PeerCheckLimitedException.class)
        .isThrownBy(() -> limited.submit(request(checking.peerId(), address(4001)), "f"));
    assertThat(store.size()).isEqualTo(before);
  }

  @Test
  void closingCancelsEveryUnfinishedCheck() {
    HeldNetwork network = new HeldNetwork();
    PeerCheckService service = service(network, settings(4, 1, 4, 4, 10));
    PeerCheckJob running = service.submit(request(target.peerId(), address(1001)), "a");
    PeerCheckJob queued = service.submit(request(checking.peerId(), address(2001)), "b");

    service.close();

    for (PeerCheckJob job : List.of(running, queued)) {
      PeerCheckJob after = service.find(job.id()).orElseThrow();
      assertThat(after.state()).isEqualTo(JobState.CANCELLED);
      assertThat(after.error()).isEqualTo(PeerCheckService.CANCELLED_BY_SHUTDOWN);
    }
    assertThatExceptionOfType(io.reachability.job.JobRejectedException.class)
        .isThrownBy(() -> service.submit(request(target.peerId(), address(1)), "a"));
  }
}
