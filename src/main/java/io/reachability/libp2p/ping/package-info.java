/** The libp2p ping protocol. */
@NullMarked
package io.reachability.libp2p.ping;

import org.jspecify.annotations.NullMarked;
