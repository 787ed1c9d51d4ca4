package io.reachability.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Retention and eviction with an injected clock: oldest finished first, unfinished never. */
class InMemoryJobStoreTest {

  private static final Duration RETENTION = Duration.ofHours(1);
  private static final Duration STEP = Duration.ofSeconds(1);

  private final MutableClock clock = new MutableClock();

  private CheckJob queued() {
    clock.advance(STEP);
    return CheckJob.queued(
        UUID.randomUUID(), CheckJob.LOCAL_OWNER, CheckRequest.defaults(), clock.instant());
  }

  private CheckJob finish(InMemoryJobStore store, CheckJob job) {
    clock.advance(STEP);
    return store
        .update(
            job.id(),
            j -> j.started(clock.instant()).finished(JobState.SUCCEEDED, clock.instant(), null))
        .orElseThrow();
  }

  @Test
  void finishedJobsExpireAfterRetentionUnfinishedNever() {
    InMemoryJobStore store = new InMemoryJobStore(clock, RETENTION, 100);
    CheckJob done = queued();
    CheckJob waiting = queued();
    store.save(done);
    store.save(waiting);
    finish(store, done);

    clock.advance(RETENTION.minus(STEP));
    assertThat(store.find(done.id())).isPresent();
    clock.advance(STEP);
    assertThat(store.find(done.id())).isEmpty();
    clock.advance(RETENTION.multipliedBy(10));
    assertThat(store.find(waiting.id())).isPresent();
    assertThat(store.size()).isEqualTo(1);
  }

  @Test
  void overMaxStoredTheOldestFinishedGoFirst() {
    InMemoryJobStore store = new InMemoryJobStore(clock, RETENTION, 3);
    CheckJob a = queued();
    CheckJob b = queued();
    CheckJob c = queued();
    store.save(a);
    store.save(b);
    store.save(c);
    // finished in the order b, a: b is the oldest finished even though a was created first
    finish(store, b);
    finish(store, a);

    CheckJob d = queued();
    store.save(d);
    assertThat(store.find(b.id())).isEmpty();
    assertThat(store.find(a.id())).isPresent();
    assertThat(store.size()).isEqualTo(3);

    CheckJob e = queued();
    store.save(e);
    assertThat(store.find(a.id())).isEmpty();
    assertThat(store.size()).isEqualTo(3);
  }

  @Test
  void queuedAndRunningAreNeverEvictedEvenOverMaxStored() {
    InMemoryJobStore store = new InMemoryJobStore(clock, RETENTION, 2);
    List<CheckJob> jobs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      CheckJob job = queued();
      jobs.add(job);
      store.save(job);
    }
    store.update(jobs.get(0).id(), j -> j.started(clock.instant()));
    assertThat(store.size()).isEqualTo(5);

    finish(store, jobs.get(1)); // over the limit: a finished one goes at once
    assertThat(store.find(jobs.get(1).id())).isEmpty();
    assertThat(store.size()).isEqualTo(4);
  }

  @Test
  void listsNewestFirstByStateAndPage() {
    InMemoryJobStore store = new InMemoryJobStore(clock, RETENTION, 100);
    List<CheckJob> jobs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      CheckJob job = queued();
      jobs.add(job);
      store.save(job);
    }
    finish(store, jobs.get(1));
    finish(store, jobs.get(3));

    JobPage first = store.list(null, null, 0, 2);
    assertThat(first.total()).isEqualTo(5);
    assertThat(first.items())
        .extracting(CheckJob::id)
        .containsExactly(jobs.get(4).id(), jobs.get(3).id());
    assertThat(store.list(null, null, 2, 2).items())
        .extracting(CheckJob::id)
        .containsExactly(jobs.get(0).id());
    assertThat(store.list(null, null, 3, 2).items()).isEmpty();

    JobPage succeeded = store.list(JobState.SUCCEEDED, null, 0, 10);
    assertThat(succeeded.total()).isEqualTo(2);
    assertThat(succeeded.items())
        .extracting(CheckJob::id)
        .containsExactly(jobs.get(3).id(), jobs.get(1).id());
    assertThat(store.list(JobState.CANCELLED, null, 0, 10).items()).isEmpty();
  }

  @Test
  void aFinishedJobStaysFinished() {
    InMemoryJobStore store = new InMemoryJobStore(clock, RETENTION, 100);
    CheckJob job = queued();
    store.save(job);
    CheckJob done = finish(store, job);
    CheckJob again =
        store
            .update(job.id(), j -> j.finished(JobState.CANCELLED, clock.instant(), "late"))
            .orElseThrow();
    assertThat(again).isEqualTo(done);
  }

  @Test
  void deleteAndUnknownIds() {
    InMemoryJobStore store = new InMemoryJobStore(clock, RETENTION, 100);
    CheckJob job = queued();
    store.save(job);
    store.delete(job.id());
    assertThat(store.find(job.id())).isEmpty();
    assertThat(store.update(job.id(), j -> j)).isEmpty();
  }
}
