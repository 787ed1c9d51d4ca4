package io.reachability.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reachability.autonat.CheckOptions;
import io.reachability.autonat.CheckResult;
import io.reachability.autonat.DialStatus;
import io.reachability.autonat.Reachability;
import io.reachability.autonat.ResponseStatus;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.pool.ServerPool;
import io.reachability.testing.MutableClock;
import io.reachability.testing.Waiting;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The job service with scripted servers (no network): confirmations and replacement, verdicts,
 * candidates and warnings, the full queue, cancellation, timeouts and shutdown.
 */
class JobServiceTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(15);

  /** How long nothing may happen when a test checks that something does not. */
  private static final Duration QUIET = Duration.ofMillis(50);

  private static final CheckOptions OPTIONS = new CheckOptions(100_000, CHECK_TIMEOUT);
  private static final Multiaddr LISTEN = Multiaddr.fromString("/ip4/127.0.0.1/tcp/4001");
  private static final Multiaddr ANNOUNCED = Multiaddr.fromString("/ip4/203.0.113.7/tcp/14001");
  private static final NodeAddresses NODE = new NodeAddresses(List.of(LISTEN), List.of(ANNOUNCED));

  /** What a scripted server answers. */
  enum Script {
    REACHABLE,
    UNREACHABLE,
    REFUSED,
    THROWS,
    /** never answers (until the test completes the future) */
    SILENT
  }

  private final MutableClock clock = new MutableClock();
  private final Map<Multiaddr, Script> scripts = new ConcurrentHashMap<>();
  private final List<Multiaddr> asked = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<CheckResult>> silent = new CopyOnWriteArrayList<>();
  private final List<JobService> services = new ArrayList<>();

  private final AddressChecker checker =
      (server, address, options) -> {
        asked.add(server);
        Script script = scripts.get(server);
        return switch (script) {
          case REACHABLE ->
              CompletableFuture.completedFuture(
                  result(
                      server, address, Reachability.REACHABLE, ResponseStatus.OK, DialStatus.OK));
          case UNREACHABLE ->
              CompletableFuture.completedFuture(
                  result(
                      server,
                      address,
                      Reachability.UNREACHABLE,
                      ResponseStatus.OK,
                      DialStatus.E_DIAL_ERROR));
          case REFUSED ->
              CompletableFuture.completedFuture(
                  result(
                      server, address, Reachability.UNKNOWN, ResponseStatus.E_DIAL_REFUSED, null));
          case THROWS -> throw new IllegalStateException("client is closed");
          case SILENT -> {
            CompletableFuture<CheckResult> never = new CompletableFuture<>();
            silent.add(never);
            yield never;
          }
        };
      };

  @AfterEach
  void closeServices() {
    // whatever still waits ends now, so closing drains at once
    scripts.replaceAll((server, script) -> Script.REFUSED);
    silent.forEach(f -> f.cancel(false));
    services.forEach(JobService::close);
  }

  private static CheckResult result(
      Multiaddr server,
      Multiaddr address,
      Reachability reachability,
      ResponseStatus status,
      DialStatus dial) {
    boolean verified = reachability == Reachability.REACHABLE;
    return new CheckResult(
        server.peerId().orElseThrow(),
        server,
        0,
        address,
        status,
        dial,
        reachability,
        "scripted " + reachability,
        verified,
        verified ? LISTEN : null,
        0,
        Duration.ofMillis(1));
  }

  private List<Multiaddr> servers(Script... answers) {
    List<Multiaddr> result = new ArrayList<>();
    for (int i = 0; i < answers.length; i++) {
      PeerId peer = PeerId.fromPublicKey(Keys.generateEd25519().publicKey());
      Multiaddr server = Multiaddr.fromString("/ip4/127.0.0.1/tcp/" + (5000 + i)).withPeerId(peer);
      scripts.put(server, answers[i]);
      result.add(server);
    }
    return result;
  }

  private JobService service(ServerPool pool, JobSettings settings) {
    JobService service =
        new JobService(
            new InMemoryJobStore(clock, Duration.ofHours(1), 1000),
            checker,
            pool,
            () -> NODE,
            settings,
            OPTIONS,
            clock);
    services.add(service);
    return service;
  }

  private JobService service(Script... answers) {
    return service(ServerPool.of(servers(answers), null), JobSettings.of(2, 10));
  }

  private static CheckJob await(JobService service, UUID id, Predicate<CheckJob> condition)
      throws InterruptedException {
    return Waiting.within(WAIT)
        .alias("job " + id)
        .until(() -> service.find(id).orElseThrow(), condition::test);
  }

  private static CheckJob finished(JobService service, CheckJob job) throws InterruptedException {
    return await(service, job.id(), CheckJob::isFinished);
  }

  private void awaitAsked(int count) throws InterruptedException {
    awaitSize(asked, count);
  }

  @Test
  void threeServersAgreeReachable() throws Exception {
    JobService service =
        service(Script.REACHABLE, Script.REACHABLE, Script.REACHABLE, Script.REACHABLE);
    CheckJob job = finished(service, service.submit(CheckRequest.of(List.of(LISTEN))));

    assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(job.startedAt()).isNotNull();
    assertThat(job.finishedAt()).isNotNull();
    AddressResult result = job.results().get(0);
    assertThat(result.verdict()).isEqualTo(Reachability.REACHABLE);
    assertThat(result.warnings()).isEmpty();
    // the default of three confirmations, from three distinct servers, one of the four not asked
    assertThat(result.attempts()).hasSize(3).allMatch(Attempt::nonceVerified);
    assertThat(result.attempts().stream().map(Attempt::server).distinct()).hasSize(3);
  }

  @Test
  void unreachableByTheMajority() throws Exception {
    JobService service = service(Script.UNREACHABLE, Script.UNREACHABLE, Script.REACHABLE);
    CheckJob job = finished(service, service.submit(CheckRequest.of(List.of(LISTEN))));
    assertThat(job.results().get(0).verdict()).isEqualTo(Reachability.UNREACHABLE);
  }

  @Test
  void refusingAndFailingServersAreReplacedUntilThePoolRunsOut() throws Exception {
    // three confirmations wanted, two servers can give one: whatever the order, all four are asked
    JobService service = service(Script.REFUSED, Script.THROWS, Script.REACHABLE, Script.REACHABLE);
    CheckJob job = finished(service, service.submit(CheckRequest.of(List.of(LISTEN))));
    AddressResult result = job.results().get(0);
    assertThat(result.verdict()).isEqualTo(Reachability.REACHABLE);
    assertThat(result.attempts()).hasSize(4);
    assertThat(result.attempts().stream().map(Attempt::server).distinct()).hasSize(4);
    assertThat(result.attempts())
        .filteredOn(a -> a.reachability() == Reachability.REACHABLE)
        .hasSize(2);
    assertThat(result.attempts())
        .filteredOn(a -> a.error() != null)
        .extracting(Attempt::error)
        .containsExactlyInAnyOrder("scripted UNKNOWN", "client is closed");

    scripts.clear();
    asked.clear();
    JobService exhausted = service(Script.REFUSED, Script.REFUSED, Script.REACHABLE);
    AddressResult one =
        finished(exhausted, exhausted.submit(CheckRequest.of(List.of(LISTEN)))).results().get(0);
    assertThat(one.verdict())
        .as("one success of three wanted decides nothing")
        .isEqualTo(Reachability.UNKNOWN);
    assertThat(one.attempts()).hasSize(3);
  }

  @Test
  void noServerIsAskedOnceTheConfirmationsAreIn() throws Exception {
    JobService service =
        service(
            Script.REFUSED, Script.REACHABLE, Script.REACHABLE, Script.REACHABLE, Script.REACHABLE);
    for (int i = 0; i < 10; i++) {
      asked.clear();
      AddressResult result =
          finished(service, service.submit(CheckRequest.of(List.of(LISTEN)))).results().get(0);
      long refusals = result.attempts().stream().filter(a -> a.error() != null).count();
      assertThat(result.verdict()).isEqualTo(Reachability.REACHABLE);
      assertThat(result.attempts()).hasSize(3 + (int) refusals);
      assertThat(asked).hasSize(result.attempts().size());
    }
  }

  @Test
  void confirmationsAreCappedAtThePoolSize() throws Exception {
    JobService service = service(Script.REACHABLE);
    CheckJob job = finished(service, service.submit(CheckRequest.of(List.of(LISTEN))));
    assertThat(job.results().get(0).verdict()).isEqualTo(Reachability.REACHABLE);

    JobService two = service(Script.REACHABLE, Script.REACHABLE, Script.REACHABLE);
    CheckJob oneConfirmation =
        finished(two, two.submit(CheckRequest.of(List.of(LISTEN)).withConfirmations(1)));
    assertThat(oneConfirmation.results().get(0).attempts()).hasSize(1);
  }

  @Test
  void noAddressesMeansTheCandidatesWithWarningsForPortsNotListenedOn() throws Exception {
    JobService service = service(Script.REACHABLE, Script.REACHABLE, Script.REACHABLE);
    CheckJob job = finished(service, service.submit(CheckRequest.defaults()));
    assertThat(job.results()).extracting(AddressResult::address).containsExactly(LISTEN, ANNOUNCED);
    assertThat(job.results()).allMatch(r -> r.warnings().isEmpty());

    Multiaddr closed = Multiaddr.fromString("/ip4/127.0.0.1/tcp/9");
    CheckJob other = finished(service, service.submit(CheckRequest.of(List.of(closed))));
    assertThat(other.results().get(0).warnings())
        .containsExactly("the node does not listen on tcp/9; a dial-back cannot succeed");
  }

  @Test
  void requestedServersInsteadOfThePool() throws Exception {
    List<Multiaddr> own = servers(Script.UNREACHABLE, Script.UNREACHABLE);
    JobService service = service(Script.REACHABLE, Script.REACHABLE, Script.REACHABLE);
    CheckJob job =
        finished(service, service.submit(CheckRequest.of(List.of(LISTEN)).withServers(own)));
    assertThat(job.results().get(0).verdict()).isEqualTo(Reachability.UNREACHABLE);
    assertThat(asked).containsExactlyInAnyOrderElementsOf(own);
  }

  @Test
  void anEmptyPoolFailsTheJob() throws Exception {
    JobService service = service(ServerPool.of(List.of(), null), JobSettings.of(1, 1));
    CheckJob job = finished(service, service.submit(CheckRequest.of(List.of(LISTEN))));
    assertThat(job.state()).isEqualTo(JobState.FAILED);
    assertThat(job.error()).contains("server pool is empty");
  }

  @Test
  void poolCountersFollowTheResults() throws Exception {
    List<Multiaddr> servers = servers(Script.REACHABLE, Script.REFUSED);
    ServerPool pool = ServerPool.of(servers, null);
    JobService service = service(pool, JobSettings.of(1, 10));
    finished(service, service.submit(CheckRequest.of(List.of(LISTEN))));
    var reachable = pool.find(servers.get(0).peerId().orElseThrow()).orElseThrow().counters();
    var refused = pool.find(servers.get(1).peerId().orElseThrow()).orElseThrow().counters();
    assertThat(reachable.byReachability()).containsEntry(Reachability.REACHABLE, 1L);
    assertThat(refused.byResponseStatus()).containsEntry(ResponseStatus.E_DIAL_REFUSED, 1L);
  }

  @Test
  void aFullQueueTurnsSubmissionsAwayAndStoresNothing() throws Exception {
    JobService service = service(ServerPool.of(servers(Script.SILENT), null), JobSettings.of(1, 1));
    CheckJob running = service.submit(CheckRequest.of(List.of(LISTEN)));
    await(service, running.id(), j -> j.state() == JobState.RUNNING);
    CheckJob queued = service.submit(CheckRequest.of(List.of(LISTEN)));

    assertThatThrownBy(() -> service.submit(CheckRequest.of(List.of(LISTEN))))
        .isInstanceOf(QueueFullException.class)
        .satisfies(
            e ->
                assertThat(((QueueFullException) e).retryAfter())
                    .isEqualTo(JobSettings.RETRY_AFTER));
    assertThat(service.list(null, 0, 10).items())
        .extracting(CheckJob::id)
        .containsExactly(queued.id(), running.id());
    assertThat(service.queued()).isEqualTo(1);

    // cancelling the queued job makes room at once
    service.cancel(queued.id());
    CheckJob next = service.submit(CheckRequest.of(List.of(LISTEN)));
    assertThat(next.state()).isEqualTo(JobState.QUEUED);
  }

  /** A submission turned away leaves the store as it was: it does not push a finished job out. */
  @Test
  void aTurnedAwaySubmissionEvictsNothing() throws Exception {
    InMemoryJobStore store = new InMemoryJobStore(clock, Duration.ofHours(1), 3);
    JobService service =
        new JobService(
            store,
            checker,
            ServerPool.of(servers(Script.SILENT), null),
            () -> NODE,
            JobSettings.of(1, 1),
            OPTIONS,
            clock);
    services.add(service);
    CheckJob done =
        finished(
            service,
            service.submit(
                CheckRequest.of(List.of(LISTEN)).withServers(servers(Script.REACHABLE))));
    CheckJob running = service.submit(CheckRequest.of(List.of(LISTEN)));
    await(service, running.id(), j -> j.state() == JobState.RUNNING);
    CheckJob queued = service.submit(CheckRequest.of(List.of(LISTEN)));
    assertThat(store.size()).isEqualTo(3); // full: one finished, one running, one queued

    assertThatThrownBy(() -> service.submit(CheckRequest.of(List.of(LISTEN))))
        .isInstanceOf(QueueFullException.class);

    assertThat(service.find(done.id())).as("the finished job is still readable").isPresent();
    assertThat(service.list(null, 0, 10).items())
        .extracting(CheckJob::id)
        .containsExactly(queued.id(), running.id(), done.id());
  }

  @Test
  void cancellingAQueuedJobMeansItNeverRuns() throws Exception {
    JobService service =
        service(ServerPool.of(servers(Script.SILENT), null), JobSettings.of(1, 10));
    CheckJob running = service.submit(CheckRequest.of(List.of(LISTEN)));
    CheckJob queued = service.submit(CheckRequest.of(List.of(LISTEN)));
    awaitAsked(1);

    CheckJob cancelled = service.cancel(queued.id()).orElseThrow();
    assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
    assertThat(cancelled.startedAt()).isNull();
    assertThat(cancelled.finishedAt()).isNotNull();

    service.cancel(running.id());
    // only the first job's one server, all along; the cancelled job asks nobody
    Waiting.within(WAIT).during(QUIET).untilAsserted(() -> assertThat(asked).hasSize(1));
    assertThat(service.running()).isZero();
    assertThat(service.queued()).isZero();
    assertThat(service.find(queued.id()).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
  }

  @Test
  void cancellingARunningJobStopsItsWorker() throws Exception {
    List<Multiaddr> servers = servers(Script.SILENT);
    JobService service = service(ServerPool.of(servers, null), JobSettings.of(1, 10));
    CheckJob running = service.submit(CheckRequest.of(List.of(LISTEN)));
    awaitAsked(1);

    CheckJob cancelled = service.cancel(running.id()).orElseThrow();
    assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
    assertThat(cancelled.error()).isEqualTo(JobService.CANCELLED_BY_USER);

    // the single worker is free again: the next job runs (and is answered)
    scripts.put(servers.get(0), Script.REACHABLE);
    CheckJob next = finished(service, service.submit(CheckRequest.of(List.of(LISTEN))));
    assertThat(next.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(service.find(running.id()).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    // cancelling a finished job changes nothing
    assertThat(service.cancel(next.id()).orElseThrow()).isEqualTo(next);
    assertThat(service.cancel(UUID.randomUUID())).isEmpty();
  }

  @Test
  void aJobTimesOutWithTheEvidenceItHas() throws Exception {
    JobService service = service(Script.SILENT, Script.SILENT);
    CheckJob job =
        finished(
            service,
            service.submit(
                CheckRequest.of(List.of(LISTEN, ANNOUNCED)).withTimeout(Duration.ofMillis(200))));
    assertThat(job.state()).isEqualTo(JobState.FAILED);
    assertThat(job.error()).startsWith("timed out after").endsWith("with 1 of 2 addresses checked");
    AddressResult result = job.results().get(0);
    assertThat(result.verdict()).isEqualTo(Reachability.UNKNOWN);
    assertThat(result.attempts())
        .hasSize(2)
        .allMatch(a -> JobService.NO_ANSWER_IN_TIME.equals(a.error()));
  }

  @Test
  void shutdownDrainsWhatItCan() throws Exception {
    List<Multiaddr> servers = servers(Script.SILENT);
    JobService service =
        service(
            ServerPool.of(servers, null),
            JobSettings.of(1, 10).toBuilder().shutdownGrace(WAIT).build());
    List<CheckJob> jobs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      jobs.add(service.submit(CheckRequest.of(List.of(LISTEN))));
    }
    awaitAsked(1);
    // from now on the server answers, and the job waiting for it gets its answer
    scripts.put(servers.get(0), Script.REACHABLE);
    silent.forEach(
        f ->
            f.complete(
                result(
                    servers.get(0),
                    LISTEN,
                    Reachability.REACHABLE,
                    ResponseStatus.OK,
                    DialStatus.OK)));

    service.close();

    for (CheckJob job : jobs) {
      assertThat(service.find(job.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    }
    assertThatThrownBy(() -> service.submit(CheckRequest.of(List.of(LISTEN))))
        .isInstanceOf(JobRejectedException.class)
        .hasMessageContaining("shutting down");
  }

  @Test
  void shutdownCancelsWhatCannotFinishInTheGracePeriod() throws Exception {
    JobService service =
        service(
            ServerPool.of(servers(Script.SILENT), null),
            JobSettings.of(1, 10).toBuilder().shutdownGrace(Duration.ofMillis(100)).build());
    List<CheckJob> jobs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      jobs.add(service.submit(CheckRequest.of(List.of(LISTEN))));
    }
    awaitAsked(1);

    service.close();

    for (CheckJob job : jobs) {
      CheckJob after = service.find(job.id()).orElseThrow();
      assertThat(after.state()).isEqualTo(JobState.CANCELLED);
      assertThat(after.error()).isEqualTo(JobService.CANCELLED_BY_SHUTDOWN);
    }
    assertThat(service.list(JobState.CANCELLED, 0, 10).total()).isEqualTo(3);
  }

  @Test
  void manyJobsAllEnd() throws Exception {
    JobService service =
        service(
            ServerPool.of(
                servers(Script.REACHABLE, Script.UNREACHABLE, Script.REFUSED, Script.REACHABLE),
                null),
            JobSettings.of(4, 100));
    List<CheckJob> jobs = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      jobs.add(service.submit(CheckRequest.of(List.of(LISTEN))));
    }
    AtomicInteger succeeded = new AtomicInteger();
    for (CheckJob job : jobs) {
      if (finished(service, job).state() == JobState.SUCCEEDED) {
        succeeded.incrementAndGet();
      }
    }
    assertThat(succeeded).hasValue(100);
  }

  /** No job holds a thread: 200 jobs waiting on a silent server all wait at once, none queued. */
  @Test
  void twoHundredJobsAgainstASilentServerAllRunAtOnce() throws Exception {
    JobService service =
        service(
            ServerPool.of(servers(Script.SILENT), null),
            JobSettings.of(256, 1000).toBuilder().shutdownGrace(Duration.ZERO).build());
    int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
    for (int i = 0; i < 200; i++) {
      service.submit(CheckRequest.of(List.of(LISTEN)).withTimeout(Duration.ofMinutes(5)));
    }
    awaitAsked(200);
    assertThat(service.running()).isEqualTo(200);
    // the job service's one scheduler thread, give or take a pool thread started meanwhile
    assertThat(ManagementFactory.getThreadMXBean().getThreadCount() - threadsBefore).isLessThan(10);
    assertThat(service.queued()).isZero();
    assertThat(service.checksInFlight()).isEqualTo(200);
  }

  /** ... and each ends at its own timeout, not one after the other. */
  @Test
  void jobsWaitingOnASilentServerAllEndAtTheirTimeout() throws Exception {
    JobService service =
        service(ServerPool.of(servers(Script.SILENT), null), JobSettings.of(256, 1000));
    List<CheckJob> jobs = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      jobs.add(service.submit(CheckRequest.of(List.of(LISTEN)).withTimeout(Duration.ofSeconds(1))));
    }
    for (CheckJob job : jobs) {
      CheckJob done = finished(service, job);
      assertThat(done.state()).isEqualTo(JobState.FAILED);
      assertThat(done.error()).isEqualTo("timed out after 1 s with 1 of 1 addresses checked");
      assertThat(done.results().get(0).attempts())
          .singleElement()
          .extracting(Attempt::error)
          .isEqualTo(JobService.NO_ANSWER_IN_TIME);
    }
    assertThat(service.checksInFlight()).isZero();
    assertThat(silent).hasSize(200).allMatch(CompletableFuture::isCancelled);
  }

  /**
   * With every check slot taken, the next free one goes to the job whose turn it is, one check
   * each: a request with many addresses cannot starve another one.
   */
  @Test
  void checkSlotsGoToJobsInTurn() throws Exception {
    Multiaddr server = servers(Script.REACHABLE).get(0);
    List<String> order = new CopyOnWriteArrayList<>();
    List<CompletableFuture<CheckResult>> pending = new CopyOnWriteArrayList<>();
    AddressChecker gated =
        (s, address, options) -> {
          order.add(address.toString());
          CompletableFuture<CheckResult> answer = new CompletableFuture<>();
          pending.add(answer);
          return answer.thenApply(
              ignored ->
                  result(s, address, Reachability.REACHABLE, ResponseStatus.OK, DialStatus.OK));
        };
    JobService service =
        new JobService(
            new InMemoryJobStore(clock, Duration.ofHours(1), 100),
            gated,
            ServerPool.of(List.of(server), null),
            () -> NODE,
            new JobSettings.Builder().maxChecksInFlight(1).shutdownGrace(Duration.ZERO).build(),
            OPTIONS,
            clock);
    services.add(service);
    List<Multiaddr> many = new ArrayList<>();
    for (int port = 1; port <= 5; port++) {
      many.add(Multiaddr.fromString("/ip4/127.0.0.1/tcp/" + port));
    }
    CheckJob big = service.submit(CheckRequest.of(many));
    awaitSize(order, 1);
    CheckJob small = service.submit(CheckRequest.of(List.of(LISTEN)));
    pending.get(0).complete(null); // the big job's first address is decided: the slot is free
    awaitSize(order, 2);
    assertThat(order).containsExactly("/ip4/127.0.0.1/tcp/1", LISTEN.toString());
    pending.get(1).complete(null);
    assertThat(finished(service, small).state()).isEqualTo(JobState.SUCCEEDED);
    for (int i = 2; i <= 5; i++) {
      awaitSize(order, i + 1);
      pending.get(i).complete(null);
    }
    assertThat(finished(service, big).results()).hasSize(5);
  }

  /** Waiting jobs start one client at a time: one client's burst waits behind its own jobs. */
  @Test
  void waitingJobsStartOneOwnerAtATime() throws Exception {
    List<Multiaddr> servers = servers(Script.SILENT);
    JobService service =
        service(
            ServerPool.of(servers, null),
            JobSettings.of(1, 10).toBuilder().shutdownGrace(Duration.ZERO).build());
    CheckJob first = service.submit(CheckRequest.of(List.of(LISTEN)), "burst");
    List<CheckJob> burst = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      burst.add(service.submit(CheckRequest.of(List.of(LISTEN)), "burst"));
    }
    CheckJob other = service.submit(CheckRequest.of(List.of(LISTEN)), "other");
    awaitAsked(1);
    service.cancel(first.id());
    awaitAsked(2);
    assertThat(service.find(other.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
    assertThat(burst).allMatch(j -> service.find(j.id()).orElseThrow().state() == JobState.QUEUED);
  }

  /** One client's unfinished jobs are bounded; others can still submit. */
  @Test
  void oneOwnerCannotHaveMoreThanItsShareOfUnfinishedJobs() throws Exception {
    JobService service =
        service(
            ServerPool.of(servers(Script.SILENT), null),
            JobSettings.of(1, 10).toBuilder()
                .maxUnfinishedPerClient(2)
                .shutdownGrace(Duration.ZERO)
                .build());
    CheckJob running = service.submit(CheckRequest.of(List.of(LISTEN)), "greedy");
    service.submit(CheckRequest.of(List.of(LISTEN)), "greedy");
    assertThatThrownBy(() -> service.submit(CheckRequest.of(List.of(LISTEN)), "greedy"))
        .isInstanceOf(TooManyJobsException.class)
        .hasMessageContaining("2 unfinished jobs")
        .satisfies(
            e ->
                assertThat(((TooManyJobsException) e).retryAfter())
                    .isEqualTo(JobSettings.RETRY_AFTER));
    assertThat(service.list(null, "greedy", 0, 10).total()).isEqualTo(2);
    assertThat(service.submit(CheckRequest.of(List.of(LISTEN)), "modest").state())
        .isEqualTo(JobState.QUEUED);

    service.cancel(running.id()); // a finished job no longer counts
    assertThat(service.submit(CheckRequest.of(List.of(LISTEN)), "greedy")).isNotNull();
  }

  private static void awaitSize(List<?> list, int size) throws InterruptedException {
    Waiting.within(WAIT).alias("list of " + size).until(() -> list.size() >= size);
  }

  /** How reaching a server failed would say what is at its address: only the stage is shown. */
  @Test
  void attemptErrorsSayWhatFailedNotWhatIsThere() throws Exception {
    Multiaddr server = servers(Script.REACHABLE).get(0);
    AddressChecker failing =
        (s, address, options) ->
            CompletableFuture.completedFuture(
                new CheckResult(
                    s.peerId().orElseThrow(),
                    s,
                    0,
                    address,
                    null,
                    null,
                    Reachability.UNKNOWN,
                    "cannot connect to the server: Connection refused: /127.0.0.1:5000",
                    false,
                    null,
                    0,
                    Duration.ofMillis(1)));
    JobService service =
        new JobService(
            new InMemoryJobStore(clock, Duration.ofHours(1), 10),
            failing,
            ServerPool.of(List.of(server), null),
            () -> NODE,
            JobSettings.of(1, 1),
            OPTIONS,
            clock);
    services.add(service);
    CheckJob job = finished(service, service.submit(CheckRequest.of(List.of(LISTEN))));
    assertThat(job.results().get(0).attempts())
        .singleElement()
        .extracting(Attempt::error)
        .isEqualTo("cannot connect to the server");
    assertThat(
            AttemptErrors.forCaller(
                "cannot open a /libp2p/autonat/2/dial-request stream: protocol negotiation failed:"
                    + " garbage"))
        .isEqualTo("cannot open a /libp2p/autonat/2/dial-request stream");
    assertThat(AttemptErrors.forCaller("cannot send the request: connection reset"))
        .isEqualTo("cannot send the request");
    assertThat(AttemptErrors.forCaller("timed out after 15 s")).isEqualTo("timed out after 15 s");
    assertThat(AttemptErrors.forCaller(null)).isNull();
  }
}
