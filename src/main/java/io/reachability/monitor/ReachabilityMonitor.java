package io.reachability.monitor;

import io.reachability.autonat.AddressClass;
import io.reachability.autonat.CheckResult;
import io.reachability.autonat.RateLimiter;
import io.reachability.autonat.Reachability;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every candidate address's verdict current: probes each through AutoNAT v2 servers until its
 * sliding window is confident ({@link AddressState}), re-probes when outcomes age, and tells
 * listeners when a verdict changes.
 *
 * <p>Scheduling, where this differs from go-libp2p's tracker (same decision rules, same probe
 * budget): probes start at once (no 1 s settling delay) and all probes an address still needs go
 * out together, to <b>different</b> servers, preferring servers on networks (rate-limit subnets)
 * the address's window has not heard from; addresses are served in candidate order. A server is
 * asked at most once at a time and, unless it is in-process, at most once per {@code
 * perServerInterval}; a server that errs is rested with a doubling, jittered backoff; an empty pool
 * is retried the same way. Answers learned elsewhere ({@link #record}, a check job's) never decide
 * a verdict: at most they prompt a probe of the monitor's own. Spring-free; one scheduler thread.
 */
public final class ReachabilityMonitor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReachabilityMonitor.class);

  /** Longest sleep between two passes even with nothing due: candidates may change unannounced. */
  static final Duration MAX_SLEEP = Duration.ofMinutes(5);

  /** Bound on a probe beyond its own timeout, in case a prober never completes. */
  static final Duration PROBE_GRACE = Duration.ofSeconds(5);

  /** Most a jittered backoff is shortened by, as a fraction (spreads retries of many services). */
  static final double BACKOFF_JITTER = 0.2;

  public static final String THREAD_NAME = "reach-monitor";

  /** One probe: ask {@code server} (with {@code /p2p}) whether it can dial {@code address}. */
  @FunctionalInterface
  public interface Prober {
    CompletableFuture<CheckResult> probe(Multiaddr server, Multiaddr address, Duration timeout);
  }

  /**
   * A server the monitor may ask.
   *
   * @param address its multiaddr, ending in {@code /p2p/<peer id>}
   * @param throttled whether {@code perServerInterval} applies (false for in-process servers)
   */
  public record Server(Multiaddr address, boolean throttled) {
    public Server {
      Objects.requireNonNull(address, "address");
    }
  }

  /** An address's verdict changed (an address first seen starts from UNKNOWN). */
  public record VerdictChange(Multiaddr address, Reachability from, Reachability to, Instant at) {}

  private final MonitorSettings settings;
  private final Prober prober;
  private final Supplier<List<Server>> servers;
  private final Supplier<List<Multiaddr>> candidates;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final List<Consumer<VerdictChange>> listeners = new CopyOnWriteArrayList<>();

  // guarded by this
  private final Map<Multiaddr, AddressState> states = new LinkedHashMap<>();
  private final Map<Multiaddr, Reachability> published = new HashMap<>();
  private final Map<Multiaddr, ServerState> serverStates = new HashMap<>();
  private int inFlight;
  private long probesSent;
  private Duration emptyPoolBackoff;
  private @Nullable Instant wakeAt;
  private @Nullable ScheduledFuture<?> wake;
  private boolean started;
  private boolean closed;

  /** The monitor's view of one server. */
  private static final class ServerState {
    int inFlight;
    @Nullable Instant lastSent;
    int consecutiveErrors;
    @Nullable Instant restUntil;
  }

  /**
   * @param servers the servers to ask, read on every pass (the pool may change)
   * @param candidates the node's candidate addresses, read on every pass; the first {@code
   *     maxAddresses} are tracked
   */
  public ReachabilityMonitor(
      MonitorSettings settings,
      Prober prober,
      Supplier<List<Server>> servers,
      Supplier<List<Multiaddr>> candidates,
      Clock clock) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.prober = Objects.requireNonNull(prober, "prober");
    this.servers = Objects.requireNonNull(servers, "servers");
    this.candidates = Objects.requireNonNull(candidates, "candidates");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.emptyPoolBackoff = settings.backoffInitial();
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, THREAD_NAME);
              thread.setDaemon(true);
              return thread;
            });
  }

  public MonitorSettings settings() {
    return settings;
  }

  /**
   * Starts probing in the background; a monitor never started only moves when {@link #tick} is
   * called.
   */
  public ReachabilityMonitor start() {
    synchronized (this) {
      if (closed || started) {
        return this;
      }
      started = true;
    }
    requestTick();
    return this;
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      if (wake != null) {
        wake.cancel(false);
      }
    }
    scheduler.shutdownNow();
  }

  public void addListener(Consumer<VerdictChange> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  public void removeListener(Consumer<VerdictChange> listener) {
    listeners.remove(listener);
  }

  /** Candidates may have changed (a new observed address, say): look again soon. */
  public void candidatesChanged() {
    requestTick();
  }

  /**
   * The pool changed (discovery added or replaced a server): look again now, so a monitor that
   * found the pool empty does not wait out its backoff.
   */
  public void serversChanged() {
    requestTick();
  }

  /**
   * An answer a check job got about {@code address} from {@code server}: {@linkplain #record heard}
   * only when {@code server} is one of {@code trusted} (the pool's servers; a job may name any
   * server, and an answer from one the operator did not choose may not even prompt a probe).
   *
   * @return whether the answer was heard
   */
  public boolean recordJobAnswer(
      Multiaddr address, Multiaddr server, ProbeOutcome outcome, Set<PeerId> trusted) {
    if (server.peerId().filter(trusted::contains).isEmpty()) {
      return false;
    }
    record(address, server, outcome);
    return true;
  }

  /**
   * An answer about {@code address} learned elsewhere (a check job asked {@code server}). Only the
   * monitor's own probes decide verdicts: such an answer never enters the address's window nor its
   * probe budget, so answers an attacker can provoke (a flood that makes dial-backs fail while
   * someone submits checks) cannot confirm or flip a verdict, nor push the next probe away. When it
   * disagrees with the tracked address's verdict, or the address has none yet, the monitor probes
   * the address again soon with a probe of its own, at most once per address per {@code
   * probeRateWindow} and within the address's probe budget. It counts in the server's spacing
   * ({@code perServerInterval}) either way.
   */
  public void record(Multiaddr address, Multiaddr server, ProbeOutcome outcome) {
    synchronized (this) {
      if (closed) {
        return;
      }
      Instant now = clock.instant();
      // the job asked this server just now: the monitor's spacing counts from there
      ServerState serverState = serverStates.computeIfAbsent(server, s -> new ServerState());
      if (serverState.lastSent == null || serverState.lastSent.isBefore(now)) {
        serverState.lastSent = now;
      }
      AddressState state = states.get(address);
      if (state == null) {
        return;
      }
      state.prune(now);
      if (!state.requestReprobe(outcome, now)) {
        return;
      }
      log.debug(
          "reachability monitor: {} answered {} for {} ({} here): probing it again",
          server,
          outcome,
          address,
          state.verdict());
    }
    requestTick();
  }

  // ---- the pass

  /** One scheduling pass: refresh candidates, start the probes due, plan the next pass. */
  void tick() {
    List<VerdictChange> changes;
    synchronized (this) {
      if (closed) {
        return;
      }
      Instant now = clock.instant();
      refreshCandidates();
      states.values().forEach(s -> s.prune(now));
      List<Server> pool = servers.get();
      Instant next;
      if (pool.isEmpty()) {
        next = now.plus(jittered(emptyPoolBackoff));
        log.debug(
            "reachability monitor: no server to ask; next try in {}", Duration.between(now, next));
        emptyPoolBackoff = min(emptyPoolBackoff.multipliedBy(2), settings.backoffMax());
      } else {
        emptyPoolBackoff = settings.backoffInitial();
        launchDue(pool, now);
        next = nextPass(pool, now);
      }
      changes = publish(now);
      schedule(now, next);
    }
    notify(changes);
  }

  private void refreshCandidates() {
    Set<Multiaddr> wanted = new LinkedHashSet<>();
    for (Multiaddr address : candidates.get()) {
      if (wanted.size() >= settings.maxAddresses()) {
        break;
      }
      wanted.add(address);
    }
    states.keySet().retainAll(wanted);
    published.keySet().retainAll(wanted);
    for (Multiaddr address : wanted) {
      states.computeIfAbsent(address, a -> new AddressState(a, settings));
    }
    // groups: same IP and port; the address with the fewest components (plain TCP) is the primary
    Map<String, AddressState> primaries = new HashMap<>();
    for (AddressState state : states.values()) {
      primaries.merge(
          groupKey(state.address()),
          state,
          (a, b) -> a.address().components().size() <= b.address().components().size() ? a : b);
    }
    for (AddressState state : states.values()) {
      state.primary(primaries.get(groupKey(state.address())));
    }
  }

  private static String groupKey(Multiaddr address) {
    List<Multiaddr.Component> components = address.components();
    return components.size() < 2 ? address.toString() : components.get(0) + "" + components.get(1);
  }

  /**
   * Starts the probes due, addresses in candidate order (primaries first), each taking every probe
   * it needs before the next: with fewer free servers than probes due, the first addresses reach
   * stable verdicts at once instead of all reaching them one server interval later (measured with
   * bench/monitor-bench.sh).
   */
  private void launchDue(List<Server> pool, Instant now) {
    List<AddressState> order = new ArrayList<>(states.values());
    order.sort(Comparator.comparing(AddressState::isSecondary));
    for (AddressState state : order) {
      while (inFlight < settings.concurrency() && state.probesToSend(now) > 0) {
        Optional<Server> server = select(state, pool, now);
        if (server.isEmpty()) {
          break;
        }
        launch(state, server.get(), now);
      }
    }
  }

  /** The best server for {@code state} now, if any is free. */
  private Optional<Server> select(AddressState state, List<Server> pool, Instant now) {
    Set<Multiaddr> asked = new HashSet<>(state.inFlight());
    Map<Multiaddr, Instant> inWindow = new HashMap<>();
    Set<Object> networks = new HashSet<>();
    for (ProbeRecord record : state.window()) {
      inWindow.merge(record.server(), record.at(), (a, b) -> a.isAfter(b) ? a : b);
      networks.add(network(record.server()));
    }
    for (Multiaddr server : asked) {
      networks.add(network(server));
    }
    return pool.stream()
        .filter(s -> !asked.contains(s.address()))
        .filter(s -> availableAt(s, now).compareTo(now) <= 0)
        .min(
            Comparator.<Server, Boolean>comparing(
                    s -> inWindow.containsKey(s.address())) // new servers first
                .thenComparing(s -> networks.contains(network(s.address()))) // then new networks
                .thenComparing(
                    s ->
                        inWindow.getOrDefault(s.address(), Instant.MIN)) // then the longest unheard
                .thenComparing(s -> lastSent(s.address()))); // then the least used
  }

  private Instant lastSent(Multiaddr server) {
    ServerState state = serverStates.get(server);
    return state == null || state.lastSent == null ? Instant.MIN : state.lastSent;
  }

  /**
   * When {@code server} can next be asked: now, later (rested or throttled), or never while busy.
   */
  private Instant availableAt(Server server, Instant now) {
    ServerState state = serverStates.get(server.address());
    if (state == null) {
      return now;
    }
    if (state.inFlight > 0) {
      return Instant.MAX; // one probe per server at a time; its end triggers a pass
    }
    Instant at = now;
    if (state.restUntil != null && state.restUntil.isAfter(at)) {
      at = state.restUntil;
    }
    if (server.throttled() && state.lastSent != null) {
      Instant spaced = state.lastSent.plus(settings.perServerInterval());
      if (spaced.isAfter(at)) {
        at = spaced;
      }
    }
    return at;
  }

  private void launch(AddressState state, Server server, Instant now) {
    Multiaddr address = state.address();
    state.probeStarted(server.address(), now);
    ServerState serverState =
        serverStates.computeIfAbsent(server.address(), s -> new ServerState());
    serverState.inFlight++;
    serverState.lastSent = now;
    inFlight++;
    probesSent++;
    CompletableFuture<CheckResult> probe;
    try {
      probe = prober.probe(server.address(), address, settings.probeTimeout());
    } catch (RuntimeException e) {
      probe = CompletableFuture.failedFuture(e);
    }
    probe
        .orTimeout(settings.probeTimeout().plus(PROBE_GRACE).toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((result, error) -> completed(address, server.address(), result, error));
  }

  private void completed(
      Multiaddr address,
      Multiaddr server,
      @Nullable CheckResult result,
      @Nullable Throwable error) {
    List<VerdictChange> changes;
    synchronized (this) {
      Instant now = clock.instant();
      inFlight--;
      ProbeOutcome outcome = result != null ? ProbeOutcome.of(result) : ProbeOutcome.ERROR;
      ServerState serverState = serverStates.get(server);
      if (serverState != null) {
        serverState.inFlight--;
        if (outcome == ProbeOutcome.ERROR) {
          serverState.consecutiveErrors++;
          Duration rest =
              settings
                  .backoffInitial()
                  .multipliedBy(1L << Math.min(serverState.consecutiveErrors - 1, Long.SIZE - 2));
          serverState.restUntil = now.plus(jittered(min(rest, settings.backoffMax())));
          log.debug(
              "reachability monitor: {} gave no answer about {} ({}); resting it until {}",
              server,
              address,
              result != null ? result.reason() : String.valueOf(error),
              serverState.restUntil);
        } else {
          serverState.consecutiveErrors = 0;
          serverState.restUntil = null;
        }
      }
      AddressState state = states.get(address);
      if (state == null || closed) {
        return; // no longer a candidate
      }
      state.probeEnded(server);
      state.record(new ProbeRecord(now, server, outcome));
      changes = publish(now);
    }
    notify(changes);
    requestTick();
  }

  /**
   * The next pass: when an address's state changes by itself, or a busy/rested/throttled server
   * frees up for one that waits.
   */
  private Instant nextPass(List<Server> pool, Instant now) {
    Instant next = now.plus(MAX_SLEEP);
    boolean waiting = false;
    for (AddressState state : states.values()) {
      Instant change = state.nextChange(now);
      if (change != null && change.isBefore(next)) {
        next = change;
      }
      waiting |= state.probesToSend(now) > 0;
    }
    if (waiting) {
      for (Server server : pool) {
        Instant at = availableAt(server, now);
        if (at.isAfter(now) && at.isBefore(next)) {
          next = at;
        }
      }
    }
    return next;
  }

  private void schedule(Instant now, Instant next) {
    if (!started || closed) {
      wakeAt = next;
      return;
    }
    if (wake != null) {
      wake.cancel(false);
    }
    wakeAt = next;
    long delay = Math.max(0, Duration.between(now, next).toMillis());
    wake = scheduler.schedule(this::safeTick, delay, TimeUnit.MILLISECONDS);
  }

  private void requestTick() {
    synchronized (this) {
      if (!started || closed) {
        return;
      }
    }
    try {
      scheduler.execute(this::safeTick);
    } catch (RuntimeException e) {
      // shut down between the check and the submit
    }
  }

  private void safeTick() {
    try {
      tick();
    } catch (RuntimeException e) {
      log.warn("reachability monitor pass failed; trying again later", e);
      synchronized (this) {
        Instant now = clock.instant();
        schedule(now, now.plus(settings.backoffInitial()));
      }
    }
  }

  // ---- verdicts

  private List<VerdictChange> publish(Instant now) {
    List<VerdictChange> changes = new ArrayList<>();
    for (AddressState state : states.values()) {
      Reachability verdict = state.verdict();
      Reachability before = published.getOrDefault(state.address(), Reachability.UNKNOWN);
      published.put(state.address(), verdict);
      if (verdict != before) {
        changes.add(new VerdictChange(state.address(), before, verdict, now));
      }
    }
    return changes;
  }

  private void notify(List<VerdictChange> changes) {
    for (VerdictChange change : changes) {
      log.info("reachability: {} is now {} (was {})", change.address(), change.to(), change.from());
      for (Consumer<VerdictChange> listener : listeners) {
        try {
          listener.accept(change);
        } catch (RuntimeException e) {
          log.warn("reachability listener failed", e);
        }
      }
    }
  }

  // ---- reading

  /** Every tracked address as it stands, in candidate order. */
  public synchronized ReachabilityReport report() {
    Instant now = clock.instant();
    List<AddressReport> addresses = new ArrayList<>();
    for (AddressState state : states.values()) {
      state.prune(now);
      Instant nextProbe = state.nextProbeAt(now);
      if (nextProbe != null
          && !nextProbe.isAfter(now)
          && wakeAt != null
          && wakeAt.isAfter(now)
          && state.inFlight().isEmpty()) {
        nextProbe = wakeAt; // due, but waiting for a server
      }
      addresses.add(
          new AddressReport(
              state.address(),
              state.verdict(),
              state.confidence(),
              state.successes(),
              state.failures(),
              state.isSecondary(),
              state.inFlight().size(),
              state.lastProbeAt(),
              nextProbe,
              state.history()));
    }
    return new ReachabilityReport(
        NodeReachability.of(addresses.stream().map(AddressReport::verdict).toList()), addresses);
  }

  /** The current verdict of every tracked address. */
  public synchronized Map<Multiaddr, Reachability> verdicts() {
    Map<Multiaddr, Reachability> result = new LinkedHashMap<>();
    states.values().forEach(s -> result.put(s.address(), s.verdict()));
    return result;
  }

  /**
   * What identify should announce, given the addresses it would announce without the monitor
   * ({@code base}) and {@code extra} candidates the operator named: confirmed (REACHABLE) tracked
   * addresses first, then the rest of {@code base} and {@code extra} that are not UNREACHABLE.
   * Tracked addresses outside both (observed ones) are announced only once confirmed.
   */
  public synchronized List<Multiaddr> advertise(List<Multiaddr> base, List<Multiaddr> extra) {
    Set<Multiaddr> result = new LinkedHashSet<>();
    for (AddressState state : states.values()) {
      if (state.verdict() == Reachability.REACHABLE) {
        result.add(state.address());
      }
    }
    List<Multiaddr> rest = new ArrayList<>(base);
    rest.addAll(extra);
    for (Multiaddr address : rest) {
      AddressState state = states.get(address);
      if (state == null || state.verdict() != Reachability.UNREACHABLE) {
        result.add(address);
      }
    }
    return List.copyOf(result);
  }

  /** The tracked addresses whose verdict is REACHABLE, in candidate order. */
  public synchronized List<Multiaddr> confirmedAddresses() {
    return states.values().stream()
        .filter(s -> s.verdict() == Reachability.REACHABLE)
        .map(AddressState::address)
        .toList();
  }

  /** Probes sent since start. */
  public synchronized long probesSent() {
    return probesSent;
  }

  public synchronized int probesInFlight() {
    return inFlight;
  }

  /** When the next pass is planned (null before the first). */
  synchronized @Nullable Instant wakeAt() {
    return wakeAt;
  }

  // ---- helpers

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration jittered(Duration base) {
    long millis = base.toMillis();
    long cut = (long) (millis * BACKOFF_JITTER * ThreadLocalRandom.current().nextDouble());
    return Duration.ofMillis(millis - cut);
  }

  /**
   * The network a server is on, for diversity: the subnet the AutoNAT rate limits share (/24, /56),
   * or the whole address when it has no IP.
   */
  static Object network(Multiaddr server) {
    return AddressClass.ip(server).<Object>map(RateLimiter::subnet).orElse(server);
  }
}
