package io.reachability.job;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A check job as stored: immutable; every change is a new value (see {@link JobStore#update}).
 *
 * @param owner who submitted it: an API key's name, or {@link #LOCAL_OWNER}; only its owner (or an
 *     admin) sees it
 * @param results one per address checked so far, in the order they finished
 * @param error why the job FAILED or was CANCELLED; null otherwise
 */
public record CheckJob(
    UUID id,
    String owner,
    JobState state,
    Instant createdAt,
    @Nullable Instant startedAt,
    @Nullable Instant finishedAt,
    CheckRequest request,
    List<AddressResult> results,
    @Nullable String error)
    implements Job {

  /**
   * The owner of jobs submitted without an API key: by a loopback caller while no key is
   * configured, or in-process.
   */
  public static final String LOCAL_OWNER = "local";

  public CheckJob {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(request, "request");
    results = List.copyOf(results);
    Job.checkFinishedAt(state, finishedAt);
  }

  /** A new job, queued. */
  public static CheckJob queued(UUID id, String owner, CheckRequest request, Instant now) {
    return new CheckJob(id, owner, JobState.QUEUED, now, null, null, request, List.of(), null);
  }

  public CheckJob started(Instant now) {
    return new CheckJob(id, owner, JobState.RUNNING, createdAt, now, null, request, results, null);
  }

  public CheckJob withResults(List<AddressResult> value) {
    return new CheckJob(id, owner, state, createdAt, startedAt, finishedAt, request, value, error);
  }

  /** This job in a terminal state (kept as is when it already is in one). */
  public CheckJob finished(JobState terminal, Instant now, @Nullable String why) {
    if (!terminal.isTerminal()) {
      throw new IllegalArgumentException("not a terminal state: " + terminal);
    }
    if (state.isTerminal()) {
      return this;
    }
    return new CheckJob(id, owner, terminal, createdAt, startedAt, now, request, results, why);
  }

  @Override
  public boolean isFinished() {
    return state.isTerminal();
  }
}
