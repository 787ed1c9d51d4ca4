package io.reachability.job;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What every kind of job has, so that one {@link JobStore} holds them all under the same retention
 * rules: check jobs ({@link CheckJob}) and peer checks. Jobs are immutable values; every change is
 * a new value.
 */
public interface Job {

  UUID id();

  /** Who submitted it: an API key's name, or {@link CheckJob#LOCAL_OWNER}. */
  String owner();

  JobState state();

  Instant createdAt();

  /** When it reached its terminal state; null before. */
  @Nullable Instant finishedAt();

  default boolean isFinished() {
    return state().isTerminal();
  }

  /**
   * The rule every kind of job keeps: {@code finishedAt} is set exactly when {@code state} is
   * terminal.
   *
   * @throws IllegalArgumentException when it is not kept
   */
  static void checkFinishedAt(JobState state, @Nullable Instant finishedAt) {
    if (state.isTerminal() != (finishedAt != null)) {
      throw new IllegalArgumentException(
          "finishedAt must be set exactly when the job is finished: " + state + ", " + finishedAt);
    }
  }
}
