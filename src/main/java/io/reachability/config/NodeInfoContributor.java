package io.reachability.config;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.host.Host;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.stereotype.Component;

/** Actuator info {@code node}: the peer id, listen addresses and agent of the embedded node. */
@Component
class NodeInfoContributor implements InfoContributor {

  private final Host host;

  NodeInfoContributor(Host host) {
    this.host = host;
  }

  @Override
  public void contribute(Info.Builder builder) {
    Map<String, Object> node = new LinkedHashMap<>();
    node.put("peerId", host.peerId().toString());
    node.put("listenAddresses", host.listenAddresses().stream().map(Multiaddr::toString).toList());
    node.put("agentVersion", host.settings().agentVersion());
    builder.withDetail("node", node);
  }
}
