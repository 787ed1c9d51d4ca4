package io.reachability.job;

import io.reachability.autonat.CheckOptions;
import io.reachability.autonat.CheckResult;
import io.reachability.autonat.Reachability;
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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs check jobs: a bounded queue in front of a fixed number of workers; each job checks its
 * addresses one after the other, each address by {@code confirmations} distinct servers at once
 * (one DialRequest per server, carrying only that address). A server whose answer decides nothing
 * (refused, rejected, not reached, no verified nonce …) is replaced by one not asked yet, until the
 * servers run out. {@link Verdict#of} turns the answers into a verdict.
 *
 * <p>Every accepted job reaches a terminal state: finished by its worker, cancelled by a user
 * ({@link #cancel}, queued or running), failed at its timeout, or, on {@link #close()}, drained
 * within {@link JobSettings#shutdownGrace()} and cancelled after it.
 */
public final class JobService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(JobService.class);

  /** Thread name prefix of the workers. */
  public static final String WORKER_THREAD_NAME = "check-job";

  /** After interrupting the workers on shutdown, how long they get to write their last state. */
  static final Duration INTERRUPTED_WORKERS_WAIT = Duration.ofSeconds(5);

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
  private final ThreadPoolExecutor executor;
  /** Accepted jobs not finished by their worker yet, with their task (to cancel it). */
  private final Map<UUID, FutureTask<Void>> tasks = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<Consumer<CheckJob>> listeners = new CopyOnWriteArrayList<>();
  /** Held by {@link #submit} from its queue check to the job's execute: submissions one at a time. */
  private final Object submitting = new Object();

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
    this.executor =
        new ThreadPoolExecutor(
            settings.workers(),
            settings.workers(),
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(settings.queueCapacity()),
            workerThreads(),
            new ThreadPoolExecutor.AbortPolicy());
  }

  private static ThreadFactory workerThreads() {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, WORKER_THREAD_NAME + "-" + count.incrementAndGet());
      thread.setDaemon(true); // close() ends every job; a daemon never holds the JVM up on its own
      return thread;
    };
  }

  /**
   * Accepts a job: it is stored QUEUED and runs when a worker is free.
   *
   * @return the job as accepted
   * @throws QueueFullException when {@code queueCapacity} jobs are already waiting
   * @throws JobRejectedException when the service is shutting down
   */
  public CheckJob submit(CheckRequest request) {
    Objects.requireNonNull(request, "request");
    if (closed.get()) {
      throw shuttingDown();
    }
    synchronized (submitting) {
      // Turned away before it is stored: storing counts against reach.jobs.max-stored and would
      // push the oldest finished job out for a job that is then refused. Under this lock nothing
      // else adds to the queue (workers and cancellations only take from it), so room now is room
      // at execute(). The catch below is for a shutdown in between.
      if (executor.getQueue().remainingCapacity() == 0) {
        throw queueFull();
      }
      CheckJob job = CheckJob.queued(UUID.randomUUID(), request, clock.instant());
      store.save(job);
      FutureTask<Void> task = new FutureTask<>(() -> run(job.id()), null);
      tasks.put(job.id(), task);
      try {
        executor.execute(task);
      } catch (RejectedExecutionException e) {
        // never accepted: forget it, so nothing unfinished is left behind
        tasks.remove(job.id());
        store.delete(job.id());
        throw closed.get() ? shuttingDown() : queueFull();
      }
      return job;
    }
  }

  private QueueFullException queueFull() {
    return new QueueFullException(settings.queueCapacity(), JobSettings.RETRY_AFTER);
  }

  private static JobRejectedException shuttingDown() {
    return new JobRejectedException("the service is shutting down", JobSettings.RETRY_AFTER);
  }

  public Optional<CheckJob> find(UUID id) {
    return store.find(id);
  }

  /** Jobs newest first, optionally only those in {@code state}; an empty page is a normal answer. */
  public JobPage list(@Nullable JobState state, int page, int size) {
    return store.list(state, page, size);
  }

  /**
   * Cancels a queued or running job: it is CANCELLED at once, with the results it has so far, and
   * its worker stops. A finished job is returned as it is.
   *
   * @return the job after cancelling; empty when there is no such job
   */
  public Optional<CheckJob> cancel(UUID id) {
    Optional<CheckJob> job = finish(id, JobState.CANCELLED, CANCELLED_BY_USER);
    FutureTask<Void> task = tasks.remove(id);
    if (task != null) {
      task.cancel(true);
      executor.remove(task); // a queued one frees its place in the queue now
    }
    return job;
  }

  /** Jobs waiting for a worker. */
  public int queued() {
    return executor.getQueue().size();
  }

  /** Jobs a worker is on. */
  public int running() {
    return executor.getActiveCount();
  }

  public JobSettings settings() {
    return settings;
  }

  /** The node's addresses now (listen and announce), as jobs see them. */
  public NodeAddresses nodeAddresses() {
    return node.get();
  }

  /**
   * Stops accepting jobs, lets queued and running ones finish for up to {@link
   * JobSettings#shutdownGrace()}, then cancels the rest. Every accepted job is terminal after.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    executor.shutdown();
    boolean drained = await(settings.shutdownGrace());
    if (!drained) {
      int left = tasks.size();
      executor.shutdownNow();
      cancelUnfinished();
      await(INTERRUPTED_WORKERS_WAIT);
      log.info("job service stopped: {} unfinished jobs cancelled", left);
    }
    cancelUnfinished(); // the never-started ones whose task will not run any more
  }

  private boolean await(Duration timeout) {
    try {
      return executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void cancelUnfinished() {
    for (UUID id : List.copyOf(tasks.keySet())) {
      finish(id, JobState.CANCELLED, CANCELLED_BY_SHUTDOWN);
      tasks.remove(id);
    }
  }

  // ---- the worker ----------------------------------------------------------------------------------

  private void run(UUID id) {
    try {
      Optional<CheckJob> started = store.update(id, j -> j.state() == JobState.QUEUED ? j.started(clock.instant()) : j);
      if (started.isEmpty() || started.get().state() != JobState.RUNNING) {
        return; // cancelled while queued
      }
      Ending ending = execute(started.get());
      finish(id, ending.state(), ending.error());
    } catch (InterruptedException e) {
      finish(id, JobState.CANCELLED, closed.get() ? CANCELLED_BY_SHUTDOWN : CANCELLED_BY_USER);
    } catch (RuntimeException e) {
      log.warn("check job {} failed", id, e);
      finish(id, JobState.FAILED, "internal error: " + e);
    } finally {
      tasks.remove(id);
    }
  }

  /** Moves a job to a terminal state unless it is in one; tells the listeners once when it moved. */
  private Optional<CheckJob> finish(UUID id, JobState state, @Nullable String error) {
    AtomicBoolean moved = new AtomicBoolean();
    Optional<CheckJob> job =
        store.update(
            id,
            j -> {
              if (j.isFinished()) {
                return j;
              }
              moved.set(true);
              return j.finished(state, clock.instant(), error);
            });
    if (moved.get()) {
      CheckJob finished = job.orElseThrow();
      for (Consumer<CheckJob> listener : listeners) {
        try {
          listener.accept(finished);
        } catch (RuntimeException e) {
          log.warn("job listener failed", e);
        }
      }
    }
    return job;
  }

  /** Calls {@code listener} once with every job that reaches a terminal state (on the thread that ended it). */
  public void addFinishedListener(Consumer<CheckJob> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** How a job ended. */
  private record Ending(JobState state, @Nullable String error) {}

  private Ending execute(CheckJob job) throws InterruptedException {
    CheckRequest request = job.request();
    Duration timeout = request.timeout() != null ? request.timeout() : settings.defaultTimeout();
    long deadline = System.nanoTime() + timeout.toNanos();
    NodeAddresses addressesNow = node.get();
    List<Multiaddr> addresses = request.addresses().isEmpty() ? addressesNow.candidates() : request.addresses();
    if (addresses.isEmpty()) {
      return new Ending(JobState.FAILED, "the node has no candidate address to check");
    }
    List<Multiaddr> servers =
        request.servers().isEmpty() ? pool.usable().stream().map(PoolServer::address).toList() : request.servers();
    if (servers.isEmpty()) {
      return new Ending(JobState.FAILED, "no AutoNAT v2 server to ask: the server pool is empty");
    }
    int wanted = request.confirmations() != null ? request.confirmations() : JobSettings.DEFAULT_CONFIRMATIONS;
    int confirmations = Math.min(wanted, servers.size());
    CheckOptions options =
        request.maxDialDataBytes() != null ? defaults.withMaxDialDataBytes(request.maxDialDataBytes()) : defaults;
    List<AddressResult> results = new ArrayList<>();
    for (Multiaddr address : addresses) {
      Checked checked = checkAddress(address, addressesNow.warnings(address), servers, confirmations, options, deadline);
      results.add(checked.result());
      List<AddressResult> soFar = List.copyOf(results);
      store.update(job.id(), j -> j.state() == JobState.RUNNING ? j.withResults(soFar) : j);
      if (checked.timedOut()) {
        return new Ending(
            JobState.FAILED,
            "timed out after " + timeout.toSeconds() + " s with " + results.size() + " of " + addresses.size() + " addresses checked");
      }
    }
    return new Ending(JobState.SUCCEEDED, null);
  }

  private record Checked(AddressResult result, boolean timedOut) {}

  private record Answer(Multiaddr server, Attempt attempt) {}

  /** Asks servers about one address until {@code confirmations} decided or the servers run out. */
  private Checked checkAddress(
      Multiaddr address, List<String> warnings, List<Multiaddr> servers, int confirmations, CheckOptions options, long deadline)
      throws InterruptedException {
    List<Multiaddr> order = new ArrayList<>(servers);
    Collections.shuffle(order, ThreadLocalRandom.current()); // spread jobs over a pool larger than needed
    Deque<Multiaddr> untried = new ArrayDeque<>(order);
    BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
    Map<Multiaddr, Long> inFlight = new LinkedHashMap<>();
    List<Attempt> attempts = new ArrayList<>();
    int successes = 0;
    int failures = 0;
    boolean timedOut = false;
    while (true) {
      while (successes + failures + inFlight.size() < confirmations && !untried.isEmpty()) {
        long now = System.nanoTime();
        if (deadline - now <= 0) {
          timedOut = true; // servers left to ask, no time left to ask them
          break;
        }
        Multiaddr server = untried.pollFirst();
        inFlight.put(server, now);
        // no check outlives the job
        ask(server, address, options.withTimeout(min(options.timeout(), Duration.ofNanos(deadline - now))), answers);
      }
      if (inFlight.isEmpty()) {
        break;
      }
      Answer answer = answers.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (answer == null) {
        long now = System.nanoTime();
        inFlight.forEach((server, since) -> attempts.add(Attempt.failed(server, NO_ANSWER_IN_TIME, Duration.ofNanos(now - since))));
        timedOut = true;
        break;
      }
      inFlight.remove(answer.server());
      attempts.add(answer.attempt());
      if (answer.attempt().reachability() == Reachability.REACHABLE) {
        successes++;
      } else if (answer.attempt().reachability() == Reachability.UNREACHABLE) {
        failures++;
      }
    }
    Verdict verdict = Verdict.of(successes, failures, confirmations);
    return new Checked(new AddressResult(address, verdict, warnings, attempts), timedOut);
  }

  private void ask(Multiaddr server, Multiaddr address, CheckOptions options, BlockingQueue<Answer> answers) {
    long start = System.nanoTime();
    CompletableFuture<CheckResult> check;
    try {
      check = checker.check(server, address, options);
    } catch (RuntimeException e) {
      check = CompletableFuture.failedFuture(e);
    }
    check.whenComplete(
        (result, error) -> {
          if (result != null) {
            pool.record(result);
            answers.add(new Answer(server, Attempt.of(result)));
          } else {
            answers.add(new Answer(server, Attempt.failed(server, message(error), Duration.ofNanos(System.nanoTime() - start))));
          }
        });
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static String message(@Nullable Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t == null) {
      return "the check failed";
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }
}
