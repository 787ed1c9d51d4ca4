package io.reachability.libp2p.crypto;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 private key. The envelope {@code Data} is 64 bytes: the 32-byte seed followed by the
 * 32-byte public key, as the spec and go/js/rust write it. The public key is derived once and
 * passed to every signature, so signing costs one base-point multiplication, not two.
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md#ed25519">peer-ids
 *     spec: Ed25519</a>
 */
final class Ed25519PrivateKey implements PrivateKey {

  /** Length of the seed (RFC 8032 private key). */
  static final int SEED_BYTES = Ed25519.SECRET_KEY_SIZE;

  /** Length of {@code Data} as written by every implementation: seed ‖ public key. */
  static final int SEED_AND_PUBLIC_BYTES = SEED_BYTES + Ed25519.PUBLIC_KEY_SIZE;

  /**
   * Old go-libp2p keys carry the public key twice (seed ‖ public ‖ public); go still reads them.
   */
  static final int LEGACY_REDUNDANT_BYTES = SEED_AND_PUBLIC_BYTES + Ed25519.PUBLIC_KEY_SIZE;

  private final byte[] seed;
  private final byte[] publicBytes;
  private final Ed25519PublicKey publicKey;

  private Ed25519PrivateKey(byte[] seed) {
    Ed25519Support.init();
    this.seed = seed;
    this.publicBytes = new byte[Ed25519.PUBLIC_KEY_SIZE];
    Ed25519.generatePublicKey(seed, 0, publicBytes, 0);
    this.publicKey = Ed25519PublicKey.fromRaw(publicBytes);
  }

  static Ed25519PrivateKey generate(SecureRandom random) {
    Ed25519Support.init();
    byte[] seed = new byte[SEED_BYTES];
    Ed25519.generatePrivateKey(random, seed);
    return new Ed25519PrivateKey(seed);
  }

  static Ed25519PrivateKey fromSeed(byte[] seed) {
    if (seed.length != SEED_BYTES) {
      throw new CryptoException(
          "Ed25519 seed must be " + SEED_BYTES + " bytes, got " + seed.length);
    }
    return new Ed25519PrivateKey(seed.clone());
  }

  /**
   * Reads {@code Data}: seed ‖ public key (the standard form), the bare seed, or the legacy 96-byte
   * form.
   */
  static Ed25519PrivateKey fromRaw(byte[] data) {
    if (data.length == SEED_BYTES) {
      return fromSeed(data);
    }
    if (data.length == LEGACY_REDUNDANT_BYTES) {
      if (!Arrays.equals(
          data,
          SEED_BYTES,
          SEED_AND_PUBLIC_BYTES,
          data,
          SEED_AND_PUBLIC_BYTES,
          LEGACY_REDUNDANT_BYTES)) {
        throw new CryptoException(
            "Ed25519 private key of 96 bytes: the two copies of the public key differ");
      }
    } else if (data.length != SEED_AND_PUBLIC_BYTES) {
      throw new CryptoException(
          "Ed25519 private key must be "
              + SEED_AND_PUBLIC_BYTES
              + " bytes (seed and public key) or "
              + SEED_BYTES
              + " bytes (seed), got "
              + data.length);
    }
    Ed25519PrivateKey key = new Ed25519PrivateKey(Arrays.copyOf(data, SEED_BYTES));
    // a mismatch means a corrupt or hand-edited key: signing would produce signatures nobody can
    // verify
    if (!MessageDigest.isEqual(
        key.publicBytes, Arrays.copyOfRange(data, SEED_BYTES, SEED_AND_PUBLIC_BYTES))) {
      throw new CryptoException(
          "Ed25519 private key: the embedded public key does not match the seed");
    }
    return key;
  }

  @Override
  public KeyType type() {
    return KeyType.ED25519;
  }

  @Override
  public PublicKey publicKey() {
    return publicKey;
  }

  @Override
  public byte[] sign(byte[] data) {
    byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
    Ed25519.sign(seed, 0, publicBytes, 0, data, 0, data.length, signature, 0);
    return signature;
  }

  @Override
  public byte[] marshal() {
    byte[] data = new byte[SEED_AND_PUBLIC_BYTES];
    System.arraycopy(seed, 0, data, 0, SEED_BYTES);
    System.arraycopy(publicBytes, 0, data, SEED_BYTES, Ed25519.PUBLIC_KEY_SIZE);
    byte[] marshalled = KeyEnvelope.marshalPrivate(KeyType.ED25519, data);
    Arrays.fill(data, (byte) 0);
    return marshalled;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Ed25519PrivateKey ed25519PrivateKey
        && MessageDigest.isEqual(seed, ed25519PrivateKey.seed);
  }

  @Override
  public int hashCode() {
    return publicKey.hashCode();
  }

  @Override
  public String toString() {
    // never the seed
    return "Ed25519PrivateKey[public=" + publicKey + "]";
  }
}
