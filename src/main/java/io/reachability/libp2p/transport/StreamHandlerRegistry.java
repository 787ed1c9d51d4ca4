package io.reachability.libp2p.transport;

import io.reachability.libp2p.core.ProtocolHandler;
import java.util.Collection;
import java.util.Optional;

/** The protocols a node serves on inbound streams; may change while connections are open. */
public interface StreamHandlerRegistry {

  /** Protocol ids currently served, in the order they are advertised. */
  Collection<String> protocols();

  Optional<ProtocolHandler> handler(String protocolId);
}
