package io.reachability.config;

import io.reachability.autonat.AutonatClient;
import io.reachability.autonat.AutonatServer;
import io.reachability.autonat.AutonatServerSettings;
import io.reachability.libp2p.host.Host;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The AutoNAT v2 client (always) and server (with {@code reach.server.enabled=true}) on the node's
 * host.
 */
@Configuration(proxyBeanMethods = false)
class AutonatConfiguration {

  private static final Logger log = LoggerFactory.getLogger(AutonatConfiguration.class);

  @Bean(destroyMethod = "close")
  AutonatClient autonatClient(Host host, ClientProperties client) {
    AutonatClient autonat = new AutonatClient(host, client.toSettings());
    autonat.start();
    return autonat;
  }

  /**
   * The server role's settings, made at every start whether the role is on or off, so that a bad
   * {@code reach.server.*} value stops the start-up either way.
   */
  @Bean
  AutonatServerSettings autonatServerSettings(AutonatServerProperties server) {
    return server.toSettings();
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnProperty(prefix = "reach.server", name = "enabled", havingValue = "true")
  AutonatServer autonatServer(Host host, AutonatServerSettings settings) {
    AutonatServer autonat = new AutonatServer(host, settings);
    autonat.start();
    log.info(
        "AutoNAT v2 server enabled on {} (private addresses {})",
        host.peerId(),
        settings.allowPrivateAddresses() ? "allowed" : "refused");
    return autonat;
  }

  @Bean
  @ConditionalOnProperty(prefix = "reach.server", name = "enabled", havingValue = "true")
  AutonatServerMetrics autonatServerMetrics(AutonatServer server) {
    return new AutonatServerMetrics(server);
  }

  /**
   * go-libp2p's AutoNAT v2 metric families ({@code libp2p_autonatv2_*}) from the client and, with
   * the role on, the server.
   */
  @Bean
  AutonatV2Metrics autonatV2Metrics(AutonatClient client, ObjectProvider<AutonatServer> server) {
    return new AutonatV2Metrics(client, server.getIfAvailable());
  }
}
