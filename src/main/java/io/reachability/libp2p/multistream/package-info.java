/**
 * multistream-select 1.0: agrees on one protocol id on a fresh channel (the raw TCP connection, the
 * secured connection, or a yamux stream), then gets out of the way.
 *
 * <p>{@link io.reachability.libp2p.multistream.MultistreamHandler} is the state machine (one
 * instance per negotiation, initiator or responder), {@link
 * io.reachability.libp2p.multistream.MultistreamCodec} reads and writes single length-prefixed
 * messages, and {@link io.reachability.libp2p.multistream.Multistream} holds the protocol id and
 * every limit.
 *
 * @see <a href="https://github.com/multiformats/multistream-select">multistream-select
 *     specification</a>
 * @see <a
 *     href="https://github.com/libp2p/specs/blob/master/connections/README.md#protocol-negotiation">libp2p
 *     connections: protocol negotiation</a>
 */
@NullMarked
package io.reachability.libp2p.multistream;

import org.jspecify.annotations.NullMarked;
