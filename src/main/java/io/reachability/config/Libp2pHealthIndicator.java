package io.reachability.config;

import io.reachability.libp2p.host.Host;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Actuator health component {@code libp2p}: the node, its listen addresses and connection count.
 */
@Component("libp2p")
class Libp2pHealthIndicator implements HealthIndicator {

  private final Host host;

  Libp2pHealthIndicator(Host host) {
    this.host = host;
  }

  @Override
  public Health health() {
    Health.Builder builder = host.listenAddresses().isEmpty() ? Health.down() : Health.up();
    return builder
        .withDetail("peerId", host.peerId().toString())
        .withDetail(
            "listenAddresses", host.listenAddresses().stream().map(Object::toString).toList())
        .withDetail("connections", host.connections().size())
        .build();
  }
}
