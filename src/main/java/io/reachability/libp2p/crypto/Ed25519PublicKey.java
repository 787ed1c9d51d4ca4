package io.reachability.libp2p.crypto;

import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 public key: {@code Data} is the 32-byte RFC 8032 encoding. The point is decoded and
 * checked once, when the key is read, and kept for every later verification.
 */
final class Ed25519PublicKey implements PublicKey {

  private final byte[] key;
  private final Ed25519.PublicPoint point;
  private final byte[] marshalled;

  private Ed25519PublicKey(byte[] key, Ed25519.PublicPoint point) {
    this.key = key;
    this.point = point;
    this.marshalled = KeyEnvelope.marshalPublic(KeyType.ED25519, key);
  }

  static Ed25519PublicKey fromRaw(byte[] data) {
    Ed25519Support.init();
    if (data.length != Ed25519.PUBLIC_KEY_SIZE) {
      throw new CryptoException(
          "Ed25519 public key must be " + Ed25519.PUBLIC_KEY_SIZE + " bytes, got " + data.length);
    }
    byte[] key = data.clone();
    // partial validation: a canonical encoding of a point on the curve (what verification needs)
    Ed25519.PublicPoint point = Ed25519.validatePublicKeyPartialExport(key, 0);
    if (point == null) {
      throw new CryptoException("Ed25519 public key is not a valid curve point");
    }
    return new Ed25519PublicKey(key, point);
  }

  @Override
  public KeyType type() {
    return KeyType.ED25519;
  }

  @Override
  public byte[] raw() {
    return key.clone();
  }

  @Override
  public byte[] marshal() {
    return marshalled.clone();
  }

  @Override
  public boolean verify(byte[] data, byte[] signature) {
    if (signature == null || signature.length != Ed25519.SIGNATURE_SIZE) {
      return false;
    }
    return Ed25519.verify(signature, 0, point, data, 0, data.length);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Ed25519PublicKey ed25519PublicKey
        && Arrays.equals(key, ed25519PublicKey.key);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(key);
  }

  @Override
  public String toString() {
    return "Ed25519PublicKey[" + HexFormat.of().formatHex(key) + "]";
  }
}
