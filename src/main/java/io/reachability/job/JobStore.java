package io.reachability.job;

import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Where jobs of every kind live between submission and eviction. Implementations may drop finished
 * jobs (by age or count, every kind counted together) but never a queued or running one. Reads name
 * the kind they want: a job of another kind is absent to them.
 */
public interface JobStore {

  /** Stores a new job (or replaces one with the same id). */
  void save(Job job);

  /** The job with this id, when there is one and it is a {@code type}. */
  <J extends Job> Optional<J> find(UUID id, Class<J> type);

  /**
   * Atomically replaces a job with {@code change} applied to it.
   *
   * @return the job after the change (even when the store evicts it right after, being full); empty
   *     when there is no such job of that type
   */
  <J extends Job> Optional<J> update(UUID id, Class<J> type, UnaryOperator<J> change);

  /** Forgets a job (one that was never accepted, say). */
  void delete(UUID id);

  /**
   * Jobs of one {@code type} newest first, optionally only those in {@code state} and only those of
   * {@code owner}.
   *
   * @param owner null = every owner's
   * @param page from 0
   * @param size at least 1
   */
  <J extends Job> JobPage<J> list(
      Class<J> type, @Nullable JobState state, @Nullable String owner, int page, int size);

  /** Jobs stored now, of every kind. */
  int size();
}
