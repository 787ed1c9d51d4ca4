package io.reachability.libp2p.crypto;

import java.security.SecureRandom;

/**
 * Reads libp2p key envelopes and makes new identity keys; holds the named limits for untrusted
 * keys.
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md#keys">peer-ids
 *     spec: keys</a>
 */
public final class Keys {

  /**
   * Largest marshalled public key read, checked before parsing. The largest legitimate key is an
   * 8192-bit RSA key: its PKIX SubjectPublicKeyInfo is about 1.05 KiB, plus a few bytes of
   * envelope; 2 KiB leaves room while keeping a hostile peer from making us parse arbitrary blobs.
   */
  public static final int MAX_PUBLIC_KEY_BYTES = 2048;

  /**
   * Largest marshalled private key read (identity files). An 8192-bit RSA PKCS#1 private key is
   * about 4.7 KiB; 8 KiB leaves room and still rejects a wrong file (an image, a log) before
   * parsing.
   */
  public static final int MAX_PRIVATE_KEY_BYTES = 8192;

  /**
   * Smallest RSA modulus accepted, as go-libp2p ({@code MinRsaKeyBits}).
   *
   * @see <a href="https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md#rsa">peer-ids
   *     spec: RSA</a>
   */
  public static final int MIN_RSA_KEY_BITS = 2048;

  /**
   * Largest RSA modulus accepted, as go-libp2p ({@code maxRsaKeyBits}): verification cost grows
   * with the modulus, so a peer must not pick it freely.
   */
  public static final int MAX_RSA_KEY_BITS = 8192;

  private Keys() {}

  /**
   * Reads a protobuf {@code PublicKey} envelope.
   *
   * @throws CryptoException when the bytes are empty or over {@link #MAX_PUBLIC_KEY_BYTES}, the
   *     protobuf is malformed, the type is unknown, or the key is invalid for its type (including
   *     RSA outside {@link #MIN_RSA_KEY_BITS}..{@link #MAX_RSA_KEY_BITS})
   */
  public static PublicKey unmarshalPublicKey(byte[] protobuf) {
    KeyEnvelope.Parsed parsed = KeyEnvelope.parsePublic(protobuf);
    return publicKeyFromRaw(parsed.type(), parsed.data());
  }

  /**
   * Reads the {@code Data} of a public key envelope of the given type.
   *
   * @throws CryptoException when the key is invalid for its type
   */
  public static PublicKey publicKeyFromRaw(KeyType type, byte[] data) {
    return switch (type) {
      case ED25519 -> Ed25519PublicKey.fromRaw(data);
      case SECP256K1 -> EcPublicKey.secp256k1(data);
      case ECDSA -> EcPublicKey.ecdsa(data);
      case RSA -> RsaKeys.publicKey(data);
      default -> throw new AssertionError(type);
    };
  }

  /**
   * Reads a protobuf {@code PrivateKey} envelope (an identity key file).
   *
   * @throws CryptoException when the bytes are empty or over {@link #MAX_PRIVATE_KEY_BYTES}, the
   *     protobuf is malformed, the type is unknown, or the key is invalid
   */
  public static PrivateKey unmarshalPrivateKey(byte[] protobuf) {
    KeyEnvelope.Parsed parsed = KeyEnvelope.parsePrivate(protobuf);
    return switch (parsed.type()) {
      case ED25519 -> Ed25519PrivateKey.fromRaw(parsed.data());
      case SECP256K1 -> EcPrivateKey.secp256k1(parsed.data());
      case ECDSA -> EcPrivateKey.ecdsa(parsed.data());
      case RSA -> RsaKeys.privateKey(parsed.data());
      default -> throw new AssertionError(parsed.type());
    };
  }

  /** A fresh Ed25519 key from a secure random source. */
  public static PrivateKey generateEd25519() {
    return Ed25519PrivateKey.generate(Ed25519Support.RANDOM);
  }

  /** A fresh Ed25519 key from the given source (tests: a seeded source gives reproducible keys). */
  public static PrivateKey generateEd25519(SecureRandom random) {
    return Ed25519PrivateKey.generate(random);
  }

  /**
   * The Ed25519 key with this 32-byte RFC 8032 seed.
   *
   * @throws CryptoException when the seed is not 32 bytes
   */
  public static PrivateKey ed25519FromSeed(byte[] seed) {
    return Ed25519PrivateKey.fromSeed(seed);
  }
}
