package io.reachability.interop;

/**
 * The identity key types every interop peer can run with ({@code --key-type}): each peer derives
 * its own peer id and signs its Noise handshake with it, so a connection to it proves our peer-id
 * derivation and signature checks against another implementation's real keys.
 */
public enum KeyType {
  ED25519("ed25519"),
  /** RSA 2048; rust-libp2p cannot generate RSA keys, so its peer is handed one (PKCS#8). */
  RSA("rsa"),
  SECP256K1("secp256k1"),
  /** ECDSA on P-256. */
  ECDSA("ecdsa");

  private final String flag;

  KeyType(String flag) {
    this.flag = flag;
  }

  /** The value of the peers' {@code --key-type} option. */
  public String flag() {
    return flag;
  }
}
