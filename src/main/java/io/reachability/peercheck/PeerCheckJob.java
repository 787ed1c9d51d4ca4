package io.reachability.peercheck;

import io.reachability.job.Job;
import io.reachability.job.JobState;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A peer check as stored (in the same job store as check jobs, under the same retention):
 * immutable; every change is a new value.
 *
 * @param addresses every address considered so far, in order: dialed ones and skipped ones, each
 *     with where it came from (empty until the DHT lookup of a peer given by id has answered)
 * @param results one per address dialed so far, in the order they finished
 * @param verdict the peer's verdict: set when the check succeeded, or earlier once an address
 *     reached the peer
 * @param error why the check FAILED or was CANCELLED; null otherwise
 */
public record PeerCheckJob(
    UUID id,
    String owner,
    JobState state,
    Instant createdAt,
    @Nullable Instant startedAt,
    @Nullable Instant finishedAt,
    PeerCheckRequest request,
    List<PeerAddress> addresses,
    List<AddressOutcome> results,
    @Nullable PeerVerdict verdict,
    @Nullable String error)
    implements Job {

  public PeerCheckJob {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(request, "request");
    addresses = List.copyOf(addresses);
    results = List.copyOf(results);
    Job.checkFinishedAt(state, finishedAt);
  }

  /** Whether the addresses are looked up in the DHT: the request named none. */
  public boolean lookedUp() {
    return request.addresses().isEmpty();
  }

  static PeerCheckJob queued(UUID id, String owner, PeerCheckRequest request, Instant now) {
    return new PeerCheckJob(
        id,
        owner,
        JobState.QUEUED,
        now,
        null,
        null,
        request,
        request.addresses(),
        List.of(),
        null,
        null);
  }

  PeerCheckJob started(Instant now) {
    return new PeerCheckJob(
        id,
        owner,
        JobState.RUNNING,
        createdAt,
        now,
        null,
        request,
        addresses,
        results,
        verdict,
        null);
  }

  /** This job with the addresses considered and the outcomes so far; the verdict once known. */
  PeerCheckJob withProgress(List<PeerAddress> considered, List<AddressOutcome> outcomes) {
    PeerVerdict known =
        outcomes.stream().anyMatch(o -> o.verdict() == AddressVerdict.REACHABLE)
            ? PeerVerdict.REACHABLE
            : null;
    return new PeerCheckJob(
        id,
        owner,
        state,
        createdAt,
        startedAt,
        finishedAt,
        request,
        considered,
        outcomes,
        known,
        error);
  }

  /** This job succeeded: every address it considered has been dialed or skipped. */
  PeerCheckJob succeeded(Instant now) {
    if (state.isTerminal()) {
      return this;
    }
    PeerVerdict verdict =
        results.isEmpty() && !addresses.isEmpty()
            ? PeerVerdict.NO_DIALABLE_ADDRESS
            : PeerVerdict.of(results.stream().map(AddressOutcome::verdict).toList());
    return new PeerCheckJob(
        id,
        owner,
        JobState.SUCCEEDED,
        createdAt,
        startedAt,
        now,
        request,
        addresses,
        results,
        verdict,
        null);
  }

  /** This job in a terminal state other than success (kept as is when already terminal). */
  PeerCheckJob ended(JobState terminal, Instant now, String why) {
    if (!terminal.isTerminal()) {
      throw new IllegalArgumentException("not a terminal state: " + terminal);
    }
    if (state.isTerminal()) {
      return this;
    }
    return new PeerCheckJob(
        id, owner, terminal, createdAt, startedAt, now, request, addresses, results, verdict, why);
  }
}
