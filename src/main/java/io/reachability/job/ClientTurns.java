package io.reachability.job;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.UUID;

/**
 * Waiting jobs per client and whose turn it is: the next job to start is the oldest waiting job of
 * the client whose last start is longest ago (never first), so clients take turns whatever the
 * order they queued in, and one client's hundred jobs cannot keep another's one waiting. Also
 * counts each client's unfinished (queued or running) jobs, for {@link
 * JobSettings#maxUnfinishedPerClient()}.
 *
 * <p>Plain state, no threads: {@link JobService} (and the peer-check service) call it under their
 * lock, tests drive it directly.
 */
public final class ClientTurns {

  /** A job whose turn it is, and whose it is. */
  public record Turn(String client, UUID job) {}

  /** Waiting jobs per client, clients in the order they first queued; no empty queue is kept. */
  private final Map<String, Deque<UUID>> waiting = new LinkedHashMap<>();

  private int waitingCount;

  /** When each client with unfinished jobs last had a job started (a sequence number). */
  private final Map<String, Long> lastTurn = new HashMap<>();

  private long turns;

  /** Queued + running jobs per client; clients with none are not kept. */
  private final Map<String, Integer> unfinished = new HashMap<>();

  /** Jobs waiting, all clients together. */
  public int waiting() {
    return waitingCount;
  }

  /** {@code client}'s jobs queued or running. */
  public int unfinished(String client) {
    return unfinished.getOrDefault(client, 0);
  }

  /** {@code job} waits at the end of {@code client}'s queue, and counts as unfinished. */
  public void enqueue(String client, UUID job) {
    waiting.computeIfAbsent(client, k -> new ArrayDeque<>()).addLast(job);
    waitingCount++;
    unfinished.merge(client, 1, Integer::sum);
  }

  /**
   * Takes {@code job} out of {@code client}'s queue before it started; false when it was not there.
   * It still counts as unfinished until {@link #finished}.
   */
  public boolean withdraw(String client, UUID job) {
    Deque<UUID> jobs = waiting.get(client);
    if (jobs == null || !jobs.remove(job)) {
      return false;
    }
    waitingCount--;
    if (jobs.isEmpty()) {
      waiting.remove(client);
    }
    return true;
  }

  /** The job to start now, taken out of its queue; call only while {@link #waiting()} is not 0. */
  public Turn next() {
    String client = null;
    long oldest = Long.MAX_VALUE;
    for (String candidate : waiting.keySet()) {
      long last = lastTurn.getOrDefault(candidate, -1L);
      if (last < oldest) {
        client = candidate;
        oldest = last;
      }
    }
    if (client == null) {
      throw new NoSuchElementException("no job is waiting");
    }
    Deque<UUID> jobs = Objects.requireNonNull(waiting.get(client));
    UUID job = jobs.removeFirst();
    if (jobs.isEmpty()) {
      waiting.remove(client);
    }
    waitingCount--;
    lastTurn.put(client, turns++);
    return new Turn(client, job);
  }

  /** One of {@code client}'s jobs is finished (or withdrawn for good): it no longer counts. */
  public void finished(String client) {
    if (unfinished.computeIfPresent(client, (k, n) -> n > 1 ? n - 1 : null) == null) {
      lastTurn.remove(client); // only clients with unfinished jobs are remembered
    }
  }

  /** Forgets everything; returns the jobs that were waiting, in no particular order. */
  public List<UUID> clear() {
    List<UUID> jobs = new ArrayList<>();
    waiting.values().forEach(jobs::addAll);
    waiting.clear();
    waitingCount = 0;
    lastTurn.clear();
    unfinished.clear();
    return jobs;
  }
}
