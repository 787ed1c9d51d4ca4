package io.reachability.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.reachability.autonat.AddressClass;
import io.reachability.autonat.Reachability;
import io.reachability.monitor.AddressReport;
import io.reachability.monitor.ReachabilityMonitor;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One series per tracked address: {@code reach_monitor_address_verdict{address,transport}} (1
 * REACHABLE, 0 UNKNOWN, -1 UNREACHABLE) and {@code reach_monitor_address_confidence}, so that a
 * dashboard shows each address and an alert can say which one flipped. The series follow the
 * tracked addresses (at most the listen and announced addresses and 3 observed ones): read again at
 * every verdict change and every {@link #REFRESH_INTERVAL}. A series stays registered while its
 * address is tracked (a scrape never misses it, which would reset an alert's {@code for:}); one
 * whose address is no longer tracked is removed.
 */
final class MonitorAddressMetrics implements MeterBinder, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(MonitorAddressMetrics.class);

  static final String ADDRESS_VERDICT = "reach.monitor.address.verdict";
  static final String ADDRESS_CONFIDENCE = "reach.monitor.address.confidence";

  /** Confidence moves with every probe, without a verdict change: read again this often. */
  static final Duration REFRESH_INTERVAL = Duration.ofSeconds(10);

  /** What the gauges read between refreshes: per address, its verdict value and confidence. */
  private record Snapshot(int verdict, int confidence) {}

  private final ReachabilityMonitor monitor;
  private final Map<Tags, Snapshot> snapshots = new ConcurrentHashMap<>();
  private final ScheduledExecutorService refresher =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "monitor-metrics");
            thread.setDaemon(true);
            return thread;
          });
  private volatile @Nullable MultiGauge verdicts;
  private volatile @Nullable MultiGauge confidences;

  MonitorAddressMetrics(ReachabilityMonitor monitor) {
    this.monitor = monitor;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    if (verdicts != null) {
      return; // bound once: one listener, one refresh task
    }
    verdicts =
        MultiGauge.builder(ADDRESS_VERDICT)
            .description("each tracked address's verdict: 1 REACHABLE, 0 UNKNOWN, -1 UNREACHABLE")
            .register(registry);
    confidences =
        MultiGauge.builder(ADDRESS_CONFIDENCE)
            .description("each tracked address's confidence: |successes - failures| in its window")
            .register(registry);
    // every refresh on the refresher's thread: a listener runs on the monitor's, which must not
    // wait for this one while this one waits for the monitor
    refreshSoon();
    monitor.addListener(change -> refreshSoon());
    refresher.scheduleWithFixedDelay(
        this::refresh,
        REFRESH_INTERVAL.toMillis(),
        REFRESH_INTERVAL.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private void refreshSoon() {
    try {
      refresher.execute(this::refresh);
    } catch (RejectedExecutionException closing) {
      // the context is closing: nobody scrapes any more
    }
  }

  /** The value of a verdict on the gauge. */
  static int value(Reachability verdict) {
    return switch (verdict) {
      case REACHABLE -> 1;
      case UNKNOWN -> 0;
      case UNREACHABLE -> -1;
    };
  }

  /** Only ever on the refresher's thread. */
  private void refresh() {
    MultiGauge verdictGauge = verdicts;
    MultiGauge confidenceGauge = confidences;
    if (verdictGauge == null || confidenceGauge == null) {
      return;
    }
    try {
      List<AddressReport> tracked = monitor.report().addresses();
      Map<Tags, Snapshot> now = new HashMap<>();
      for (AddressReport a : tracked) {
        now.put(tags(a), new Snapshot(value(a.verdict()), a.confidence()));
      }
      snapshots.putAll(now);
      // rows read the snapshots: registering without overwrite keeps a tracked address's series in
      // place, adds new ones and removes those no longer tracked
      verdictGauge.register(
          now.keySet().stream()
              .map(t -> MultiGauge.Row.of(t, snapshots, s -> read(s, t, Snapshot::verdict)))
              .toList(),
          false);
      confidenceGauge.register(
          now.keySet().stream()
              .map(t -> MultiGauge.Row.of(t, snapshots, s -> read(s, t, Snapshot::confidence)))
              .toList(),
          false);
      snapshots.keySet().retainAll(now.keySet());
    } catch (RuntimeException e) {
      // the next refresh tries again; a throwing task would end the schedule
      log.warn("monitor metrics: refresh failed", e);
    }
  }

  private static double read(
      Map<Tags, Snapshot> snapshots, Tags tags, ToIntFunction<Snapshot> value) {
    Snapshot snapshot = snapshots.get(tags);
    return snapshot == null ? Double.NaN : value.applyAsInt(snapshot);
  }

  private static Tags tags(AddressReport a) {
    return Tags.of(
        "address", a.address().toString(), "transport", AddressClass.transport(a.address()));
  }

  @Override
  public void close() {
    refresher.shutdownNow();
  }
}
