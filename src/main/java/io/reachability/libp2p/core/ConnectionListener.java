package io.reachability.libp2p.core;

/** Receives connection events from a host. Called on the connection's event loop: do not block. */
public interface ConnectionListener {

  default void connected(Connection connection) {}

  default void disconnected(Connection connection) {}
}
