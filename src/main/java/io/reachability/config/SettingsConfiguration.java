package io.reachability.config;

import io.reachability.job.JobSettings;
import io.reachability.monitor.MonitorSettings;
import io.reachability.peercheck.PeerCheckSettings;
import io.reachability.pool.DiscoverySettings;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Settings records made from the properties at start, whether or not their feature is on: a bad
 * value stops the start-up with a message naming its {@code reach.*} key.
 */
@Configuration(proxyBeanMethods = false)
class SettingsConfiguration {

  @Bean
  JobSettings jobSettings(JobsProperties properties) {
    return properties.toSettings();
  }

  @Bean
  MonitorSettings monitorSettings(MonitorProperties properties) {
    return properties.toSettings();
  }

  @Bean
  PeerCheckSettings peerCheckSettings(PeerCheckProperties properties) {
    return properties.toSettings();
  }

  @Bean
  DiscoverySettings discoverySettings(PoolProperties properties) {
    return properties.discovery().toSettings();
  }
}
