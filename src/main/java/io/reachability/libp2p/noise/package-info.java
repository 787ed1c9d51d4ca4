/**
 * The libp2p Noise secure channel: {@code Noise_XX_25519_ChaChaPoly_SHA256} with the libp2p
 * handshake payload (identity key + signature over the static Noise key) and 2-byte length-prefixed
 * frames.
 *
 * <p>{@link io.reachability.libp2p.noise.NoiseHandshakeHandler} runs the handshake on a channel and
 * then replaces itself with {@link io.reachability.libp2p.noise.NoiseTransportCodec}. The Noise
 * state objects ({@code CipherState}, {@code SymmetricState}, {@code HandshakeState}) follow the
 * Noise Protocol Framework revision 34 section by section.
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/noise/README.md">noise-libp2p</a>
 * @see <a href="https://noiseprotocol.org/noise.html">The Noise Protocol Framework, revision 34</a>
 */
@NullMarked
package io.reachability.libp2p.noise;

import org.jspecify.annotations.NullMarked;
