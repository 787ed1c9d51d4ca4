package io.reachability.monitor;

import io.reachability.autonat.Reachability;
import io.reachability.libp2p.core.Multiaddr;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What the monitor knows about one candidate address: a sliding window of outcomes, recent probe
 * times, consecutive refusals and probes in flight. Decides the address's verdict and how many more
 * probes it needs (go-libp2p's tracker rules). Not thread-safe: the monitor guards it.
 */
final class AddressState {

  /** Entries of {@link #history()} kept: the window plus the refusals and errors around it. */
  static final int HISTORY_SIZE = 16;

  private final Multiaddr address;
  private final MonitorSettings settings;

  /** SUCCESS and FAILURE outcomes, oldest first, at most {@code windowSize}. */
  private final Deque<ProbeRecord> window = new ArrayDeque<>();

  /** Every outcome, oldest first, at most {@link #HISTORY_SIZE}. */
  private final Deque<ProbeRecord> history = new ArrayDeque<>();

  /** When probes were sent (or fed in), oldest first, within {@code probeRateWindow}. */
  private final Deque<Instant> probeTimes = new ArrayDeque<>();

  private final Set<Multiaddr> inFlight = new HashSet<>();
  private int consecutiveRefusals;
  private @Nullable Instant lastRefusal;
  private @Nullable Instant lastProbeAt;

  /**
   * A re-probe an outside answer asked for ({@link #requestReprobe}) and no probe has started
   * since.
   */
  private boolean reprobeRequested;

  /** When an outside answer last got a re-probe, for the one-per-{@code probeRateWindow} bound. */
  private @Nullable Instant lastReprobeRequest;

  /** The primary of this address's group (same IP and port), or null when this is a primary. */
  private @Nullable AddressState primary;

  AddressState(Multiaddr address, MonitorSettings settings) {
    this.address = Objects.requireNonNull(address, "address");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  Multiaddr address() {
    return address;
  }

  void primary(@Nullable AddressState value) {
    primary = value == this ? null : value;
  }

  boolean isSecondary() {
    return primary != null;
  }

  // ---- input

  /** A probe of this address went to {@code server}. */
  void probeStarted(Multiaddr server, Instant now) {
    reprobeRequested = false;
    inFlight.add(server);
    probeTimes.addLast(now);
    lastProbeAt = now;
  }

  /** The probe to {@code server} ended (its outcome, if any, comes through {@link #record}). */
  void probeEnded(Multiaddr server) {
    inFlight.remove(server);
  }

  /**
   * An answer about this address learned elsewhere (a check job's): it never enters the window nor
   * counts against the probe budget, since nothing but the monitor's own probes may decide a
   * verdict. When it says something new (it disagrees with the verdict, or there is no verdict yet)
   * the address is probed once more, unless an outside answer got a re-probe within {@code
   * probeRateWindow} or a probe is in flight already (its outcome will tell). True when a re-probe
   * is now due.
   */
  boolean requestReprobe(ProbeOutcome outcome, Instant now) {
    if (!outcome.decides() || !disagrees(outcome) || reprobeRequested || !inFlight.isEmpty()) {
      return false;
    }
    if (primary != null && primary.ownVerdict() == Reachability.REACHABLE) {
      return false; // follows its primary, which is never probed on its behalf
    }
    if (lastReprobeRequest != null
        && lastReprobeRequest.plus(settings.probeRateWindow()).isAfter(now)) {
      return false;
    }
    reprobeRequested = true;
    lastReprobeRequest = now;
    return true;
  }

  private boolean disagrees(ProbeOutcome outcome) {
    return switch (verdict()) {
      case UNKNOWN -> true;
      case REACHABLE -> outcome == ProbeOutcome.FAILURE;
      case UNREACHABLE -> outcome == ProbeOutcome.SUCCESS;
    };
  }

  void record(ProbeRecord outcome) {
    history.addLast(outcome);
    while (history.size() > HISTORY_SIZE) {
      history.removeFirst();
    }
    switch (outcome.outcome()) {
      case SUCCESS, FAILURE -> {
        window.addLast(outcome);
        while (window.size() > settings.windowSize()) {
          window.removeFirst();
        }
        consecutiveRefusals = 0;
      }
      case REFUSED -> {
        consecutiveRefusals++;
        lastRefusal = outcome.at();
      }
      case ERROR -> {
        // says nothing about the address; its probe time already counts against the rate
      }
    }
  }

  /**
   * Forgets what has aged out: outcomes past their TTL, probe times past the rate window, an ended
   * pause.
   */
  void prune(Instant now) {
    while (!window.isEmpty() && !window.peekFirst().at().plus(settings.outcomeTtl()).isAfter(now)) {
      window.removeFirst();
    }
    while (!probeTimes.isEmpty()
        && !probeTimes.peekFirst().plus(settings.probeRateWindow()).isAfter(now)) {
      probeTimes.removeFirst();
    }
    if (lastRefusal != null && !lastRefusal.plus(settings.refusalPause()).isAfter(now)) {
      consecutiveRefusals = 0;
      lastRefusal = null;
    }
  }

  // ---- decisions (call prune(now) first)

  int successes() {
    return (int) window.stream().filter(r -> r.outcome() == ProbeOutcome.SUCCESS).count();
  }

  int failures() {
    return (int) window.stream().filter(r -> r.outcome() == ProbeOutcome.FAILURE).count();
  }

  /** |successes − failures| in the window. */
  int confidence() {
    return Math.abs(successes() - failures());
  }

  /** The verdict from this address's own window. */
  Reachability ownVerdict() {
    int difference = successes() - failures();
    if (difference >= MonitorSettings.VERDICT_MARGIN) {
      return Reachability.REACHABLE;
    }
    if (-difference >= MonitorSettings.VERDICT_MARGIN) {
      return Reachability.UNREACHABLE;
    }
    return Reachability.UNKNOWN;
  }

  /**
   * The verdict; a secondary whose primary is reachable is reachable (an unreachable primary
   * decides nothing).
   */
  Reachability verdict() {
    if (primary != null && primary.ownVerdict() == Reachability.REACHABLE) {
      return Reachability.REACHABLE;
    }
    return ownVerdict();
  }

  boolean pausedByRefusals() {
    return consecutiveRefusals >= settings.maxConsecutiveRefusals();
  }

  boolean rateLimited() {
    return probeTimes.size() >= settings.maxProbesPerAddress();
  }

  /**
   * Probes this address still needs, in flight ones included (go's rules, in go's order), at least
   * one while a re-probe is requested ({@link #requestReprobe}); never any beyond the budget.
   */
  int probesNeeded(Instant now) {
    if (primary != null && primary.ownVerdict() == Reachability.REACHABLE) {
      return 0;
    }
    if (pausedByRefusals() || rateLimited()) {
      return 0;
    }
    int needed = ownRulesNeed(now);
    return reprobeRequested ? Math.max(needed, 1) : needed;
  }

  private int ownRulesNeed(Instant now) {
    int missing = settings.targetConfidence() - confidence();
    if (missing > 0) {
      return missing;
    }
    ProbeRecord newest = window.peekLast();
    if (newest == null) {
      return 0;
    }
    if (!newest.at().plus(reprobeInterval()).isAfter(now)) {
      return 1; // confirmed, but long ago
    }
    Reachability verdict = ownVerdict();
    boolean disagrees =
        (verdict == Reachability.REACHABLE && newest.outcome() == ProbeOutcome.FAILURE)
            || (verdict == Reachability.UNREACHABLE && newest.outcome() == ProbeOutcome.SUCCESS);
    return disagrees ? 1 : 0;
  }

  /** Probes to send now: needed minus those in flight. */
  int probesToSend(Instant now) {
    return Math.max(0, probesNeeded(now) - inFlight.size());
  }

  private Duration reprobeInterval() {
    return primary != null ? settings.secondaryReprobeInterval() : settings.reprobeInterval();
  }

  /**
   * The earliest moment after {@code now} at which {@link #probesNeeded} can change without a new
   * outcome: a pause or rate limit ending, a re-probe falling due, an outcome expiring. Null when
   * none is ahead.
   */
  @Nullable Instant nextChange(Instant now) {
    List<Instant> candidates = new ArrayList<>();
    if (lastRefusal != null && pausedByRefusals()) {
      candidates.add(lastRefusal.plus(settings.refusalPause()));
    }
    if (rateLimited()) {
      candidates.add(probeTimes.peekFirst().plus(settings.probeRateWindow()));
    }
    ProbeRecord newest = window.peekLast();
    if (newest != null) {
      candidates.add(newest.at().plus(reprobeInterval()));
      candidates.add(window.peekFirst().at().plus(settings.outcomeTtl()));
    }
    return candidates.stream().filter(t -> t.isAfter(now)).min(Instant::compareTo).orElse(null);
  }

  /**
   * When the address will be probed next as far as its own state says: now when it needs probes,
   * else its next change.
   */
  @Nullable Instant nextProbeAt(Instant now) {
    return probesToSend(now) > 0 ? now : nextChange(now);
  }

  // ---- reading

  Set<Multiaddr> inFlight() {
    return Set.copyOf(inFlight);
  }

  List<ProbeRecord> window() {
    return List.copyOf(window);
  }

  List<ProbeRecord> history() {
    return List.copyOf(history);
  }

  @Nullable Instant lastProbeAt() {
    return lastProbeAt;
  }

  int consecutiveRefusals() {
    return consecutiveRefusals;
  }
}
