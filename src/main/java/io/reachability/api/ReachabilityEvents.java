package io.reachability.api;

import io.reachability.reachability.ReachabilityMonitor;
import io.reachability.reachability.ReachabilityReport;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The subscribers of {@code GET /api/v1/reachability/events}. Every send happens on one thread of
 * its own, so a slow client never holds up the monitor; a client whose send fails is dropped.
 */
final class ReachabilityEvents implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReachabilityEvents.class);

  /** Most subscribers at once; beyond, a subscription is turned away (503). */
  static final int MAX_SUBSCRIBERS = 256;

  /** A subscription ends after this many minutes; EventSource clients reconnect by themselves. */
  static final int SUBSCRIPTION_MINUTES = 30;

  static final Duration SUBSCRIPTION_TIMEOUT = Duration.ofMinutes(SUBSCRIPTION_MINUTES);

  /** A comment line this often (seconds) keeps proxies from closing a quiet stream and finds dead clients. */
  static final int HEARTBEAT_SECONDS = 30;

  static final Duration HEARTBEAT = Duration.ofSeconds(HEARTBEAT_SECONDS);

  /** The event name of every verdict. */
  static final String EVENT = "verdict";

  static final String THREAD_NAME = "reach-sse";

  private final ReachabilityMonitor monitor;
  private final Clock clock;
  private final Set<SseEmitter> subscribers = ConcurrentHashMap.newKeySet();
  private final AtomicLong ids = new AtomicLong();
  private final ScheduledExecutorService sender =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, THREAD_NAME);
            thread.setDaemon(true);
            return thread;
          });
  private final java.util.function.Consumer<ReachabilityMonitor.VerdictChange> listener = this::changed;

  ReachabilityEvents(ReachabilityMonitor monitor, Clock clock) {
    this.monitor = monitor;
    this.clock = clock;
    monitor.addListener(listener);
    sender.scheduleWithFixedDelay(this::heartbeat, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A new subscriber: it gets every tracked address's verdict first, then the changes. */
  SseEmitter subscribe() {
    if (subscribers.size() >= MAX_SUBSCRIBERS) {
      throw new TooManySubscribersException(MAX_SUBSCRIBERS);
    }
    SseEmitter emitter = new SseEmitter(SUBSCRIPTION_TIMEOUT.toMillis());
    emitter.onCompletion(() -> subscribers.remove(emitter));
    emitter.onTimeout(() -> subscribers.remove(emitter));
    emitter.onError(e -> subscribers.remove(emitter));
    // on the sender thread: the snapshot goes out before any change queued after it
    sender.execute(
        () -> {
          ReachabilityReport report = monitor.report();
          Instant now = clock.instant();
          List<VerdictEvent> current =
              report.addresses().stream().map(a -> new VerdictEvent(a.address().toString(), a.verdict(), null, now)).toList();
          for (VerdictEvent event : current) {
            if (!send(emitter, event)) {
              return;
            }
          }
          subscribers.add(emitter);
        });
    return emitter;
  }

  private void changed(ReachabilityMonitor.VerdictChange change) {
    VerdictEvent event = VerdictEvent.of(change);
    try {
      sender.execute(() -> subscribers.forEach(emitter -> send(emitter, event)));
    } catch (RuntimeException e) {
      // closed
    }
  }

  private boolean send(SseEmitter emitter, VerdictEvent event) {
    try {
      emitter.send(SseEmitter.event().id(Long.toString(ids.incrementAndGet())).name(EVENT).data(event, MediaType.APPLICATION_JSON));
      return true;
    } catch (IOException | IllegalStateException e) {
      log.debug("reachability events: dropping a subscriber: {}", e.toString());
      subscribers.remove(emitter);
      emitter.completeWithError(e);
      return false;
    }
  }

  private void heartbeat() {
    for (SseEmitter emitter : subscribers) {
      try {
        emitter.send(SseEmitter.event().comment("keep-alive"));
      } catch (IOException | IllegalStateException e) {
        subscribers.remove(emitter);
        emitter.completeWithError(e);
      }
    }
  }

  @Override
  public void close() {
    monitor.removeListener(listener);
    sender.shutdownNow();
    subscribers.forEach(SseEmitter::complete);
    subscribers.clear();
  }
}
