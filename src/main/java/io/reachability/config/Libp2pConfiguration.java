package io.reachability.config;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.crypto.KeyFile;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.crypto.PrivateKey;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.host.HostSettings;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Builds and starts the embedded libp2p node from {@link NodeProperties}; stops it on shutdown. */
@Configuration(proxyBeanMethods = false)
class Libp2pConfiguration {

  private static final Logger log = LoggerFactory.getLogger(Libp2pConfiguration.class);

  /** Agent name announced over identify; the build version is appended when known. */
  static final String AGENT = "reachability-service";

  /** The node's settings: a bad {@code reach.node.*} value stops the start-up, naming the key. */
  @Bean
  HostSettings nodeSettings(NodeProperties node) {
    return node.toSettings();
  }

  @Bean(destroyMethod = "close")
  Host libp2pHost(
      NodeProperties node, HostSettings nodeSettings, ObjectProvider<BuildProperties> build) {
    PrivateKey key = identity(node);
    BuildProperties info = build.getIfAvailable();
    String agent = info == null ? AGENT : AGENT + "/" + info.getVersion();
    return startHost(key, node, nodeSettings, agent);
  }

  private static Host startHost(
      PrivateKey key, NodeProperties node, HostSettings settings, String agent) {
    var builder =
        Host.builder().identity(key).settings(settings).agentVersion(agent).threadName("node");
    for (Multiaddr address : node.listenAddresses()) {
      builder.listen(address);
    }
    Host host = builder.build().start();
    log.info("node peer id {}", host.peerId());
    for (Multiaddr address : host.listenAddresses()) {
      log.info("node listening on {}/p2p/{}", address, host.peerId());
    }
    return host;
  }

  private static PrivateKey identity(NodeProperties node) {
    if (node.identityFile().isBlank()) {
      log.info(
          "reach.node.identity-file is empty: using an ephemeral identity (a new peer id on every"
              + " start)");
      return Keys.generateEd25519();
    }
    Path file = Path.of(node.identityFile());
    PrivateKey key = KeyFile.loadOrCreate(file);
    log.info("node identity from {}", file.toAbsolutePath());
    return key;
  }
}
