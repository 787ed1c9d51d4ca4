package io.reachability.libp2p.crypto;

/**
 * The key types of the libp2p key envelope ({@code KeyType} in the {@code PublicKey}/{@code
 * PrivateKey} protobuf); the codes are the wire values.
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md#keys">peer-ids
 *     spec: keys</a>
 */
public enum KeyType {
  RSA(0),
  ED25519(1),
  SECP256K1(2),
  ECDSA(3);

  private static final KeyType[] BY_CODE = values();

  private final int code;

  KeyType(int code) {
    this.code = code;
  }

  /** The wire value of this type in the key envelope. */
  public int code() {
    return code;
  }

  /**
   * The type with this wire value.
   *
   * @throws CryptoException for a code that is not one of the four defined types
   */
  public static KeyType fromCode(int code) {
    // the codes are 0..3 in declaration order, so the ordinal is the code
    if (code < 0 || code >= BY_CODE.length) {
      throw new CryptoException("unknown key type " + Integer.toUnsignedString(code));
    }
    return BY_CODE[code];
  }
}
