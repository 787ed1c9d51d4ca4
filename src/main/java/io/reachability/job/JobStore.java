package io.reachability.job;

import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Where jobs live between submission and eviction. Implementations may drop finished jobs (by age
 * or count) but never a queued or running one.
 */
public interface JobStore {

  /** Stores a new job (or replaces one with the same id). */
  void save(CheckJob job);

  Optional<CheckJob> find(UUID id);

  /**
   * Atomically replaces a job with {@code change} applied to it.
   *
   * @return the job after the change (even when the store evicts it right after, being full); empty
   *     when there is no such job
   */
  Optional<CheckJob> update(UUID id, UnaryOperator<CheckJob> change);

  /** Forgets a job (one that was never accepted, say). */
  void delete(UUID id);

  /**
   * Jobs newest first, optionally only those in {@code state} and only those of {@code owner}.
   *
   * @param owner null = every owner's
   * @param page from 0
   * @param size at least 1
   */
  JobPage list(@Nullable JobState state, @Nullable String owner, int page, int size);

  /** Jobs stored now. */
  int size();
}
