package io.reachability.job;

import io.reachability.autonat.CheckOptions;
import io.reachability.autonat.CheckResult;
import io.reachability.libp2p.core.Errors;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.pool.PoolServer;
import io.reachability.pool.ServerPool;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs check jobs without a thread per job: a running job is its state, the futures of its checks
 * in flight and one timer; one scheduler thread launches checks and hears their answers.
 *
 * <p>Each job checks its addresses one after the other, each address by {@code confirmations}
 * distinct servers at once (one DialRequest per server, carrying only that address). A server whose
 * answer decides nothing (refused, rejected, not reached, no verified nonce …) is replaced by one
 * not asked yet, until the servers run out. {@link Agreement#verdict} turns the answers into a
 * verdict.
 *
 * <p>Fairness: at most {@link JobSettings#maxRunning()} jobs run; waiting jobs are started one
 * client (owner) at a time, in turn, so one client's burst waits behind its own jobs, not in front
 * of others'. Checks in flight are bounded by {@link JobSettings#maxChecksInFlight()}; when they
 * are all taken, the jobs that want one get the next free one in turn, one check each, so one
 * request's 50 addresses cannot starve another request. One client has at most {@link
 * JobSettings#maxUnfinishedPerClient()} jobs queued or running.
 *
 * <p>Every accepted job reaches a terminal state: finished when its last address is decided,
 * cancelled by a user ({@link #cancel}, queued or running), failed at its timeout (a timer at
 * exactly its deadline), or, on {@link #close()}, drained within {@link
 * JobSettings#shutdownGrace()} and cancelled after it.
 */
public final class JobService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(JobService.class);

  /** Name of the one thread that launches checks, hears answers and fires timeouts. */
  public static final String THREAD_NAME = "check-jobs";

  /** After stopping the scheduler on shutdown, how long it gets to finish the task it is in. */
  static final Duration SCHEDULER_STOP_WAIT = Duration.ofSeconds(5);

  static final String CANCELLED_BY_USER = "cancelled";
  static final String CANCELLED_BY_SHUTDOWN = "the service shut down before the job finished";
  static final String NO_ANSWER_IN_TIME = "no answer before the job's timeout";

  private final JobStore store;
  private final AddressChecker checker;
  private final ServerPool pool;
  private final Supplier<NodeAddresses> node;
  private final JobSettings settings;
  private final CheckOptions defaults;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final AtomicBoolean pumpScheduled = new AtomicBoolean();
  private final List<Consumer<CheckJob>> listeners = new CopyOnWriteArrayList<>();

  /**
   * Guards everything below; held only for bookkeeping, never while calling out (checks,
   * listeners).
   */
  private final Object lock = new Object();

  /** Waiting jobs per client, their turns, and each client's unfinished count. */
  private final ClientTurns turns = new ClientTurns();

  private final Map<UUID, Run> running = new LinkedHashMap<>();

  /** Running jobs that want another check, in the order they get one. */
  private final Deque<Run> wantChecks = new ArrayDeque<>();

  private int checksInFlight;
  private boolean closed;

  /**
   * @param checker one check of one address by one server
   * @param pool the servers asked when a request names none; their counters are updated
   * @param node the node's current addresses (candidates when a request names none, and warnings)
   * @param defaults per-check defaults: the client's dial-data cap and exchange timeout
   */
  public JobService(
      JobStore store,
      AddressChecker checker,
      ServerPool pool,
      Supplier<NodeAddresses> node,
      JobSettings settings,
      CheckOptions defaults,
      Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.checker = Objects.requireNonNull(checker, "checker");
    this.pool = Objects.requireNonNull(pool, "pool");
    this.node = Objects.requireNonNull(node, "node");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.defaults = Objects.requireNonNull(defaults, "defaults");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, THREAD_NAME);
              thread.setDaemon(
                  true); // close() ends every job; a daemon never holds the JVM up on its own
              return thread;
            });
  }

  /** {@link #submit(CheckRequest, String)} as {@link CheckJob#LOCAL_OWNER}. */
  public CheckJob submit(CheckRequest request) {
    return submit(request, CheckJob.LOCAL_OWNER);
  }

  /**
   * Accepts a job for {@code owner}: it is stored QUEUED, or RUNNING at once when there is room.
   *
   * @return the job as accepted
   * @throws QueueFullException when {@code queueCapacity} jobs are already waiting
   * @throws TooManyJobsException when {@code owner} already has {@code maxUnfinishedPerClient} jobs
   * @throws JobRejectedException when the service is shutting down
   */
  public CheckJob submit(CheckRequest request, String owner) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(owner, "owner");
    Effects effects = new Effects();
    CheckJob job;
    synchronized (lock) {
      // every check before storing: storing counts against reach.jobs.max-stored and would push
      // the oldest finished job out for a job that is then refused
      if (closed) {
        throw shuttingDown();
      }
      boolean roomNow = turns.waiting() == 0 && running.size() < settings.maxRunning();
      if (!roomNow && turns.waiting() >= settings.queueCapacity()) {
        throw new QueueFullException(settings.queueCapacity(), JobSettings.RETRY_AFTER);
      }
      if (turns.unfinished(owner) >= settings.maxUnfinishedPerClient()) {
        throw new TooManyJobsException(settings.maxUnfinishedPerClient(), JobSettings.RETRY_AFTER);
      }
      job = CheckJob.queued(UUID.randomUUID(), owner, request, clock.instant());
      store.save(job);
      turns.enqueue(owner, job.id());
      admit(effects);
    }
    effects.run();
    return job;
  }

  private static JobRejectedException shuttingDown() {
    return new JobRejectedException("the service is shutting down", JobSettings.RETRY_AFTER);
  }

  public Optional<CheckJob> find(UUID id) {
    return store.find(id, CheckJob.class);
  }

  /**
   * Every owner's jobs newest first, optionally only those in {@code state}; an empty page is a
   * normal answer.
   */
  public JobPage<CheckJob> list(@Nullable JobState state, int page, int size) {
    return store.list(CheckJob.class, state, null, page, size);
  }

  /** Like {@link #list(JobState, int, int)}, only {@code owner}'s jobs (null = every owner's). */
  public JobPage<CheckJob> list(
      @Nullable JobState state, @Nullable String owner, int page, int size) {
    return store.list(CheckJob.class, state, owner, page, size);
  }

  /**
   * Cancels a queued or running job: it is CANCELLED at once, with the results it has so far, its
   * checks in flight are abandoned and its place is free for the next job. A finished job is
   * returned as it is.
   *
   * @return the job after cancelling; empty when there is no such job
   */
  public Optional<CheckJob> cancel(UUID id) {
    return end(id, JobState.CANCELLED, CANCELLED_BY_USER);
  }

  private Optional<CheckJob> end(UUID id, JobState state, String why) {
    Effects effects = new Effects();
    Optional<CheckJob> job;
    synchronized (lock) {
      job = finishInStore(id, state, why, effects);
      Run run = running.get(id);
      if (run != null) {
        endRun(run, state, why, effects);
      } else if (job.isPresent()) {
        dequeue(job.get());
      }
    }
    effects.run();
    return job;
  }

  /** Jobs waiting to run. */
  public int queued() {
    synchronized (lock) {
      return turns.waiting();
    }
  }

  /** Jobs running now. */
  public int running() {
    synchronized (lock) {
      return running.size();
    }
  }

  /** Checks in flight now, over all running jobs. */
  public int checksInFlight() {
    synchronized (lock) {
      return checksInFlight;
    }
  }

  public JobSettings settings() {
    return settings;
  }

  /** The node's addresses now (listen and announce), as jobs see them. */
  public NodeAddresses nodeAddresses() {
    return node.get();
  }

  /**
   * Calls {@code listener} once with every job that reaches a terminal state (never with a lock
   * held).
   */
  public void addFinishedListener(Consumer<CheckJob> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Stops accepting jobs, lets queued and running ones finish for up to {@link
   * JobSettings#shutdownGrace()}, then cancels the rest. Every accepted job is terminal after.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      long deadline = System.nanoTime() + settings.shutdownGrace().toNanos();
      try {
        for (long left = deadline - System.nanoTime();
            unfinishedTotal() > 0 && left > 0;
            left = deadline - System.nanoTime()) {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Effects effects = new Effects();
    int left;
    synchronized (lock) {
      left = unfinishedTotal();
      for (Run run : List.copyOf(running.values())) {
        finishInStore(run.id, JobState.CANCELLED, CANCELLED_BY_SHUTDOWN, effects);
        endRun(run, JobState.CANCELLED, CANCELLED_BY_SHUTDOWN, effects);
      }
      for (UUID id : turns.clear()) {
        finishInStore(id, JobState.CANCELLED, CANCELLED_BY_SHUTDOWN, effects);
      }
    }
    effects.run();
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(SCHEDULER_STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (left > 0) {
      log.info("job service stopped: {} unfinished jobs cancelled", left);
    }
  }

  // ---- bookkeeping (with the lock held)
  // -------------------------------------------------------------

  private int unfinishedTotal() {
    return turns.waiting() + running.size();
  }

  /** One of {@code owner}'s jobs left the queue or stopped running for good. */
  private void released(String owner) {
    turns.finished(owner);
    lock.notifyAll(); // close() waits for the last one
  }

  /** Takes a job that never started out of its owner's queue; nothing when it is not there. */
  private void dequeue(CheckJob job) {
    if (turns.withdraw(job.owner(), job.id())) {
      released(job.owner());
    }
  }

  /** Starts waiting jobs while there is room, clients in turn ({@link ClientTurns}). */
  private void admit(Effects effects) {
    while (turns.waiting() > 0 && running.size() < settings.maxRunning()) {
      ClientTurns.Turn turn = turns.next();
      start(turn.job(), turn.client(), effects);
    }
  }

  private void start(UUID id, String owner, Effects effects) {
    try {
      Optional<CheckJob> started =
          store.update(
              id,
              CheckJob.class,
              j -> j.state() == JobState.QUEUED ? j.started(clock.instant()) : j);
      if (started.isEmpty() || started.get().state() != JobState.RUNNING) {
        released(owner); // gone meanwhile
        return;
      }
      CheckJob job = started.get();
      CheckRequest request = job.request();
      NodeAddresses addressesNow = node.get();
      List<Multiaddr> addresses =
          request.addresses().isEmpty() ? addressesNow.candidates() : request.addresses();
      List<Multiaddr> servers =
          request.servers().isEmpty()
              ? pool.usable().stream().map(PoolServer::address).toList()
              : request.servers();
      String refusal =
          addresses.isEmpty()
              ? "the node has no candidate address to check"
              : servers.isEmpty() ? "no AutoNAT v2 server to ask: the server pool is empty" : null;
      if (refusal != null) {
        finishInStore(id, JobState.FAILED, refusal, effects);
        released(owner);
        return;
      }
      Duration timeout = request.timeout() != null ? request.timeout() : settings.defaultTimeout();
      int wanted =
          request.confirmations() != null
              ? request.confirmations()
              : JobSettings.DEFAULT_CONFIRMATIONS;
      CheckOptions options =
          request.maxDialDataBytes() != null
              ? defaults.withMaxDialDataBytes(request.maxDialDataBytes())
              : defaults;
      Run run =
          new Run(
              id,
              owner,
              addresses,
              servers,
              Math.min(wanted, servers.size()),
              options,
              addressesNow,
              timeout);
      running.put(id, run);
      run.timer = scheduler.schedule(() -> timedOut(run), timeout.toNanos(), TimeUnit.NANOSECONDS);
      run.nextRound();
      effects.pump = true;
    } catch (RuntimeException e) {
      log.warn("check job {} failed to start", id, e);
      Run run = running.get(id);
      if (run != null) {
        endRun(run, JobState.FAILED, "internal error: " + e, effects);
      } else {
        released(owner);
      }
      finishInStore(id, JobState.FAILED, "internal error: " + e, effects);
    }
  }

  /**
   * Stops a running job for good: its checks in flight are abandoned, its place and slots freed.
   */
  private void endRun(Run run, JobState state, @Nullable String why, Effects effects) {
    if (run.ended) {
      return;
    }
    run.ended = true;
    ScheduledFuture<?> timer = run.timer;
    if (timer != null) {
      timer.cancel(false);
    }
    for (AddressRound.Check check : run.round().giveUp(null, System.nanoTime())) {
      checksInFlight--;
      effects.abandon(check.future);
    }
    wantChecks.remove(run);
    running.remove(run.id);
    released(run.owner);
    finishInStore(run.id, state, why, effects);
    effects.pump = true; // a place and maybe slots are free
  }

  /**
   * Moves a job to a terminal state unless it is in one; its listeners hear of it after the lock is
   * released. The store is written here, under the lock, so that a job has its terminal state by
   * the time {@link #close()} sees it gone from the books.
   */
  private Optional<CheckJob> finishInStore(
      UUID id, JobState state, @Nullable String why, Effects effects) {
    AtomicBoolean moved = new AtomicBoolean();
    Optional<CheckJob> job =
        store.update(
            id,
            CheckJob.class,
            j -> {
              if (j.isFinished()) {
                return j;
              }
              moved.set(true);
              return j.finished(state, clock.instant(), why);
            });
    if (moved.get()) {
      effects.finished.add(job.orElseThrow());
    }
    return job;
  }

  /** Hands out free check slots, one per wanting job in turn; returns the checks to launch. */
  private List<Launch> grantChecks() {
    List<Launch> launches = new ArrayList<>();
    while (checksInFlight < settings.maxChecksInFlight() && !wantChecks.isEmpty()) {
      Run run = wantChecks.pollFirst();
      Launch launch = run.nextLaunch();
      if (launch == null) {
        continue;
      }
      checksInFlight++;
      launches.add(launch);
      if (run.round().wantsMore()) {
        wantChecks.addLast(run);
      }
    }
    return launches;
  }

  // ---- the scheduler thread ---------------------------------------------------------------------

  private void schedulePump() {
    if (pumpScheduled.compareAndSet(false, true)) {
      try {
        scheduler.execute(this::pump);
      } catch (RejectedExecutionException e) {
        pumpScheduled.set(false); // closed: nothing left to run
      }
    }
  }

  /** Starts waiting jobs and launches the checks there are slots for. */
  private void pump() {
    pumpScheduled.set(false);
    Effects effects = new Effects();
    List<Launch> launches;
    synchronized (lock) {
      admit(effects);
      launches = grantChecks();
    }
    effects.pump = false; // this pump already did what the admissions asked for
    effects.run();
    for (Launch launch : launches) {
      launch(launch);
    }
  }

  private void launch(Launch launch) {
    CompletableFuture<CheckResult> check;
    try {
      check = checker.check(launch.check.server, launch.round.address(), launch.options);
    } catch (RuntimeException e) {
      check = CompletableFuture.failedFuture(e);
    }
    boolean abandoned;
    synchronized (lock) {
      abandoned = !launch.round.awaits(launch.check);
      if (!abandoned) {
        launch.check.future = check;
      }
    }
    if (abandoned) {
      check.cancel(true); // the job ended while the check was being launched
    }
    check.whenComplete((result, error) -> onScheduler(() -> answered(launch, result, error)));
  }

  private void onScheduler(Runnable task) {
    try {
      scheduler.execute(task);
    } catch (RejectedExecutionException e) {
      // shut down: every job is terminal already
    }
  }

  private void answered(Launch launch, @Nullable CheckResult result, @Nullable Throwable error) {
    if (result != null) {
      pool.record(result);
    }
    Attempt answer =
        result != null
            ? Attempt.of(result)
            : Attempt.failed(
                launch.check.server,
                message(error),
                Duration.ofNanos(System.nanoTime() - launch.check.startNanos));
    String shown = AttemptErrors.forCaller(answer.error());
    if (!Objects.equals(shown, answer.error())) {
      log.debug(
          "check of {} by {}: {}", launch.round.address(), launch.check.server, answer.error());
    }
    Attempt attempt = answer.withError(shown);
    Effects effects = new Effects();
    synchronized (lock) {
      AddressRound round = launch.round;
      if (!round.answer(launch.check, attempt)) {
        return; // the job ended (timeout, cancel, shutdown) and gave its slot back already
      }
      checksInFlight--;
      effects.pump = true;
      Run run = launch.run;
      if (round.done()) {
        run.completeRound(effects);
      } else if (round.wantsMore() && !wantChecks.contains(run)) {
        wantChecks.addLast(run);
      }
    }
    effects.run();
  }

  private void timedOut(Run run) {
    Effects effects = new Effects();
    synchronized (lock) {
      if (run.ended) {
        return;
      }
      AddressRound round = run.round();
      // endRun finds nothing in flight any more: the slots are given back here
      for (AddressRound.Check check : round.giveUp(NO_ANSWER_IN_TIME, System.nanoTime())) {
        checksInFlight--;
        effects.abandon(check.future);
      }
      run.results.add(round.result());
      saveResults(run);
      endRun(
          run,
          JobState.FAILED,
          "timed out after "
              + run.timeout.toSeconds()
              + " s with "
              + run.results.size()
              + " of "
              + run.addresses.size()
              + " addresses checked",
          effects);
    }
    effects.run();
  }

  private void saveResults(Run run) {
    List<AddressResult> soFar = List.copyOf(run.results);
    store.update(
        run.id, CheckJob.class, j -> j.state() == JobState.RUNNING ? j.withResults(soFar) : j);
  }

  private static String message(@Nullable Throwable error) {
    return error == null ? "the check failed" : Errors.describe(error);
  }

  // ---- state of running jobs (guarded by the lock)
  // ----------------------------------------------------

  /**
   * What to do once the lock is released: tell listeners, abandon checks, run the scheduler again.
   */
  private final class Effects {
    final List<CheckJob> finished = new ArrayList<>();
    final List<CompletableFuture<CheckResult>> abandoned = new ArrayList<>();
    boolean pump;

    void abandon(@Nullable CompletableFuture<CheckResult> check) {
      if (check != null) {
        abandoned.add(check);
      }
    }

    void run() {
      // the client resets the request stream of a cancelled check; its late answer is ignored
      abandoned.forEach(check -> check.cancel(true));
      for (CheckJob job : finished) {
        for (Consumer<CheckJob> listener : listeners) {
          try {
            listener.accept(job);
          } catch (RuntimeException e) {
            log.warn("job listener failed", e);
          }
        }
      }
      if (pump) {
        schedulePump();
      }
    }
  }

  /** One running job. */
  private final class Run {
    final UUID id;
    final String owner;
    final List<Multiaddr> addresses;
    final List<Multiaddr> servers;
    final int confirmations;
    final CheckOptions options;
    final NodeAddresses node;
    final Duration timeout;
    final long deadline;
    final List<AddressResult> results = new ArrayList<>();
    @Nullable ScheduledFuture<?> timer;
    @Nullable AddressRound round;
    int next;
    boolean ended;

    Run(
        UUID id,
        String owner,
        List<Multiaddr> addresses,
        List<Multiaddr> servers,
        int confirmations,
        CheckOptions options,
        NodeAddresses node,
        Duration timeout) {
      this.id = id;
      this.owner = owner;
      this.addresses = addresses;
      this.servers = servers;
      this.confirmations = confirmations;
      this.options = options;
      this.node = node;
      this.timeout = timeout;
      this.deadline = System.nanoTime() + timeout.toNanos();
    }

    AddressRound round() {
      return Objects.requireNonNull(round, "round");
    }

    /** Moves on to the next address (there is one) and asks for checks. */
    void nextRound() {
      Multiaddr address = addresses.get(next++);
      List<Multiaddr> order = new ArrayList<>(servers);
      Collections.shuffle(
          order, ThreadLocalRandom.current()); // spread jobs over a pool larger than needed
      round = new AddressRound(address, node.warnings(address), order, confirmations);
      if (!wantChecks.contains(this)) {
        wantChecks.addLast(this);
      }
    }

    /** The current address is decided: keep its result, then the next address or the end. */
    void completeRound(Effects effects) {
      results.add(round().result());
      saveResults(this);
      if (next < addresses.size()) {
        nextRound();
      } else {
        endRun(this, JobState.SUCCEEDED, null, effects);
      }
    }

    /** The next server to ask about the current address; null when no more are needed now. */
    @Nullable Launch nextLaunch() {
      AddressRound current = round();
      long now = System.nanoTime();
      long left = deadline - now;
      if (ended || !current.wantsMore() || left <= 0) {
        return null; // at the deadline the timer ends the job
      }
      AddressRound.Check check = current.ask(now);
      // no check outlives the job
      Duration bound = Duration.ofNanos(left);
      CheckOptions checkOptions =
          options.withTimeout(options.timeout().compareTo(bound) <= 0 ? options.timeout() : bound);
      return new Launch(this, current, check, checkOptions);
    }
  }

  /** A check to launch outside the lock. */
  private record Launch(
      Run run, AddressRound round, AddressRound.Check check, CheckOptions options) {}
}
