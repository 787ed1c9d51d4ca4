package io.reachability.peercheck;

import io.reachability.access.KeyedRateLimiter;
import io.reachability.autonat.AddressClass;
import io.reachability.job.ClientTurns;
import io.reachability.job.JobPage;
import io.reachability.job.JobRejectedException;
import io.reachability.job.JobState;
import io.reachability.job.JobStore;
import io.reachability.job.TooManyJobsException;
import io.reachability.libp2p.core.Errors;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs peer checks as jobs, stored in the {@link JobStore} check jobs use (same retention): a peer
 * given by id is looked up in the DHT first, then every address is dialed on its own ({@link
 * Network#check}). No check holds a thread: a running check is its state, its dials in flight and
 * one timer.
 *
 * <p>Bounds: at most {@link PeerCheckSettings#maxRunning()} checks run, the rest wait with clients
 * taking turns ({@link ClientTurns}); at most {@link PeerCheckSettings#maxConcurrentDials()} dials
 * are in flight over all checks, handed out one per check in turn; a dial keeps its slot until it
 * has really ended, even when its check ended before. Targets are counted per peer id and per IP
 * (an IPv6 /64) against {@link PeerCheckSettings#perTargetPerMinute()}: named ones at submission (a
 * 429 there), ones found in the DHT when found (skipped, with the reason, when over).
 */
public final class PeerCheckService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PeerCheckService.class);

  /** Name of the thread that fires the timeouts. */
  public static final String THREAD_NAME = "peer-checks";

  static final String CANCELLED_BY_USER = "cancelled";
  static final String CANCELLED_BY_SHUTDOWN =
      "the service shut down before the peer check finished";

  /** What a peer check needs from the network ({@link PeerChecker} and the host's resolver). */
  public interface Network {
    /**
     * The peer's addresses in the DHT (empty = not found; failed = the DHT did not answer), dialing
     * no further DHT node once {@code stop} says so.
     */
    CompletableFuture<List<Multiaddr>> find(PeerId peer, BooleanSupplier stop);

    /** What a DNS address resolves to. */
    CompletableFuture<List<Multiaddr>> resolve(Multiaddr address);

    /** One address dialed on its own; never fails. */
    CompletableFuture<AddressOutcome> check(PeerId peer, Multiaddr address);
  }

  private final JobStore store;
  private final Network network;
  private final TargetRules rules;
  private final PeerCheckSettings settings;
  private final KeyedRateLimiter targets;
  private final Clock clock;

  /** Timers, and every callback of the network: no lock is taken on a Netty event loop. */
  private final ScheduledThreadPoolExecutor timers;

  private final List<Consumer<PeerCheckJob>> finishedListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<AddressOutcome>> dialListeners = new CopyOnWriteArrayList<>();

  /** Guards everything below; never held while calling out (network, listeners). */
  private final Object lock = new Object();

  private final ClientTurns turns = new ClientTurns();
  private final Map<UUID, Run> running = new LinkedHashMap<>();

  /** Running checks with addresses waiting for a dial slot, in the order they get one. */
  private final Deque<Run> wantDials = new ArrayDeque<>();

  private int dialsInFlight;

  /** Dials in flight per client, so that slots go to clients in turn, not to checks. */
  private final Map<String, Integer> ownerDials = new HashMap<>();

  private boolean closed;

  /**
   * @param targets the per-target rate ({@link PeerCheckSettings#perTargetPerMinute()}), keyed by
   *     peer id and by IP
   */
  public PeerCheckService(
      JobStore store,
      Network network,
      TargetRules rules,
      PeerCheckSettings settings,
      KeyedRateLimiter targets,
      Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.network = Objects.requireNonNull(network, "network");
    this.rules = Objects.requireNonNull(rules, "rules");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.targets = Objects.requireNonNull(targets, "targets");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.timers =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, THREAD_NAME);
              thread.setDaemon(true); // close() ends every check
              return thread;
            });
    timers.setRemoveOnCancelPolicy(true); // a finished check's timer does not wait out its delay
  }

  public PeerCheckSettings settings() {
    return settings;
  }

  /** Hears every peer check that reaches a terminal state (never with a lock held). */
  public void addFinishedListener(Consumer<PeerCheckJob> listener) {
    finishedListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Hears every address dialed (never with a lock held). */
  public void addDialListener(Consumer<AddressOutcome> listener) {
    dialListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Accepts a peer check for {@code owner}: stored QUEUED, or RUNNING at once when there is room.
   *
   * @throws TooManyJobsException when {@code owner} has {@code max-unfinished-per-client} already
   * @throws JobRejectedException when {@code queue-capacity} checks are already waiting, or the
   *     service is shutting down
   * @throws PeerCheckLimitedException when the peer, or an IP it names, was checked too often
   */
  public PeerCheckJob submit(PeerCheckRequest request, String owner) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(owner, "owner");
    Effects effects = new Effects();
    PeerCheckJob job;
    synchronized (lock) {
      if (closed) {
        throw new JobRejectedException("the service is shutting down", PeerChecks.RETRY_AFTER);
      }
      boolean roomNow = turns.waiting() == 0 && running.size() < settings.maxRunning();
      if (!roomNow && turns.waiting() >= settings.queueCapacity()) {
        throw new JobRejectedException(
            "the peer-check queue is full ("
                + settings.queueCapacity()
                + " waiting, reach.peer-checks.queue-capacity); try again later",
            PeerChecks.RETRY_AFTER);
      }
      if (turns.unfinished(owner) >= settings.maxUnfinishedPerClient()) {
        throw new TooManyJobsException(
            "you have "
                + settings.maxUnfinishedPerClient()
                + " unfinished peer checks, the most one client may have"
                + " (reach.peer-checks.max-unfinished-per-client); wait for one to finish",
            PeerChecks.RETRY_AFTER);
      }
      // the last check: a target's budget is spent only on a check that is then accepted
      Set<String> keys = new LinkedHashSet<>();
      keys.add(TargetRules.peerKey(request.peer()));
      request.addresses().forEach(a -> ipKey(a.address()).ifPresent(keys::add));
      Optional<Duration> wait = targets.tryAcquireAll(keys);
      if (wait.isPresent()) {
        throw new PeerCheckLimitedException(
            "peer "
                + request.peer()
                + " or an IP it names was checked "
                + settings.perTargetPerMinute()
                + " times in the last minute, the most reach.peer-checks.per-target-per-minute"
                + " allows; try again later",
            wait.get());
      }
      job = PeerCheckJob.queued(UUID.randomUUID(), owner, request, clock.instant());
      store.save(job);
      turns.enqueue(owner, job.id());
      admit(effects);
    }
    effects.run();
    return find(job.id()).orElse(job); // RUNNING already when there was room
  }

  public Optional<PeerCheckJob> find(UUID id) {
    return store.find(id, PeerCheckJob.class);
  }

  /** Peer checks newest first; only {@code owner}'s (null = everyone's), only in {@code state}. */
  public JobPage<PeerCheckJob> list(
      @Nullable JobState state, @Nullable String owner, int page, int size) {
    return store.list(PeerCheckJob.class, state, owner, page, size);
  }

  /**
   * Cancels a queued or running peer check (its dials in flight end on their own bounds); a
   * finished one is returned as it is.
   */
  public Optional<PeerCheckJob> cancel(UUID id) {
    Effects effects = new Effects();
    Optional<PeerCheckJob> job;
    synchronized (lock) {
      Run run = running.get(id);
      if (run != null) {
        endRun(run, JobState.CANCELLED, CANCELLED_BY_USER, effects);
        job = find(id);
      } else {
        job = finishInStore(id, JobState.CANCELLED, CANCELLED_BY_USER, effects);
        job.ifPresent(
            j -> {
              if (turns.withdraw(j.owner(), j.id())) {
                turns.finished(j.owner());
              }
            });
      }
    }
    effects.run();
    return job;
  }

  /** Peer checks waiting to run. */
  public int queued() {
    synchronized (lock) {
      return turns.waiting();
    }
  }

  /** Peer checks running now. */
  public int running() {
    synchronized (lock) {
      return running.size();
    }
  }

  /** Dials in flight now, over all peer checks. */
  public int dialsInFlight() {
    synchronized (lock) {
      return dialsInFlight;
    }
  }

  /** Stops accepting checks and cancels every unfinished one. */
  @Override
  public void close() {
    Effects effects = new Effects();
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      for (Run run : List.copyOf(running.values())) {
        endRun(run, JobState.CANCELLED, CANCELLED_BY_SHUTDOWN, effects);
      }
      for (UUID id : turns.clear()) {
        finishInStore(id, JobState.CANCELLED, CANCELLED_BY_SHUTDOWN, effects);
      }
    }
    effects.run();
    timers.shutdownNow();
  }

  // ---- bookkeeping (with the lock held) -------------------------------------------------------

  private void admit(Effects effects) {
    while (!closed && turns.waiting() > 0 && running.size() < settings.maxRunning()) {
      ClientTurns.Turn turn = turns.next();
      start(turn.job(), turn.client(), effects);
    }
  }

  private void start(UUID id, String owner, Effects effects) {
    Optional<PeerCheckJob> started =
        store.update(
            id,
            PeerCheckJob.class,
            j -> j.state() == JobState.QUEUED ? j.started(clock.instant()) : j);
    if (started.isEmpty() || started.get().state() != JobState.RUNNING) {
      turns.finished(owner); // cancelled or gone meanwhile
      return;
    }
    PeerCheckJob job = started.get();
    Duration timeout =
        job.request().timeout() != null ? job.request().timeout() : settings.defaultTimeout();
    Run run = new Run(job, Objects.requireNonNull(timeout));
    running.put(id, run);
    try {
      run.timer = timers.schedule(() -> timedOut(run), timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      endRun(run, JobState.CANCELLED, CANCELLED_BY_SHUTDOWN, effects);
      return;
    }
    if (!job.lookedUp()) {
      plan(run, job.request().addresses(), effects);
    } else {
      effects.calls.add(() -> lookUp(run));
    }
  }

  /** Takes {@code addresses} as the ones to dial (skipped ones stay listed) and asks for slots. */
  private void plan(Run run, List<PeerAddress> addresses, Effects effects) {
    run.considered.addAll(addresses);
    for (PeerAddress address : addresses) {
      if (address.isDialed()) {
        run.toDial.addLast(address.address());
      }
    }
    run.planned = true;
    saveProgress(run);
    if (run.toDial.isEmpty()) {
      succeed(run, effects);
    } else {
      wantDials.addLast(run);
      grantDials(effects);
    }
  }

  /**
   * Hands out free dial slots, one at a time to the waiting check whose client has the fewest dials
   * in flight (the longest waiting among equals): one client's many checks cannot take the slots
   * another client's check waits for.
   */
  private void grantDials(Effects effects) {
    while (dialsInFlight < settings.maxConcurrentDials() && !wantDials.isEmpty()) {
      Run run =
          wantDials.stream()
              .min(Comparator.comparingInt(r -> ownerDials.getOrDefault(r.owner, 0)))
              .orElseThrow();
      wantDials.remove(run);
      Multiaddr address = run.toDial.pollFirst();
      if (run.ended || address == null) {
        continue;
      }
      dialsInFlight++;
      ownerDials.merge(run.owner, 1, Integer::sum);
      run.inFlight++;
      effects.calls.add(() -> dial(run, address));
      if (!run.toDial.isEmpty()) {
        wantDials.addLast(run);
      }
    }
  }

  private void succeed(Run run, Effects effects) {
    Optional<PeerCheckJob> job =
        store.update(run.id, PeerCheckJob.class, j -> j.succeeded(clock.instant()));
    job.filter(j -> j.state() == JobState.SUCCEEDED).ifPresent(effects.finished::add);
    stop(run, effects);
  }

  private void endRun(Run run, JobState state, String why, Effects effects) {
    if (run.ended) {
      return;
    }
    saveProgress(run);
    finishInStore(run.id, state, why, effects);
    stop(run, effects);
  }

  /** Frees a check's place (its dials in flight keep their slots until they end). */
  private void stop(Run run, Effects effects) {
    run.ended = true;
    ScheduledFuture<?> timer = run.timer;
    if (timer != null) {
      timer.cancel(false);
    }
    CompletableFuture<?> lookup = run.lookup;
    if (lookup != null) {
      effects.calls.add(() -> lookup.cancel(true));
    }
    wantDials.remove(run);
    running.remove(run.id);
    turns.finished(run.owner);
    admit(effects);
  }

  private Optional<PeerCheckJob> finishInStore(
      UUID id, JobState state, String why, Effects effects) {
    boolean[] moved = new boolean[1];
    Optional<PeerCheckJob> job =
        store.update(
            id,
            PeerCheckJob.class,
            j -> {
              if (j.isFinished()) {
                return j;
              }
              moved[0] = true;
              return j.ended(state, clock.instant(), why);
            });
    if (moved[0]) {
      job.ifPresent(effects.finished::add);
    }
    return job;
  }

  private void saveProgress(Run run) {
    List<PeerAddress> considered = List.copyOf(run.considered);
    List<AddressOutcome> outcomes = List.copyOf(run.outcomes);
    store.update(
        run.id, PeerCheckJob.class, j -> j.isFinished() ? j : j.withProgress(considered, outcomes));
  }

  // ---- outside the lock: the network ----------------------------------------------------------

  private void lookUp(Run run) {
    if (run.ended) {
      return;
    }
    long deadline = System.nanoTime() + PeerChecks.LOOKUP_TIMEOUT.toNanos();
    BooleanSupplier stop = () -> run.ended || System.nanoTime() - deadline > 0;
    CompletableFuture<List<Multiaddr>> lookup;
    try {
      lookup =
          network
              .find(run.peer, stop)
              .orTimeout(PeerChecks.LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      lookup = CompletableFuture.failedFuture(e);
    }
    synchronized (lock) {
      run.lookup = lookup;
    }
    lookup.whenCompleteAsync(
        (found, error) ->
            guarded(
                run,
                () -> {
                  if (error != null) {
                    fail(run, "the DHT lookup failed: " + Errors.describe(error));
                  } else {
                    resolveFound(run, found);
                  }
                }),
        timers);
  }

  /** Runs a step of {@code run}; a failure in it fails the check instead of vanishing. */
  private void guarded(Run run, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      log.warn("peer check {} failed", run.id, e);
      fail(run, "internal error: " + Errors.describe(e));
    }
  }

  /** DNS addresses found in the DHT are resolved (all at once) before they are judged. */
  private void resolveFound(Run run, List<Multiaddr> found) {
    if (run.ended) {
      return;
    }
    List<Multiaddr> kept = found.stream().limit(PeerChecks.MAX_FOUND_ADDRESSES).toList();
    List<CompletableFuture<List<Multiaddr>>> resolutions = new ArrayList<>();
    for (Multiaddr address : kept) {
      boolean resolve = address.isDns() && rules.problem(address, run.peer) == null;
      CompletableFuture<List<Multiaddr>> resolution;
      try {
        // with the peer's id: a /dnsaddr domain may list other peers too
        resolution =
            resolve
                ? network.resolve(
                    address.peerId().isPresent() ? address : address.withPeerId(run.peer))
                : CompletableFuture.completedFuture(List.of(address));
      } catch (RuntimeException e) {
        resolution = CompletableFuture.failedFuture(e);
      }
      resolutions.add(resolution.exceptionally(error -> List.of()));
    }
    CompletableFuture.allOf(resolutions.toArray(CompletableFuture[]::new))
        .whenCompleteAsync(
            (ignored, error) ->
                guarded(
                    run,
                    () -> {
                      List<PeerAddress> judged = new ArrayList<>();
                      Set<Multiaddr> seen = new HashSet<>();
                      for (int i = 0; i < kept.size(); i++) {
                        judgeFound(run, kept.get(i), resolutions.get(i).join(), seen, judged);
                      }
                      // a record's names may stand for many addresses: a bounded number is listed
                      List<PeerAddress> listed =
                          judged.stream().limit(PeerChecks.MAX_FOUND_ADDRESSES).toList();
                      Effects effects = new Effects();
                      synchronized (lock) {
                        if (!run.ended) {
                          plan(run, capAndCount(listed), effects);
                        }
                      }
                      effects.run();
                    }),
            timers);
  }

  private void judgeFound(
      Run run,
      Multiaddr found,
      List<Multiaddr> resolved,
      Set<Multiaddr> seen,
      List<PeerAddress> out) {
    Multiaddr plain = found.withoutPeerId();
    String problem = rules.problem(found, run.peer);
    if (problem != null) {
      if (seen.add(plain)) {
        out.add(PeerAddress.skipped(plain, AddressSource.DHT, null, problem));
      }
      return;
    }
    if (!plain.isDns()) {
      if (seen.add(plain)) {
        out.add(PeerAddress.dialed(plain, AddressSource.DHT, null));
      }
      return;
    }
    if (resolved.isEmpty()) {
      out.add(PeerAddress.skipped(plain, AddressSource.DHT, null, "resolves to no address"));
    }
    for (Multiaddr one : resolved) {
      Multiaddr address = one.withoutPeerId();
      if (!seen.add(address)) {
        continue;
      }
      String resolvedProblem = rules.problem(one, run.peer);
      out.add(
          resolvedProblem == null
              ? PeerAddress.dialed(address, AddressSource.DHT, plain)
              : PeerAddress.skipped(address, AddressSource.DHT, plain, resolvedProblem));
    }
  }

  /**
   * Skips addresses past the cap, and those of IPs checked too often; counts the rest against their
   * IP's rate (once per IP per check).
   */
  private List<PeerAddress> capAndCount(List<PeerAddress> judged) {
    List<PeerAddress> out = new ArrayList<>();
    Map<String, Boolean> allowedIps = new LinkedHashMap<>();
    Map<String, Integer> perIp = new HashMap<>();
    int dialed = 0;
    for (PeerAddress address : judged) {
      if (!address.isDialed()) {
        out.add(address);
        continue;
      }
      if (dialed >= settings.maxAddresses()) {
        out.add(
            skip(
                address,
                "over the cap of "
                    + settings.maxAddresses()
                    + " addresses per peer check (reach.peer-checks.max-addresses)"));
        continue;
      }
      Optional<String> key = ipKey(address.address());
      if (key.isPresent()
          && perIp.merge(key.get(), 1, Integer::sum) > PeerChecks.MAX_ADDRESSES_PER_IP) {
        out.add(skip(address, PeerChecks.TOO_MANY_OF_ONE_IP));
        continue;
      }
      boolean allowed =
          key.isEmpty()
              || allowedIps.computeIfAbsent(key.get(), k -> targets.tryAcquire(k).isEmpty());
      if (!allowed) {
        out.add(
            skip(
                address,
                "this IP was checked "
                    + settings.perTargetPerMinute()
                    + " times in the last minute, the most reach.peer-checks.per-target-per-minute"
                    + " allows"));
        continue;
      }
      dialed++;
      out.add(address);
    }
    return out;
  }

  private static PeerAddress skip(PeerAddress address, String why) {
    return PeerAddress.skipped(address.address(), address.source(), address.resolvedFrom(), why);
  }

  private void dial(Run run, Multiaddr address) {
    CompletableFuture<AddressOutcome> check;
    try {
      check = network.check(run.peer, address);
    } catch (RuntimeException e) {
      check = CompletableFuture.failedFuture(e);
    }
    // on the service's thread: a dial that fails at once must not start the next one inside it
    check.whenCompleteAsync(
        (outcome, error) ->
            dialed(
                run,
                outcome != null
                    ? outcome
                    : AddressOutcome.unreachable(address, DialErrors.describe(error))),
        timers);
  }

  private void dialed(Run run, AddressOutcome outcome) {
    Effects effects = new Effects();
    synchronized (lock) {
      dialsInFlight--; // the slot is free only now, even when the check ended before
      ownerDials.computeIfPresent(run.owner, (owner, n) -> n > 1 ? n - 1 : null);
      effects.dialed.add(outcome);
      if (!run.ended) {
        run.inFlight--;
        run.outcomes.add(outcome);
        saveProgress(run);
        if (run.planned && run.toDial.isEmpty() && run.inFlight == 0) {
          succeed(run, effects);
        }
      }
      grantDials(effects);
    }
    effects.run();
  }

  private void fail(Run run, String why) {
    Effects effects = new Effects();
    synchronized (lock) {
      endRun(run, JobState.FAILED, why, effects);
    }
    effects.run();
  }

  private void timedOut(Run run) {
    String why;
    synchronized (lock) {
      why =
          "timed out after "
              + run.timeout.toSeconds()
              + " s with "
              + run.outcomes.size()
              + " of "
              + run.considered.stream().filter(PeerAddress::isDialed).count()
              + " addresses dialed"
              + (run.planned ? "" : " (the DHT lookup had not answered)");
    }
    fail(run, why);
  }

  private static Optional<String> ipKey(Multiaddr address) {
    return AddressClass.ip(address).map(TargetRules::ipKey);
  }

  // ---- state ----------------------------------------------------------------------------------

  /** What to do once the lock is released. */
  private final class Effects {
    final List<PeerCheckJob> finished = new ArrayList<>();
    final List<AddressOutcome> dialed = new ArrayList<>();
    final List<Runnable> calls = new ArrayList<>();

    void run() {
      for (Runnable call : calls) {
        try {
          call.run();
        } catch (RuntimeException e) {
          log.warn("peer check step failed", e);
        }
      }
      for (AddressOutcome outcome : dialed) {
        dialListeners.forEach(listener -> tell(listener, outcome));
      }
      for (PeerCheckJob job : finished) {
        finishedListeners.forEach(listener -> tell(listener, job));
      }
    }

    private <T> void tell(Consumer<T> listener, T value) {
      try {
        listener.accept(value);
      } catch (RuntimeException e) {
        log.warn("peer check listener failed", e);
      }
    }
  }

  /** One running peer check. */
  private static final class Run {
    final UUID id;
    final String owner;
    final PeerId peer;
    final Duration timeout;
    final List<PeerAddress> considered = new ArrayList<>();
    final Deque<Multiaddr> toDial = new ArrayDeque<>();
    final List<AddressOutcome> outcomes = new ArrayList<>();
    @Nullable ScheduledFuture<?> timer;
    @Nullable CompletableFuture<?> lookup;
    int inFlight;
    boolean planned;

    /** Written under the lock; read without it by the lookup's stop condition. */
    volatile boolean ended;

    Run(PeerCheckJob job, Duration timeout) {
      this.id = job.id();
      this.owner = job.owner();
      this.peer = job.request().peer();
      this.timeout = timeout;
    }
  }
}
