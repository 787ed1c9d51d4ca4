package io.reachability.libp2p.core;

/**
 * Serves (or drives) one protocol on a freshly negotiated stream. Called on the stream's event loop
 * before any application byte is delivered: install the protocol's handlers in {@code
 * stream.channel().pipeline()} here.
 */
@FunctionalInterface
public interface ProtocolHandler {

  void initStream(Stream stream);
}
