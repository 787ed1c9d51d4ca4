/**
 * The libp2p TLS 1.3 handshake's peer authentication: self-signed certificates carrying the host
 * key in the libp2p Public Key Extension, and their verification.
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/tls/tls.md">libp2p TLS spec</a>
 */
@NullMarked
package io.reachability.libp2p.tls;

import org.jspecify.annotations.NullMarked;
