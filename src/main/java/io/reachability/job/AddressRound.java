package io.reachability.job;

import io.reachability.autonat.CheckResult;
import io.reachability.autonat.Reachability;
import io.reachability.libp2p.core.Multiaddr;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One address of a running job: the fan-out with replacement. As many servers are asked at once as
 * confirmations are wanted; an answer that decides nothing (UNKNOWN: refused, failed, no answer) is
 * replaced by asking the next server not tried yet, until enough answers decide or the servers run
 * out. {@link Agreement#verdict} then turns the answers into the address's verdict.
 *
 * <p>Plain state, no threads: {@link JobService} calls it under its lock, and tests drive it
 * directly. Times are {@link System#nanoTime()} values passed in.
 */
final class AddressRound {

  /** A check in flight: its server, when it was asked, and its future once launched. */
  static final class Check {
    final Multiaddr server;
    final long startNanos;
    @Nullable CompletableFuture<CheckResult> future;

    Check(Multiaddr server, long startNanos) {
      this.server = server;
      this.startNanos = startNanos;
    }
  }

  private final Multiaddr address;
  private final List<String> warnings;
  private final Deque<Multiaddr> untried;
  private final int confirmations;
  private final Map<Multiaddr, Check> inFlight = new LinkedHashMap<>();
  private final List<Attempt> attempts = new ArrayList<>();
  private int successes;
  private int failures;

  /**
   * @param servers the servers to ask, in the order to ask them
   * @param confirmations deciding answers wanted (at least 1)
   */
  AddressRound(
      Multiaddr address, List<String> warnings, List<Multiaddr> servers, int confirmations) {
    if (confirmations < 1) {
      throw new IllegalArgumentException("confirmations must be at least 1, was " + confirmations);
    }
    this.address = address;
    this.warnings = List.copyOf(warnings);
    this.untried = new ArrayDeque<>(servers);
    this.confirmations = confirmations;
  }

  Multiaddr address() {
    return address;
  }

  /** Whether another server should be asked now: deciding answers plus awaited ones fall short. */
  boolean wantsMore() {
    return successes + failures + inFlight.size() < confirmations && !untried.isEmpty();
  }

  /** Nothing awaited and nobody left worth asking: the verdict can be given. */
  boolean done() {
    return inFlight.isEmpty() && !wantsMore();
  }

  /** Takes the next untried server and awaits its answer; call only while {@link #wantsMore()}. */
  Check ask(long nowNanos) {
    if (!wantsMore()) {
      throw new IllegalStateException("no server is wanted for " + address);
    }
    Check check = new Check(untried.removeFirst(), nowNanos);
    inFlight.put(check.server, check);
    return check;
  }

  /** Whether {@code check} is still awaited (not answered, not given up). */
  boolean awaits(Check check) {
    return inFlight.get(check.server) == check;
  }

  /**
   * Records {@code attempt} as the answer to {@code check}; false (and nothing recorded) when the
   * check is no longer awaited.
   */
  boolean answer(Check check, Attempt attempt) {
    if (!awaits(check)) {
      return false;
    }
    inFlight.remove(check.server);
    attempts.add(attempt);
    if (attempt.reachability() == Reachability.REACHABLE) {
      successes++;
    } else if (attempt.reachability() == Reachability.UNREACHABLE) {
      failures++;
    }
    return true;
  }

  /**
   * Stops awaiting every check in flight, recording each as failed with {@code why} when given
   * (say, the job's timeout), or recording nothing (the job ended otherwise); returns them so their
   * futures can be cancelled.
   */
  Collection<Check> giveUp(@Nullable String why, long nowNanos) {
    List<Check> given = new ArrayList<>(inFlight.values());
    inFlight.clear();
    if (why != null) {
      for (Check check : given) {
        attempts.add(
            Attempt.failed(check.server, why, Duration.ofNanos(nowNanos - check.startNanos)));
      }
    }
    return given;
  }

  /** The verdict so far and its evidence. */
  AddressResult result() {
    return new AddressResult(
        address, Agreement.verdict(successes, failures, confirmations), warnings, attempts);
  }
}
