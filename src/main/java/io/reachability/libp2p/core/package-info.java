/**
 * Core types of the embedded libp2p stack: {@link io.reachability.libp2p.core.PeerId}, {@link
 * io.reachability.libp2p.core.Multiaddr} and the error base {@link
 * io.reachability.libp2p.Libp2pException}. Spring-free.
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md">libp2p peer
 *     ids</a>
 * @see <a href="https://github.com/multiformats/multiaddr">multiaddr</a>
 */
@NullMarked
package io.reachability.libp2p.core;

import org.jspecify.annotations.NullMarked;
