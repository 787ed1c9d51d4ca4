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
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One series per tracked address: {@code reach_monitor_address_verdict{address,transport}} (1
 * REACHABLE, 0 UNKNOWN, -1 UNREACHABLE) and {@code reach_monitor_address_confidence}, so that a
 * dashboard shows each address and an alert can say which one flipped. The series follow the
 * tracked addresses (at most the listen and announced addresses and 3 observed ones): refreshed at
 * every verdict change and every {@link #REFRESH_INTERVAL}, an address no longer tracked drops out.
 */
final class MonitorAddressMetrics implements MeterBinder, AutoCloseable {

  static final String ADDRESS_VERDICT = "reach.monitor.address.verdict";
  static final String ADDRESS_CONFIDENCE = "reach.monitor.address.confidence";

  /** Confidence moves with every probe, without a verdict change: read again this often. */
  static final Duration REFRESH_INTERVAL = Duration.ofSeconds(10);

  private final ReachabilityMonitor monitor;
  private final ScheduledExecutorService refresher =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "monitor-metrics");
            thread.setDaemon(true);
            return thread;
          });
  private @Nullable MultiGauge verdicts;
  private @Nullable MultiGauge confidences;

  MonitorAddressMetrics(ReachabilityMonitor monitor) {
    this.monitor = monitor;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    synchronized (this) {
      verdicts =
          MultiGauge.builder(ADDRESS_VERDICT)
              .description("each tracked address's verdict: 1 REACHABLE, 0 UNKNOWN, -1 UNREACHABLE")
              .register(registry);
      confidences =
          MultiGauge.builder(ADDRESS_CONFIDENCE)
              .description(
                  "each tracked address's confidence: |successes - failures| in its window")
              .register(registry);
    }
    // every refresh on the refresher's thread: a listener runs on the monitor's, which must not
    // wait for this one's lock while this one waits for the monitor's
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

  synchronized void refresh() {
    if (verdicts == null || confidences == null) {
      return;
    }
    List<AddressReport> tracked = monitor.report().addresses();
    verdicts.register(
        tracked.stream().map(a -> MultiGauge.Row.of(tags(a), value(a.verdict()))).toList(), true);
    confidences.register(
        tracked.stream().map(a -> MultiGauge.Row.of(tags(a), a.confidence())).toList(), true);
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
