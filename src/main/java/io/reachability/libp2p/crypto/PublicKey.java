package io.reachability.libp2p.crypto;

/**
 * A public key of any libp2p key type; immutable and thread-safe.
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md#keys">peer-ids
 *     spec: keys</a>
 */
public interface PublicKey {

  KeyType type();

  /** The key bytes as carried in the {@code Data} field of the envelope (a defensive copy). */
  byte[] raw();

  /**
   * The deterministic protobuf {@code PublicKey{Type, Data}} encoding; the input of the peer id.
   */
  byte[] marshal();

  /**
   * Whether {@code signature} is a valid signature of {@code data} by this key. Returns {@code
   * false} for a wrong or malformed signature (wrong length, bad DER, out-of-range values); never
   * throws for bad signature bytes.
   */
  boolean verify(byte[] data, byte[] signature);
}
