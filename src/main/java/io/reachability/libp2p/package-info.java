/**
 * The embedded libp2p stack. Its packages, bottom up: {@code multiformats} (varints, multibase,
 * multihash, multiaddr protocols), {@code crypto} (keys), {@code core} (peer ids, multiaddrs,
 * connections, streams), {@code multistream}, {@code noise}, {@code yamux}, {@code transport},
 * {@code host}, {@code identify} and {@code ping}. This package holds only the base of every error
 * the stack reports, so each layer can extend it without depending on a layer above.
 */
@NullMarked
package io.reachability.libp2p;

import org.jspecify.annotations.NullMarked;
