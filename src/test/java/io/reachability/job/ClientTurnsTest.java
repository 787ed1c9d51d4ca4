package io.reachability.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.NoSuchElementException;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Clients take turns, driven by hand. */
class ClientTurnsTest {

  private final ClientTurns turns = new ClientTurns();

  private UUID enqueue(String client) {
    UUID job = UUID.randomUUID();
    turns.enqueue(client, job);
    return job;
  }

  @Test
  void clientsTakeTurnsWhateverTheOrderTheyQueuedIn() {
    UUID a1 = enqueue("alice");
    UUID a2 = enqueue("alice");
    UUID a3 = enqueue("alice");
    UUID b1 = enqueue("bob");
    UUID c1 = enqueue("carol");

    assertThat(turns.next()).isEqualTo(new ClientTurns.Turn("alice", a1));
    assertThat(turns.next()).isEqualTo(new ClientTurns.Turn("bob", b1));
    assertThat(turns.next()).isEqualTo(new ClientTurns.Turn("carol", c1));
    assertThat(turns.next()).isEqualTo(new ClientTurns.Turn("alice", a2));
    assertThat(turns.next()).isEqualTo(new ClientTurns.Turn("alice", a3));
    assertThat(turns.waiting()).isZero();
  }

  @Test
  void aClientWhoseLastStartIsLongestAgoGoesFirst() {
    enqueue("alice");
    turns.next(); // alice started one
    UUID b1 = enqueue("bob");
    UUID a2 = enqueue("alice");
    assertThat(turns.next().job()).isEqualTo(b1); // bob never started one
    assertThat(turns.next().job()).isEqualTo(a2);
  }

  @Test
  void unfinishedCountsQueuedAndRunningUntilFinished() {
    UUID a1 = enqueue("alice");
    enqueue("alice");
    assertThat(turns.unfinished("alice")).isEqualTo(2);
    turns.next(); // running: still unfinished
    assertThat(turns.unfinished("alice")).isEqualTo(2);
    turns.finished("alice");
    assertThat(turns.unfinished("alice")).isOne();
    assertThat(turns.withdraw("alice", a1)).isFalse(); // already started
    assertThat(turns.unfinished("nobody")).isZero();
  }

  @Test
  void aWithdrawnJobLeavesTheQueue() {
    UUID a1 = enqueue("alice");
    UUID a2 = enqueue("alice");
    assertThat(turns.withdraw("alice", a1)).isTrue();
    assertThat(turns.waiting()).isOne();
    assertThat(turns.next().job()).isEqualTo(a2);
    assertThat(turns.withdraw("bob", a2)).isFalse();
  }

  @Test
  void clearingReturnsEveryWaitingJob() {
    UUID a1 = enqueue("alice");
    UUID b1 = enqueue("bob");
    assertThat(turns.clear()).containsExactlyInAnyOrder(a1, b1);
    assertThat(turns.waiting()).isZero();
    assertThat(turns.unfinished("alice")).isZero();
    assertThatThrownBy(turns::next).isInstanceOf(NoSuchElementException.class);
  }
}
