package io.reachability.libp2p.noise;

import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * An X25519 key pair for the Noise {@code e} and {@code s} tokens, on BouncyCastle's low-level RFC
 * 7748 code (several times faster than the JDK provider).
 *
 * @see <a href="https://noiseprotocol.org/noise.html#the-25519-dh-functions">Noise: the 25519 DH
 *     functions</a>
 */
final class X25519KeyPair {

  private final byte[] privateKey;
  private final byte[] publicKey;

  private X25519KeyPair(byte[] privateKey) {
    this.privateKey = privateKey;
    this.publicKey = new byte[X25519.POINT_SIZE];
    X25519.generatePublicKey(privateKey, 0, publicKey, 0);
  }

  static X25519KeyPair generate(SecureRandom random) {
    byte[] k = new byte[X25519.SCALAR_SIZE];
    X25519.generatePrivateKey(random, k);
    return new X25519KeyPair(k);
  }

  /**
   * A key pair from fixed private key bytes (test vectors); clamping happens inside the scalar
   * multiplication.
   */
  static X25519KeyPair fromPrivateKey(byte[] privateKey) {
    if (privateKey.length != X25519.SCALAR_SIZE) {
      throw new IllegalArgumentException(
          "X25519 private key must be 32 bytes, got " + privateKey.length);
    }
    return new X25519KeyPair(privateKey.clone());
  }

  /** The 32-byte public key; callers must not modify it. */
  byte[] publicKey() {
    return publicKey;
  }

  /**
   * DH(this, remote). A low-order remote point gives an all-zero secret, which we reject rather
   * than mix a value an attacker chose into the keys.
   */
  byte[] agree(byte[] remotePublicKey) {
    if (remotePublicKey.length != X25519.POINT_SIZE) {
      throw new NoiseException("X25519 public key must be 32 bytes, got " + remotePublicKey.length);
    }
    byte[] shared = new byte[X25519.POINT_SIZE];
    if (!X25519.calculateAgreement(privateKey, 0, remotePublicKey, 0, shared, 0)) {
      throw new NoiseException(
          "X25519 agreement with a low-order public key (all-zero shared secret)");
    }
    return shared;
  }

  /** Overwrites the private key; the pair is unusable afterwards. */
  void destroy() {
    Arrays.fill(privateKey, (byte) 0);
  }
}
