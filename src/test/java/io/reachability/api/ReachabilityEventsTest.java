package io.reachability.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reachability.autonat.CheckResult;
import io.reachability.autonat.Reachability;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.monitor.MonitorSettings;
import io.reachability.monitor.ReachabilityMonitor;
import io.reachability.testing.Waiting;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The fan-out of {@code /api/v1/reachability/events} with scripted emitters: what happens when a
 * send or a complete fails, how the subscriber cap is counted, and that a client whose writes block
 * holds up nobody else. The heartbeat is short here; waits are bounded polls, not timings.
 */
class ReachabilityEventsTest {

  static final Multiaddr ADDRESS = Multiaddr.fromString("/ip4/198.51.100.7/tcp/4001");
  static final Duration WAIT = Duration.ofSeconds(10);
  static final Duration FAST_HEARTBEAT = Duration.ofMillis(20);

  private final ReachabilityMonitor monitor =
      new ReachabilityMonitor(
          MonitorSettings.DEFAULTS,
          (server, address, timeout) -> new CompletableFuture<CheckResult>(),
          List::of,
          () -> List.of(ADDRESS),
          Clock.systemUTC());
  private final List<ReachabilityEvents> opened = new ArrayList<>();
  private final List<CountDownLatch> toRelease = new ArrayList<>();

  @AfterEach
  void close() {
    toRelease.forEach(CountDownLatch::countDown);
    opened.forEach(ReachabilityEvents::close);
    monitor.close();
  }

  private ReachabilityEvents events(Duration heartbeat, Supplier<SseEmitter> emitters) {
    ReachabilityEvents events =
        new ReachabilityEvents(monitor, Clock.systemUTC(), heartbeat, emitters);
    opened.add(events);
    return events;
  }

  /** Events whose emitters are scripted ones, each added to {@code made} as it is made. */
  private ReachabilityEvents recording(Duration heartbeat, List<ScriptedEmitter> made) {
    return events(
        heartbeat,
        () -> {
          ScriptedEmitter emitter = new ScriptedEmitter();
          made.add(emitter);
          return emitter;
        });
  }

  private static ReachabilityMonitor.VerdictChange change(Reachability to) {
    return new ReachabilityMonitor.VerdictChange(ADDRESS, Reachability.UNKNOWN, to, Instant.now());
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    Waiting.within(WAIT).alias(what).until(condition::getAsBoolean);
  }

  /** An emitter that records what it is sent, or fails, or blocks, as told. */
  static class ScriptedEmitter extends SseEmitter {
    final BlockingQueue<String> sent = new LinkedBlockingQueue<>();
    volatile boolean failSends;
    volatile boolean failCompletes;
    volatile CountDownLatch blockSends;
    volatile int completions;

    ScriptedEmitter() {
      super(Duration.ofMinutes(30).toMillis());
    }

    @Override
    public void send(SseEventBuilder builder) throws IOException {
      CountDownLatch block = blockSends;
      if (block != null) {
        try {
          block.await(); // a client that never reads: the write does not return
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (failSends) {
        throw new IOException("Broken pipe");
      }
      StringBuilder text = new StringBuilder();
      for (ResponseBodyEmitter.DataWithMediaType part : builder.build()) {
        text.append(part.getData());
      }
      sent.add(text.toString());
    }

    @Override
    public void complete() {
      completions++;
      if (failCompletes) {
        // what Tomcat does once the container has seen an error on the connection
        throw new IllegalStateException(
            "Calling [asyncComplete()] is not valid for a request with Async state [ERROR]");
      }
    }

    @Override
    public void completeWithError(Throwable ex) {
      complete();
    }

    boolean got(String text) {
      return sent.stream().anyMatch(s -> s.contains(text));
    }
  }

  @Test
  void aFailingSendAndAFailingCompleteLeaveTheHeartbeatAliveAndFreeTheSlot() throws Exception {
    List<ScriptedEmitter> made = new CopyOnWriteArrayList<>();
    ReachabilityEvents events = recording(FAST_HEARTBEAT, made);
    events.subscribe();
    ScriptedEmitter dead = made.get(0);
    await(() -> events.subscriberCount() == 1, "the first subscriber counted");
    dead.failSends = true;
    dead.failCompletes = true;

    // the dead one's heartbeat fails, its complete throws: its slot comes back all the same
    await(() -> events.subscriberCount() == 0, "the dead subscriber's slot freed");

    // and the heartbeat still runs for the next subscriber
    events.subscribe();
    ScriptedEmitter alive = made.get(1);
    await(
        () -> alive.sent.stream().filter(s -> s.contains("keep-alive")).count() >= 2,
        "heartbeats to the live subscriber");
  }

  @Test
  void aFailingSendOfAVerdictIsHarmlessToo() throws Exception {
    List<ScriptedEmitter> made = new CopyOnWriteArrayList<>();
    ReachabilityEvents events = recording(Duration.ofHours(1), made);
    events.subscribe();
    events.subscribe();
    await(() -> events.subscriberCount() == 2, "two subscribers");
    made.get(0).failSends = true;
    made.get(0).failCompletes = true;

    events.changed(change(Reachability.REACHABLE));
    events.changed(change(Reachability.UNREACHABLE));

    await(() -> made.get(1).got("UNREACHABLE"), "both changes to the live subscriber");
    assertThat(made.get(1).got("verdict=REACHABLE"))
        .as("the change the failed one was sent first")
        .isTrue();
    await(() -> events.subscriberCount() == 1, "the failed one dropped");
  }

  /** The cap was checked before an asynchronous add: 300 of 300 got in. */
  @Test
  void theCapIsExact() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    toRelease.add(never);
    ReachabilityEvents events =
        events(
            Duration.ofHours(1),
            () -> {
              ScriptedEmitter emitter = new ScriptedEmitter();
              emitter.blockSends =
                  never; // every client stalls: nothing completes, nothing is freed
              return emitter;
            });
    int accepted = 0;
    int refused = 0;
    for (int i = 0; i < ReachabilityEvents.MAX_SUBSCRIBERS + 44; i++) {
      try {
        events.subscribe();
        accepted++;
      } catch (TooManySubscribersException e) {
        refused++;
      }
    }
    assertThat(accepted).isEqualTo(ReachabilityEvents.MAX_SUBSCRIBERS);
    assertThat(refused).isEqualTo(44);
    assertThatThrownBy(events::subscribe).isInstanceOf(TooManySubscribersException.class);
  }

  @Test
  void aStalledClientDelaysNobodyAndIsDroppedWhenTooFarBehind() throws Exception {
    CountDownLatch stall = new CountDownLatch(1);
    toRelease.add(stall);
    List<ScriptedEmitter> made = new CopyOnWriteArrayList<>();
    ReachabilityEvents events = recording(Duration.ofHours(1), made);
    events.subscribe();
    events.subscribe();
    await(() -> events.subscriberCount() == 2, "two subscribers");
    ScriptedEmitter stalled = made.get(0);
    ScriptedEmitter reader = made.get(1);
    stalled.blockSends = stall;

    // the stalled one blocks in its first write; the other gets every change meanwhile (one at a
    // time: a burst could leave even a reading client behind for a moment)
    for (int i = 0; i <= ReachabilityEvents.MAX_QUEUED + 1; i++) {
      events.changed(change(i % 2 == 0 ? Reachability.REACHABLE : Reachability.UNREACHABLE));
      int sent = i + 1;
      await(() -> reader.sent.size() == sent, "change " + sent + " to the reading client");
    }
    assertThat(stalled.sent).isEmpty();

    // too far behind: dropped, its slot freed once its blocked write returns
    stall.countDown();
    await(() -> events.subscriberCount() == 1, "the stalled client dropped");
    await(() -> stalled.completions > 0, "its stream ended");
    assertThat(stalled.sent.size()).isLessThanOrEqualTo(1);
  }

  /** One client cannot take every slot: it gets at most its share, others still get in. */
  @Test
  void oneClientHasAtMostItsShareOfTheSlots() throws Exception {
    List<ScriptedEmitter> made = new CopyOnWriteArrayList<>();
    ReachabilityEvents events = recording(Duration.ofHours(1), made);
    for (int i = 0; i < ReachabilityEvents.MAX_SUBSCRIBERS_PER_CLIENT; i++) {
      events.subscribe("ip 192.0.2.1");
    }
    assertThatThrownBy(() -> events.subscribe("ip 192.0.2.1"))
        .isInstanceOf(TooManySubscriptionsException.class)
        .hasMessageContaining(
            ReachabilityEvents.MAX_SUBSCRIBERS_PER_CLIENT + " reachability event streams");
    events.subscribe("key alice");
    await(
        () -> events.subscriberCount() == ReachabilityEvents.MAX_SUBSCRIBERS_PER_CLIENT + 1,
        "every admitted subscriber");

    // one of the first client's streams ends (the client went away): it may subscribe once more
    made.get(0).failSends = true;
    events.changed(change(Reachability.REACHABLE));
    await(
        () -> events.subscriberCount() == ReachabilityEvents.MAX_SUBSCRIBERS_PER_CLIENT,
        "the failed stream's slot freed");
    events.subscribe("ip 192.0.2.1");
    assertThatThrownBy(() -> events.subscribe("ip 192.0.2.1"))
        .isInstanceOf(TooManySubscriptionsException.class);
  }
}
