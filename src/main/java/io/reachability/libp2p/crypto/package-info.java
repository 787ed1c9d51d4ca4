/**
 * libp2p keys: the protobuf key envelopes, the node's own Ed25519 identity, verification of remote
 * Ed25519, secp256k1, ECDSA and RSA keys, and the identity key file.
 *
 * <p>Ed25519 uses BouncyCastle's low-level {@code org.bouncycastle.math.ec.rfc8032.Ed25519}, not
 * the JDK provider: measured on our build machine, a sign takes 79 µs instead of 1470 µs and a
 * verify 208 µs instead of 1582 µs (JDK 17; JDK 25 about the same). Every AutoNAT check costs a
 * fresh Noise handshake with one sign and one verify per side, so this is most of the handshake
 * budget.
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md">libp2p peer-ids
 *     spec</a>
 */
@NullMarked
package io.reachability.libp2p.crypto;

import org.jspecify.annotations.NullMarked;
