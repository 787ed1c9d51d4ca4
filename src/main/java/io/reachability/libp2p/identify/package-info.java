/** The libp2p identify protocol. */
@NullMarked
package io.reachability.libp2p.identify;

import org.jspecify.annotations.NullMarked;
