package io.reachability.job;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Jobs of every kind in memory. A finished job is kept for {@code retention} after it finished, and
 * of all jobs at most {@code maxStored} are kept: beyond that the oldest <em>finished</em> ones go
 * first. Queued and running jobs are never evicted, so the store can hold more than {@code
 * maxStored} while that many are unfinished (the job queue bounds those).
 *
 * <p>Eviction runs on every access, in O(1) per evicted job: finished jobs are remembered in the
 * order they finished, which is the order of their {@code finishedAt} since one clock stamps them.
 * One lock guards everything; every operation is short.
 */
public final class InMemoryJobStore implements JobStore {

  private final Clock clock;
  private final Duration retention;
  private final int maxStored;

  /** Every job, in creation order. */
  private final Map<UUID, Job> jobs = new LinkedHashMap<>();

  /** Finished jobs, oldest finish first; may hold ids already deleted (skipped when met). */
  private final Deque<UUID> finished = new ArrayDeque<>();

  public InMemoryJobStore(Clock clock, Duration retention, int maxStored) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.retention = Objects.requireNonNull(retention, "retention");
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("retention must be positive, was " + retention);
    }
    if (maxStored < 1) {
      throw new IllegalArgumentException("maxStored must be at least 1, was " + maxStored);
    }
    this.maxStored = maxStored;
  }

  @Override
  public synchronized void save(Job job) {
    Job previous = jobs.put(job.id(), job);
    noteFinished(previous, job);
    evict();
  }

  @Override
  public synchronized <J extends Job> Optional<J> find(UUID id, Class<J> type) {
    evict();
    return Optional.ofNullable(jobs.get(id)).filter(type::isInstance).map(type::cast);
  }

  @Override
  public synchronized <J extends Job> Optional<J> update(
      UUID id, Class<J> type, UnaryOperator<J> change) {
    evict();
    Job stored = jobs.get(id);
    if (!type.isInstance(stored)) {
      return Optional.empty();
    }
    J previous = type.cast(stored);
    J next = Objects.requireNonNull(change.apply(previous), "change returned null");
    if (!next.id().equals(id)) {
      throw new IllegalArgumentException("a change must keep the job's id");
    }
    jobs.put(id, next);
    noteFinished(previous, next);
    evict(); // may drop the job just finished, when the store is full of finished jobs
    return Optional.of(next);
  }

  @Override
  public synchronized void delete(UUID id) {
    jobs.remove(id);
  }

  @Override
  public synchronized <J extends Job> JobPage<J> list(
      Class<J> type, @Nullable JobState state, @Nullable String owner, int page, int size) {
    if (page < 0 || size < 1) {
      throw new IllegalArgumentException(
          "page must be >= 0 and size >= 1, was " + page + ", " + size);
    }
    evict();
    List<J> matching = new ArrayList<>();
    for (Job job : jobs.values()) {
      if (type.isInstance(job)
          && (state == null || job.state() == state)
          && (owner == null || job.owner().equals(owner))) {
        matching.add(type.cast(job));
      }
    }
    int total = matching.size();
    long from = (long) page * size;
    List<J> items = new ArrayList<>();
    // newest first: walk the creation order backwards
    for (long i = from; i < Math.min(total, from + size); i++) {
      items.add(matching.get(total - 1 - (int) i));
    }
    return new JobPage<>(items, page, size, total);
  }

  @Override
  public synchronized int size() {
    evict();
    return jobs.size();
  }

  private void noteFinished(@Nullable Job previous, Job next) {
    if (next.isFinished() && (previous == null || !previous.isFinished())) {
      finished.addLast(next.id());
    }
  }

  /**
   * Drops finished jobs past their retention, then the oldest finished while over {@code
   * maxStored}.
   */
  private void evict() {
    Instant oldestKept = clock.instant().minus(retention);
    while (!finished.isEmpty()) {
      UUID id = finished.peekFirst();
      Job job = jobs.get(id);
      if (job == null || !job.isFinished()) {
        finished.removeFirst(); // deleted meanwhile
      } else if (jobs.size() > maxStored
          || !Objects.requireNonNull(job.finishedAt()).isAfter(oldestKept)) {
        finished.removeFirst();
        jobs.remove(id);
      } else {
        return;
      }
    }
  }
}
