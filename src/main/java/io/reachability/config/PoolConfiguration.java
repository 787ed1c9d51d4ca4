package io.reachability.config;

import io.reachability.libp2p.host.Host;
import io.reachability.pool.DiscoverySettings;
import io.reachability.pool.EmbeddedPool;
import io.reachability.pool.ServerDiscovery;
import io.reachability.pool.ServerPool;
import java.security.SecureRandom;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The server pool: the configured servers plus, when {@code reach.pool.embedded.enabled} resolves
 * to true, the embedded loopback servers. They start while the context starts, so before the
 * service reports ready, and stop when it closes.
 */
@Configuration(proxyBeanMethods = false)
class PoolConfiguration {

  private static final Logger log = LoggerFactory.getLogger(PoolConfiguration.class);

  @Bean(destroyMethod = "close")
  ServerPool serverPool(PoolProperties pool, AutonatServerProperties server, Host host) {
    EmbeddedPool embedded =
        pool.embeddedEnabled() ? EmbeddedPool.start(pool.embedded().size()) : null;
    ServerPool servers = ServerPool.of(pool.serverAddresses(), embedded);
    if (servers.size() == 0 && server.enabled()) {
      // a pure AutoNAT v2 server: fine, but its own checks have nobody to ask
      log.info(
          "the server pool is empty: this service serves checks to others; its own checks need"
              + " servers named in the request");
    } else if (servers.size() == 0) {
      log.warn(
          "the server pool is empty (reach.pool.servers unset, embedded pool off): every check will"
              + " be UNKNOWN");
    } else {
      log.info("server pool: {}", servers.servers());
    }
    // in the background: a slow or absent real server must not hold up the start
    servers.probe(host);
    return servers;
  }

  /** Server discovery on the DHT, when {@code reach.pool.discovery.enabled}. */
  @Bean(destroyMethod = "close")
  @ConditionalOnProperty(name = "reach.pool.discovery.enabled", havingValue = "true")
  ServerDiscovery serverDiscovery(DiscoverySettings settings, ServerPool servers, Host host) {
    return new ServerDiscovery(host, servers, settings, Clock.systemUTC(), new SecureRandom())
        .start();
  }

  @Bean
  @ConditionalOnProperty(name = "reach.pool.discovery.enabled", havingValue = "true")
  DiscoveryMetrics discoveryMetrics(ServerDiscovery discovery) {
    return new DiscoveryMetrics(discovery);
  }

  /** Gauges of the pool's size and of its ready servers. */
  @Bean
  PoolMetrics poolMetrics(ServerPool servers, Host host) {
    return new PoolMetrics(servers, host);
  }
}
