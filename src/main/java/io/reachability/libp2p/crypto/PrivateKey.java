package io.reachability.libp2p.crypto;

/**
 * A private key of a libp2p key type; thread-safe. Its {@code toString()} never shows key material.
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md#keys">peer-ids
 *     spec: keys</a>
 */
public interface PrivateKey {

  KeyType type();

  PublicKey publicKey();

  /**
   * The signature of {@code data} in the format {@link PublicKey#verify} of this key type expects.
   */
  byte[] sign(byte[] data);

  /** The protobuf {@code PrivateKey{Type, Data}} encoding, as stored in identity key files. */
  byte[] marshal();
}
