package io.reachability.config;

import io.reachability.access.KeyedRateLimiter;
import io.reachability.job.JobStore;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.kad.KadLookup;
import io.reachability.peercheck.PeerCheckService;
import io.reachability.peercheck.PeerCheckSettings;
import io.reachability.peercheck.PeerCheckValidator;
import io.reachability.peercheck.PeerChecker;
import io.reachability.peercheck.RequesterLimiter;
import io.reachability.peercheck.TargetRules;
import io.reachability.pool.DiscoverySettings;
import io.reachability.pool.ServerDiscovery;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Peer checks ({@code reach.peer-checks.*}, on unless {@code enabled=false}): the service on the
 * node's host, in the job store check jobs use. A peer given by id is looked up in the DHT from the
 * DHT nodes discovery has met (when it runs) and the bootstrap peers ({@code
 * reach.pool.discovery.bootstrap}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(
    name = "reach.peer-checks.enabled",
    havingValue = "true",
    matchIfMissing = true)
class PeerCheckConfiguration {

  @Bean
  TargetRules peerCheckTargetRules(PeerCheckSettings settings, Host host) {
    return new TargetRules(settings.allowPrivateAddresses(), host::canDial);
  }

  @Bean
  PeerCheckValidator peerCheckValidator(PeerCheckSettings settings, TargetRules rules, Host host) {
    return new PeerCheckValidator(settings, rules, host::resolve);
  }

  /**
   * Submissions per requester IP ({@code per-requester-per-minute}); the controller counts them.
   */
  @Bean
  RequesterLimiter peerCheckRequesters(PeerCheckSettings settings) {
    return new RequesterLimiter(settings.perRequesterPerMinute());
  }

  @Bean(destroyMethod = "close")
  PeerCheckService peerCheckService(
      JobStore store,
      Host host,
      TargetRules rules,
      PeerCheckSettings settings,
      DiscoverySettings discovery,
      ObjectProvider<ServerDiscovery> running,
      Clock jobClock) {
    PeerChecker checker = new PeerChecker(host);
    return new PeerCheckService(
        store,
        checker.asNetwork(
            () -> {
              Set<Multiaddr> nodes = new LinkedHashSet<>();
              ServerDiscovery found = running.getIfAvailable();
              if (found != null) {
                nodes.addAll(found.dhtNodes());
              }
              nodes.addAll(discovery.bootstrap());
              return new ArrayList<>(nodes);
            },
            rules::mayDial,
            // labs run many DHT nodes on one address; the public DHT does not
            rules.allowPrivate() ? Integer.MAX_VALUE : KadLookup.DEFAULT_MAX_CANDIDATES_PER_IP),
        rules,
        settings,
        new KeyedRateLimiter(settings.perTargetPerMinute()),
        jobClock);
  }

  @Bean
  PeerCheckMetrics peerCheckMetrics(PeerCheckService checks) {
    return new PeerCheckMetrics(checks);
  }
}
