/**
 * AutoNAT v2: per-address reachability checks with nonce-verified dial-backs and amplification
 * protection. {@link io.reachability.autonat.AutonatClient} asks servers to dial addresses back;
 * {@link io.reachability.autonat.AutonatServer} serves other peers. Spring-free.
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/autonat/autonat-v2.md">AutoNAT v2
 *     spec</a>
 */
@NullMarked
package io.reachability.autonat;

import org.jspecify.annotations.NullMarked;
