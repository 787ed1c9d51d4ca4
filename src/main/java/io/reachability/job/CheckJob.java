package io.reachability.job;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A check job as stored: immutable; every change is a new value (see {@link JobStore#update}).
 *
 * @param results one per address checked so far, in the order they finished
 * @param error why the job FAILED or was CANCELLED; null otherwise
 */
public record CheckJob(
    UUID id,
    JobState state,
    Instant createdAt,
    @Nullable Instant startedAt,
    @Nullable Instant finishedAt,
    CheckRequest request,
    List<AddressResult> results,
    @Nullable String error) {

  public CheckJob {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(request, "request");
    results = List.copyOf(results);
    if (state.isTerminal() != (finishedAt != null)) {
      throw new IllegalArgumentException("finishedAt must be set exactly when the job is finished: " + state + ", " + finishedAt);
    }
  }

  /** A new job, queued. */
  public static CheckJob queued(UUID id, CheckRequest request, Instant now) {
    return new CheckJob(id, JobState.QUEUED, now, null, null, request, List.of(), null);
  }

  public CheckJob started(Instant now) {
    return new CheckJob(id, JobState.RUNNING, createdAt, now, null, request, results, null);
  }

  public CheckJob withResults(List<AddressResult> value) {
    return new CheckJob(id, state, createdAt, startedAt, finishedAt, request, value, error);
  }

  /** This job in a terminal state (kept as is when it already is in one). */
  public CheckJob finished(JobState terminal, Instant now, @Nullable String why) {
    if (!terminal.isTerminal()) {
      throw new IllegalArgumentException("not a terminal state: " + terminal);
    }
    if (state.isTerminal()) {
      return this;
    }
    return new CheckJob(id, terminal, createdAt, startedAt, now, request, results, why);
  }

  public boolean isFinished() {
    return state.isTerminal();
  }
}
