/** The libp2p host: one identity, its addresses, connections and protocol handlers. */
@NullMarked
package io.reachability.libp2p.host;

import org.jspecify.annotations.NullMarked;
