/** The Kademlia DHT ({@code /ipfs/kad/1.0.0}) as a client: {@code FIND_NODE} to learn of peers. */
@NullMarked
package io.reachability.libp2p.kad;

import org.jspecify.annotations.NullMarked;
