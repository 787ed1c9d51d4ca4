/**
 * DNS multiaddrs ({@code /dns}, {@code /dns4}, {@code /dns6}, {@code /dnsaddr}), resolved when
 * dialed, with Netty's DNS resolver; every resolution bounded in depth, lookups, addresses and
 * time.
 */
@NullMarked
package io.reachability.libp2p.dns;

import org.jspecify.annotations.NullMarked;
