package io.reachability.libp2p.noise;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The protocol id and every named limit of noise-libp2p. */
public final class Noise {

  /**
   * The multistream-select protocol id of the Noise secure channel.
   *
   * @see <a
   *     href="https://github.com/libp2p/specs/blob/master/noise/README.md#negotiation">noise-libp2p:
   *     negotiation</a>
   */
  public static final String PROTOCOL_ID = "/noise";

  /**
   * The one Noise protocol noise-libp2p speaks; it is hashed into the handshake state.
   *
   * @see <a
   *     href="https://github.com/libp2p/specs/blob/master/noise/README.md#noise-protocol-name">noise-libp2p:
   *     Noise protocol name</a>
   */
  public static final String PROTOCOL_NAME = "Noise_XX_25519_ChaChaPoly_SHA256";

  /**
   * Length in bytes of the big-endian length prefix of every frame.
   *
   * @see <a
   *     href="https://github.com/libp2p/specs/blob/master/noise/README.md#wire-format">noise-libp2p:
   *     wire format</a>
   */
  public static final int LENGTH_PREFIX_BYTES = 2;

  /**
   * Largest Noise message (handshake or transport) in one frame; the 2-byte prefix cannot express
   * more.
   *
   * @see <a href="https://noiseprotocol.org/noise.html#message-format">Noise: message format</a>
   */
  public static final int MAX_FRAME_LENGTH = 65535;

  /**
   * Length of the ChaCha20-Poly1305 authentication tag that every encrypted payload carries.
   *
   * @see <a href="https://noiseprotocol.org/noise.html#the-chachapoly-cipher-functions">Noise: the
   *     ChaChaPoly cipher functions</a>
   */
  public static final int TAG_LENGTH = 16;

  /**
   * Most plaintext bytes one transport frame carries; larger writes are split into several frames.
   *
   * @see <a
   *     href="https://github.com/libp2p/specs/blob/master/noise/README.md#wire-format">noise-libp2p:
   *     wire format</a>
   */
  public static final int MAX_PLAINTEXT_LENGTH = MAX_FRAME_LENGTH - TAG_LENGTH;

  /**
   * Length of an X25519 public key (the {@code e} and {@code s} tokens on the wire).
   *
   * @see <a href="https://noiseprotocol.org/noise.html#the-25519-dh-functions">Noise: the 25519 DH
   *     functions</a>
   */
  public static final int DH_LENGTH = 32;

  /**
   * Largest handshake payload we accept or send: what fits into message 2 next to {@code e} and the
   * encrypted {@code s} (message 3 has room for slightly more).
   *
   * @see <a
   *     href="https://github.com/libp2p/specs/blob/master/noise/README.md#the-libp2p-handshake-payload">noise-libp2p:
   *     the libp2p handshake payload</a>
   */
  public static final int MAX_HANDSHAKE_PAYLOAD_LENGTH =
      MAX_FRAME_LENGTH - DH_LENGTH - (DH_LENGTH + TAG_LENGTH) - TAG_LENGTH;

  /**
   * How long a handshake may take before the connection is closed.
   *
   * @see <a
   *     href="https://github.com/libp2p/specs/blob/master/noise/README.md#the-noise-handshake">noise-libp2p:
   *     the Noise handshake (the spec leaves the timeout to implementations; go-libp2p and
   *     jvm-libp2p use a few seconds)</a>
   */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Prefix of the data an identity key signs to vouch for its static Noise key.
   *
   * @see <a
   *     href="https://github.com/libp2p/specs/blob/master/noise/README.md#static-key-authentication">noise-libp2p:
   *     static key authentication</a>
   */
  public static final String STATIC_KEY_SIGNATURE_PREFIX = "noise-libp2p-static-key:";

  static final byte[] STATIC_KEY_SIGNATURE_PREFIX_BYTES =
      STATIC_KEY_SIGNATURE_PREFIX.getBytes(StandardCharsets.US_ASCII);

  private Noise() {}
}
