/** Transports and the connection upgrade (security, multiplexer) to a libp2p connection. */
@NullMarked
package io.reachability.libp2p.transport;

import org.jspecify.annotations.NullMarked;
