package io.reachability.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
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
            CheckJob.class,
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
    assertThat(store.find(done.id(), CheckJob.class)).isPresent();
    clock.advance(STEP);
    assertThat(store.find(done.id(), CheckJob.class)).isEmpty();
    clock.advance(RETENTION.multipliedBy(10));
    assertThat(store.find(waiting.id(), CheckJob.class)).isPresent();
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
    assertThat(store.find(b.id(), CheckJob.class)).isEmpty();
    assertThat(store.find(a.id(), CheckJob.class)).isPresent();
    assertThat(store.size()).isEqualTo(3);

    CheckJob e = queued();
    store.save(e);
    assertThat(store.find(a.id(), CheckJob.class)).isEmpty();
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
    store.update(jobs.get(0).id(), CheckJob.class, j -> j.started(clock.instant()));
    assertThat(store.size()).isEqualTo(5);

    finish(store, jobs.get(1)); // over the limit: a finished one goes at once
    assertThat(store.find(jobs.get(1).id(), CheckJob.class)).isEmpty();
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

    JobPage<CheckJob> first = store.list(CheckJob.class, null, null, 0, 2);
    assertThat(first.total()).isEqualTo(5);
    assertThat(first.items())
        .extracting(CheckJob::id)
        .containsExactly(jobs.get(4).id(), jobs.get(3).id());
    assertThat(store.list(CheckJob.class, null, null, 2, 2).items())
        .extracting(CheckJob::id)
        .containsExactly(jobs.get(0).id());
    assertThat(store.list(CheckJob.class, null, null, 3, 2).items()).isEmpty();

    JobPage<CheckJob> succeeded = store.list(CheckJob.class, JobState.SUCCEEDED, null, 0, 10);
    assertThat(succeeded.total()).isEqualTo(2);
    assertThat(succeeded.items())
        .extracting(CheckJob::id)
        .containsExactly(jobs.get(3).id(), jobs.get(1).id());
    assertThat(store.list(CheckJob.class, JobState.CANCELLED, null, 0, 10).items()).isEmpty();
  }

  @Test
  void aFinishedJobStaysFinished() {
    InMemoryJobStore store = new InMemoryJobStore(clock, RETENTION, 100);
    CheckJob job = queued();
    store.save(job);
    CheckJob done = finish(store, job);
    CheckJob again =
        store
            .update(
                job.id(),
                CheckJob.class,
                j -> j.finished(JobState.CANCELLED, clock.instant(), "late"))
            .orElseThrow();
    assertThat(again).isEqualTo(done);
  }

  @Test
  void deleteAndUnknownIds() {
    InMemoryJobStore store = new InMemoryJobStore(clock, RETENTION, 100);
    CheckJob job = queued();
    store.save(job);
    store.delete(job.id());
    assertThat(store.find(job.id(), CheckJob.class)).isEmpty();
    assertThat(store.update(job.id(), CheckJob.class, j -> j)).isEmpty();
  }

  /** Another kind of job, as peer checks are: stored alongside, invisible to check-job reads. */
  private record OtherJob(
      UUID id, String owner, JobState state, Instant createdAt, @Nullable Instant finishedAt)
      implements Job {}

  @Test
  void kindsShareTheStoreAndItsBoundButReadsSeeTheirOwnKind() {
    InMemoryJobStore store = new InMemoryJobStore(clock, RETENTION, 2);
    CheckJob check = finish(store, saved(store, queued()));
    clock.advance(STEP);
    OtherJob other =
        new OtherJob(UUID.randomUUID(), "a", JobState.SUCCEEDED, clock.instant(), clock.instant());
    store.save(other);

    assertThat(store.find(other.id(), CheckJob.class)).isEmpty();
    assertThat(store.update(other.id(), CheckJob.class, j -> j)).isEmpty();
    assertThat(store.find(other.id(), OtherJob.class)).contains(other);
    assertThat(store.list(CheckJob.class, null, null, 0, 10).items()).containsExactly(check);
    assertThat(store.list(OtherJob.class, null, null, 0, 10).total()).isOne();

    // one max-stored for every kind: a third job pushes out the oldest finished, a check job
    store.save(queued());
    assertThat(store.find(check.id(), CheckJob.class)).isEmpty();
    assertThat(store.find(other.id(), OtherJob.class)).isPresent();
  }

  private static CheckJob saved(InMemoryJobStore store, CheckJob job) {
    store.save(job);
    return job;
  }
}
