package io.reachability.api;

import io.reachability.monitor.ReachabilityMonitor;
import io.reachability.monitor.ReachabilityReport;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The subscribers of {@code GET /api/v1/reachability/events}.
 *
 * <p>One fan-out thread puts every message (a new subscriber's snapshot, each verdict change, the
 * heartbeat) into each subscriber's own bounded queue and never writes to a socket itself, so a
 * slow client never holds up the monitor or the other clients. Each subscriber's queue is drained
 * by a writer task of its own; a client that falls {@link #MAX_QUEUED} messages behind is dropped.
 *
 * <p>A subscriber's slot is reserved before {@link #subscribe()} returns (the cap is exact) and
 * freed exactly once, by its writer, when the subscriber ends for any reason: a failed send, the
 * container's completion, timeout or error, a drop, the service closing. Nothing a send or a
 * complete throws escapes a writer or the fan-out thread.
 */
final class ReachabilityEvents implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReachabilityEvents.class);

  /** Most subscribers at once; beyond, a subscription is turned away (503). */
  static final int MAX_SUBSCRIBERS = 256;

  /**
   * Most subscribers of one client (an API key that is no admin's, or else one remote IP): a
   * dashboard needs one or two; beyond, 429, so that one client cannot take every slot.
   */
  static final int MAX_SUBSCRIBERS_PER_CLIENT = 8;

  /**
   * Messages waiting for one subscriber (a snapshot counts as one); a client further behind is
   * dropped. Far more than a burst of changes (one per tracked address), while a queue holds only
   * references to events every subscriber shares.
   */
  static final int MAX_QUEUED = 1024;

  /**
   * Writer threads at most: one per subscriber, plus room for writers still blocked in a dropped
   * subscriber's last write (a write to a client that stopped reading returns only at the
   * container's write timeout).
   */
  static final int MAX_WRITERS = 2 * MAX_SUBSCRIBERS;

  /** A subscription ends after this many minutes; EventSource clients reconnect by themselves. */
  static final int SUBSCRIPTION_MINUTES = 30;

  static final Duration SUBSCRIPTION_TIMEOUT = Duration.ofMinutes(SUBSCRIPTION_MINUTES);

  /**
   * A comment line this often (seconds) keeps proxies from closing a quiet stream and finds dead
   * clients.
   */
  static final int HEARTBEAT_SECONDS = 30;

  static final Duration HEARTBEAT = Duration.ofSeconds(HEARTBEAT_SECONDS);

  /** The event name of every verdict. */
  static final String EVENT = "verdict";

  static final String THREAD_NAME = "reach-sse";

  /** The heartbeat message in a subscriber's queue. */
  private static final Object KEEP_ALIVE = new Object();

  private final ReachabilityMonitor monitor;
  private final Clock clock;
  private final Supplier<SseEmitter> emitters;

  /** Slots taken: reserved in {@link #subscribe()}, freed by {@link Subscriber#release()}. */
  private final AtomicInteger slots = new AtomicInteger();

  /** Slots taken per client; guarded by itself. */
  private final Map<String, Integer> perClient = new HashMap<>();

  /** Every subscriber whose slot is taken. */
  private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();

  private final AtomicLong ids = new AtomicLong();
  private final ScheduledExecutorService fanOut =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, THREAD_NAME);
            thread.setDaemon(true);
            return thread;
          });
  private final ThreadPoolExecutor writers;
  private final Consumer<ReachabilityMonitor.VerdictChange> listener = this::changed;
  private volatile boolean closed;

  ReachabilityEvents(ReachabilityMonitor monitor, Clock clock) {
    this(monitor, clock, HEARTBEAT, () -> new SseEmitter(SUBSCRIPTION_TIMEOUT.toMillis()));
  }

  /** For tests: another heartbeat interval, emitters of their own. */
  ReachabilityEvents(
      ReachabilityMonitor monitor, Clock clock, Duration heartbeat, Supplier<SseEmitter> emitters) {
    this.monitor = monitor;
    this.clock = clock;
    this.emitters = emitters;
    AtomicInteger threads = new AtomicInteger();
    this.writers =
        new ThreadPoolExecutor(
            0,
            MAX_WRITERS,
            HEARTBEAT_SECONDS,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread thread = new Thread(r, THREAD_NAME + "-writer-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    monitor.addListener(listener);
    fanOut.scheduleWithFixedDelay(
        this::heartbeat, heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * A new subscriber: it gets every tracked address's verdict first, then the changes.
   *
   * @throws TooManySubscribersException when {@link #MAX_SUBSCRIBERS} slots are taken
   */
  SseEmitter subscribe() {
    return subscribe(null);
  }

  /**
   * A new subscriber of {@code client} (null = not bounded per client: in-process use).
   *
   * @throws TooManySubscribersException when {@link #MAX_SUBSCRIBERS} slots are taken
   * @throws TooManySubscriptionsException when {@code client} has {@link
   *     #MAX_SUBSCRIBERS_PER_CLIENT}
   */
  SseEmitter subscribe(@Nullable String client) {
    if (closed || !reserve()) {
      throw new TooManySubscribersException(MAX_SUBSCRIBERS);
    }
    if (!reserveFor(client)) {
      slots.decrementAndGet();
      throw new TooManySubscriptionsException(MAX_SUBSCRIBERS_PER_CLIENT);
    }
    SseEmitter emitter;
    Subscriber subscriber;
    try {
      emitter = emitters.get();
      subscriber = new Subscriber(emitter, client);
      // the container ends the request (client gone, timeout, error): end the subscriber too
      emitter.onCompletion(subscriber::end);
      emitter.onTimeout(subscriber::end);
      emitter.onError(e -> subscriber.end());
    } catch (RuntimeException e) {
      slots.decrementAndGet();
      releaseFor(client);
      throw e;
    }
    subscribers.add(subscriber);
    try {
      // on the fan-out thread: the snapshot is queued before any change fanned out after it
      fanOut.execute(
          () -> {
            try {
              subscriber.start(snapshot());
            } catch (RuntimeException e) {
              log.warn("reachability events: no snapshot for a new subscriber", e);
              subscriber.end();
            }
          });
    } catch (RejectedExecutionException e) { // closed meanwhile
      subscriber.end();
    }
    return emitter;
  }

  /** Subscribers whose slot is taken (those whose end is in progress included). */
  int subscriberCount() {
    return slots.get();
  }

  private boolean reserve() {
    while (true) {
      int taken = slots.get();
      if (taken >= MAX_SUBSCRIBERS) {
        return false;
      }
      if (slots.compareAndSet(taken, taken + 1)) {
        return true;
      }
    }
  }

  private boolean reserveFor(@Nullable String client) {
    if (client == null) {
      return true;
    }
    synchronized (perClient) {
      int taken = perClient.getOrDefault(client, 0);
      if (taken >= MAX_SUBSCRIBERS_PER_CLIENT) {
        return false;
      }
      perClient.put(client, taken + 1);
      return true;
    }
  }

  private void releaseFor(@Nullable String client) {
    if (client != null) {
      synchronized (perClient) {
        perClient.computeIfPresent(client, (k, n) -> n > 1 ? n - 1 : null);
      }
    }
  }

  private List<VerdictEvent> snapshot() {
    ReachabilityReport report = monitor.report();
    Instant now = clock.instant();
    return report.addresses().stream()
        .map(a -> new VerdictEvent(a.address().toString(), a.verdict(), null, now))
        .toList();
  }

  /** The monitor's listener: fanned out on the fan-out thread, never on the monitor's. */
  void changed(ReachabilityMonitor.VerdictChange change) {
    VerdictEvent event = VerdictEvent.of(change);
    try {
      fanOut.execute(() -> subscribers.forEach(subscriber -> subscriber.offer(event)));
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  /** On the fan-out thread; must never throw, or the executor would cancel it for good. */
  private void heartbeat() {
    try {
      for (Subscriber subscriber : subscribers) {
        subscriber.keepAlive();
      }
    } catch (RuntimeException e) {
      log.warn("reachability events: heartbeat failed", e);
    }
  }

  @Override
  public void close() {
    closed = true;
    monitor.removeListener(listener);
    fanOut.shutdownNow();
    subscribers.forEach(Subscriber::end);
    writers.shutdown(); // the writers finish what they are doing: end their subscribers
  }

  /** One client: its queue, its writer, its slot. */
  private final class Subscriber {
    private final SseEmitter emitter;
    private final @Nullable String client;
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(MAX_QUEUED);

    /** A writer task is scheduled or running; at most one at a time. */
    private final AtomicBoolean writing = new AtomicBoolean();

    private final AtomicBoolean released = new AtomicBoolean();

    /** Takes changes (after its snapshot); fan-out thread only. */
    private boolean receiving;

    private volatile boolean ended;

    Subscriber(SseEmitter emitter, @Nullable String client) {
      this.emitter = emitter;
      this.client = client;
    }

    /** Fan-out thread. */
    void start(List<VerdictEvent> snapshot) {
      receiving = true;
      offer(snapshot);
    }

    /** Fan-out thread. */
    void offer(Object message) {
      if (!receiving || ended) {
        return;
      }
      if (!queue.offer(message)) {
        log.debug("reachability events: dropping a subscriber {} messages behind", MAX_QUEUED);
        end();
        return;
      }
      schedule();
    }

    /**
     * Fan-out thread: a keep-alive only when nothing else waits (a stalled client does not fill up
     * on them).
     */
    void keepAlive() {
      if (receiving && queue.isEmpty()) {
        offer(KEEP_ALIVE);
      }
    }

    /** Any thread: no more messages; the writer completes the stream and frees the slot. */
    void end() {
      ended = true;
      queue.clear();
      schedule();
    }

    private void schedule() {
      if (writing.compareAndSet(false, true)) {
        try {
          writers.execute(this::write);
        } catch (RejectedExecutionException e) {
          // closed (or every writer blocked): this subscriber cannot be served
          writing.set(false);
          ended = true;
          queue.clear();
          release();
        }
      }
    }

    /**
     * The writer: sends what is queued, in order; the only place that touches the emitter after
     * subscribe.
     */
    private void write() {
      while (true) {
        if (ended) {
          finish();
          return;
        }
        Object message = queue.poll();
        if (message == null) {
          writing.set(false);
          // a message or an end may have come after the poll: go on if no other writer took over
          if ((queue.isEmpty() && !ended) || !writing.compareAndSet(false, true)) {
            return;
          }
          continue;
        }
        if (!send(message)) {
          ended = true;
        }
      }
    }

    @SuppressWarnings("unchecked")
    private boolean send(Object message) {
      try {
        if (message == KEEP_ALIVE) {
          emitter.send(SseEmitter.event().comment("keep-alive"));
        } else if (message instanceof List<?> snapshot) {
          for (VerdictEvent event : (List<VerdictEvent>) snapshot) {
            sendEvent(event);
          }
        } else {
          sendEvent((VerdictEvent) message);
        }
        return true;
      } catch (IOException | RuntimeException e) {
        // the client went away, or the container ended the request already
        log.debug("reachability events: dropping a subscriber: {}", e.toString());
        return false;
      }
    }

    private void sendEvent(VerdictEvent event) throws IOException {
      emitter.send(
          SseEmitter.event()
              .id(Long.toString(ids.incrementAndGet()))
              .name(EVENT)
              .data(event, MediaType.APPLICATION_JSON));
    }

    /** Writer thread, no write of ours in progress. */
    private void finish() {
      try {
        emitter.complete();
      } catch (RuntimeException e) {
        // after a failed send or the container's own end there is nothing left to complete
        log.debug("reachability events: completing a stream: {}", e.toString());
      }
      release();
    }

    private void release() {
      if (released.compareAndSet(false, true)) {
        subscribers.remove(this);
        slots.decrementAndGet();
        releaseFor(client);
      }
    }
  }
}
