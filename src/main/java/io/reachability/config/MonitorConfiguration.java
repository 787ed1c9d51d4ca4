package io.reachability.config;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.reachability.autonat.AutonatClient;
import io.reachability.autonat.CheckOptions;
import io.reachability.autonat.Reachability;
import io.reachability.job.AddressResult;
import io.reachability.job.Attempt;
import io.reachability.job.JobService;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.host.Host;
import io.reachability.monitor.CandidateAddresses;
import io.reachability.monitor.MonitorSettings;
import io.reachability.monitor.ProbeOutcome;
import io.reachability.monitor.ReachabilityMonitor;
import io.reachability.monitor.ReachabilityReport;
import io.reachability.pool.PoolServer;
import io.reachability.pool.ServerPool;
import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The reachability monitor ({@code reach.monitor.enabled}, default on): probes the node's candidate
 * addresses through the pool's servers, hears every finished check job's answers (which at most
 * prompt a re-probe), and starts once the pool is up. Closed before the client and the pool it
 * uses.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "reach.monitor.enabled", matchIfMissing = true)
class MonitorConfiguration {

  private static final Logger log = LoggerFactory.getLogger(MonitorConfiguration.class);

  @Bean(destroyMethod = "close")
  ReachabilityMonitor reachabilityMonitor(
      MonitorSettings settings,
      AutonatClient client,
      ServerPool pool,
      Host host,
      NodeProperties node,
      MonitorProperties properties,
      JobService jobs) {
    CheckOptions defaults = CheckOptions.from(client.settings());
    ReachabilityMonitor monitor =
        new ReachabilityMonitor(
            settings,
            (server, address, timeout) ->
                client
                    .check(server, List.of(address), defaults.withTimeout(timeout))
                    .whenComplete(
                        (result, error) -> {
                          if (result != null) {
                            pool.record(result);
                          }
                        }),
            () ->
                pool.usable().stream()
                    .map(s -> new ReachabilityMonitor.Server(s.address(), !s.embedded()))
                    .toList(),
            () -> candidates(host, node, pool, properties.trackPrivateAddresses()),
            Clock.systemUTC());
    // jobs' answers never decide a verdict: one from a pool server that disagrees only prompts a
    // re-probe (ReachabilityMonitor.recordJobAnswer)
    jobs.addFinishedListener(
        job -> {
          Set<PeerId> trusted = poolPeers(pool);
          for (AddressResult result : job.results()) {
            for (Attempt attempt : result.attempts()) {
              monitor.recordJobAnswer(
                  result.address(),
                  attempt.server(),
                  ProbeOutcome.of(attempt.reachability(), attempt.responseStatus()),
                  trusted);
            }
          }
        });
    // identify announces what the monitor has not found unreachable, confirmed addresses first
    host.setAdvertisedAddressesFilter(base -> monitor.advertise(base, node.announceAddresses()));
    host.addObservedAddressListener(observed -> monitor.candidatesChanged());
    pool.addChangeListener(monitor::serversChanged);
    log.info(
        "reachability monitor: tracking {}",
        candidates(host, node, pool, properties.trackPrivateAddresses()));
    return monitor.start();
  }

  /**
   * Actuator health component {@code reachability}: UP while the monitor runs, the node's
   * reachability and counts as details.
   */
  @Bean
  HealthIndicator reachabilityHealthIndicator(ReachabilityMonitor monitor) {
    return () -> {
      ReachabilityReport report = monitor.report();
      Map<Reachability, Long> counts = count(report);
      return Health.up()
          .withDetail("reachability", report.reachability())
          .withDetail("reachable", counts.getOrDefault(Reachability.REACHABLE, 0L))
          .withDetail("unreachable", counts.getOrDefault(Reachability.UNREACHABLE, 0L))
          .withDetail("unknown", counts.getOrDefault(Reachability.UNKNOWN, 0L))
          .withDetail("probesInFlight", monitor.probesInFlight())
          .build();
    };
  }

  /**
   * Gauges {@code reach.monitor.addresses{verdict}} and the counter {@code reach.monitor.probes}.
   */
  @Bean
  MeterBinder reachabilityMonitorMetrics(ReachabilityMonitor monitor) {
    return registry -> {
      for (Reachability verdict : Reachability.values()) {
        // verdicts() only: a scrape needs no window or history copies
        Gauge.builder(
                MONITOR_ADDRESSES,
                monitor,
                m -> m.verdicts().values().stream().filter(v -> v == verdict).count())
            .tag("verdict", verdict.name())
            .description("tracked candidate addresses by the monitor's verdict")
            .register(registry);
      }
      FunctionCounter.builder(MONITOR_PROBES, monitor, ReachabilityMonitor::probesSent)
          .description("probes the monitor sent")
          .register(registry);
    };
  }

  /** Per address: {@code reach.monitor.address.verdict} and {@code .confidence}. */
  @Bean(destroyMethod = "close")
  MonitorAddressMetrics monitorAddressMetrics(ReachabilityMonitor monitor) {
    return new MonitorAddressMetrics(monitor);
  }

  static final String MONITOR_ADDRESSES = "reach.monitor.addresses";
  static final String MONITOR_PROBES = "reach.monitor.probes";

  private static Map<Reachability, Long> count(ReachabilityReport report) {
    Map<Reachability, Long> counts = new EnumMap<>(Reachability.class);
    for (Reachability verdict : Reachability.values()) {
      counts.put(verdict, report.addresses().stream().filter(a -> a.verdict() == verdict).count());
    }
    return counts;
  }

  private static List<Multiaddr> candidates(
      Host host, NodeProperties node, ServerPool pool, boolean trackPrivate) {
    return CandidateAddresses.of(
        host, node.announceAddresses(), poolPeers(pool), trackPrivate || pool.hasEmbedded());
  }

  private static Set<PeerId> poolPeers(ServerPool pool) {
    return pool.servers().stream().map(PoolServer::peerId).collect(Collectors.toSet());
  }
}
