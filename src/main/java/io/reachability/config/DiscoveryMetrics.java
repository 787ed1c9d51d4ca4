package io.reachability.config;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.reachability.pool.ServerDiscovery;

/**
 * Server discovery as metrics ({@code /actuator/prometheus}): what the pool holds from the DHT now,
 * and what it cost the network so far.
 */
final class DiscoveryMetrics implements MeterBinder {

  static final String SERVERS = "reach.pool.discovery.servers";
  static final String DHT_NODES = "reach.pool.discovery.dht.nodes";
  static final String CANDIDATES = "reach.pool.discovery.candidates";
  static final String CONTACTS = "reach.pool.discovery.contacts";
  static final String QUERIES = "reach.pool.discovery.queries";
  static final String VETTED = "reach.pool.discovery.vetted";
  static final String ADMITTED = "reach.pool.discovery.admitted";
  static final String REPLACED = "reach.pool.discovery.replaced";

  private final ServerDiscovery discovery;

  DiscoveryMetrics(ServerDiscovery discovery) {
    this.discovery = discovery;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder(SERVERS, discovery, d -> d.status().servers())
        .description("Discovered AutoNAT v2 servers in the pool now")
        .register(registry);
    Gauge.builder(DHT_NODES, discovery, d -> d.status().dhtNodes())
        .description("DHT nodes known to ask")
        .register(registry);
    Gauge.builder(CANDIDATES, discovery, d -> d.status().candidates())
        .description("Peers heard of and waiting to be vetted")
        .register(registry);
    FunctionCounter.builder(CONTACTS, discovery, d -> d.status().contacts())
        .description("Peers dialed by discovery (DHT queries and vetting)")
        .register(registry);
    FunctionCounter.builder(QUERIES, discovery, d -> d.status().queries())
        .description("FIND_NODE queries sent")
        .register(registry);
    FunctionCounter.builder(VETTED, discovery, d -> d.status().vetted())
        .description("Peers dialed and identified to see whether they serve AutoNAT v2")
        .register(registry);
    FunctionCounter.builder(ADMITTED, discovery, d -> d.status().admitted())
        .description("Servers added to the pool")
        .register(registry);
    FunctionCounter.builder(REPLACED, discovery, d -> d.status().replaced())
        .description("Discovered servers dropped for failing or not serving AutoNAT v2")
        .register(registry);
  }
}
