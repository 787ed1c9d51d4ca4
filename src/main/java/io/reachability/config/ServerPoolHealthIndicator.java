package io.reachability.config;

import io.reachability.libp2p.host.Host;
import io.reachability.pool.EmbeddedPool;
import io.reachability.pool.PoolServer;
import io.reachability.pool.ServerPool;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Actuator health component {@code serverPool}: UP while at least one pool server (embedded ones
 * count) is ready (it said over identify that it speaks AutoNAT v2, and it is connected or answered
 * the last time the node talked to it), DOWN otherwise, with the counts as details. A pure AutoNAT
 * v2 server ({@code reach.server.enabled}, no pool) needs none: its empty pool is UP. Connections
 * to servers are closed when idle ({@code reach.node.idle-timeout}), so while none is connected it
 * probes the pool again in the background (at most every {@link #REPROBE_INTERVAL}): a server that
 * went away shows as not ready, one that came back as ready, a poll or so later.
 */
@Component // bean serverPoolHealthIndicator: the health component is named "serverPool" (the pool
// bean has that name)
class ServerPoolHealthIndicator implements HealthIndicator {

  /** Least time between two background probes started by health checks. */
  static final Duration REPROBE_INTERVAL = Duration.ofSeconds(30);

  private final ServerPool pool;
  private final Host host;
  private final boolean serverRole;
  private final AtomicLong lastProbe = new AtomicLong(System.nanoTime());

  ServerPoolHealthIndicator(ServerPool pool, Host host, AutonatServerProperties server) {
    this.pool = pool;
    this.host = host;
    this.serverRole = server.enabled();
  }

  /**
   * A pure AutoNAT v2 server: the server role on and nothing in the pool; it serves others and
   * needs no pool.
   */
  boolean pureServer() {
    return serverRole && pool.size() == 0;
  }

  /**
   * Pool servers that speak AutoNAT v2 and are connected or answered their last contact; while none
   * is connected, probes the pool again in the background.
   */
  long readyServers() {
    List<PoolServer> servers = pool.servers();
    long ready =
        servers.stream()
            .filter(s -> Boolean.TRUE.equals(s.speaksAutonatV2()))
            .filter(
                s -> ServerPool.connected(host, s) || Boolean.TRUE.equals(s.answeredLastContact()))
            .count();
    if (servers.stream().noneMatch(s -> ServerPool.connected(host, s))) {
      reprobe();
    }
    return ready;
  }

  @Override
  public Health health() {
    List<PoolServer> servers = pool.servers();
    long connected = servers.stream().filter(s -> ServerPool.connected(host, s)).count();
    long speaks = servers.stream().filter(s -> Boolean.TRUE.equals(s.speaksAutonatV2())).count();
    long ready = readyServers();
    Health.Builder builder = ready > 0 || pureServer() ? Health.up() : Health.down();
    builder
        .withDetail("servers", servers.size())
        .withDetail("connected", connected)
        .withDetail("speakAutonatV2", speaks)
        .withDetail("ready", ready)
        .withDetail("embedded", pool.hasEmbedded());
    if (pureServer()) {
      builder.withDetail(
          "notNeeded", "a pure AutoNAT v2 server: it serves checks to others and needs no pool");
    }
    if (pool.hasEmbedded()) {
      builder.withDetail("notice", EmbeddedPool.NOTICE);
    }
    return builder.build();
  }

  private void reprobe() {
    long last = lastProbe.get();
    long now = System.nanoTime();
    if (now - last >= REPROBE_INTERVAL.toNanos() && lastProbe.compareAndSet(last, now)) {
      pool.probe(host);
    }
  }
}
