package io.reachability.config;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.reachability.libp2p.host.Host;
import io.reachability.pool.PoolServer;
import io.reachability.pool.ServerPool;

/**
 * The pool's health as gauges ({@code reach_pool_servers}, {@code reach_pool_servers_ready}): how
 * many servers it holds and how many are ready by {@link ServerPoolHealthIndicator}'s rule, read
 * without its background re-probe so that a scrape never sends traffic.
 */
final class PoolMetrics implements MeterBinder {

  static final String SERVERS = "reach.pool.servers";
  static final String READY = "reach.pool.servers.ready";

  private final ServerPool pool;
  private final Host host;

  PoolMetrics(ServerPool pool, Host host) {
    this.pool = pool;
    this.host = host;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder(SERVERS, pool, ServerPool::size)
        .description("AutoNAT v2 servers in the pool (embedded, configured and discovered)")
        .register(registry);
    Gauge.builder(READY, this, PoolMetrics::ready)
        .description(
            "pool servers that speak AutoNAT v2 and are connected or answered their last contact")
        .register(registry);
  }

  private long ready() {
    return pool.servers().stream()
        .filter(s -> Boolean.TRUE.equals(s.speaksAutonatV2()))
        .filter(s -> ServerPool.connected(host, s) || isTrue(s))
        .count();
  }

  private static boolean isTrue(PoolServer server) {
    return Boolean.TRUE.equals(server.answeredLastContact());
  }
}
