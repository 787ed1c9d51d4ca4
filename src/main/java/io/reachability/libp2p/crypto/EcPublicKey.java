package io.reachability.libp2p.crypto;

import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.jspecify.annotations.Nullable;

/**
 * A secp256k1 or ECDSA (NIST curve) public key; signatures are DER-encoded ECDSA over SHA-256.
 *
 * <ul>
 *   <li>secp256k1: {@code Data} is the 33-byte compressed point (the "Bitcoin encoding"); a 65-byte
 *       uncompressed point is read too and written back compressed, as go-libp2p does.
 *   <li>ECDSA: {@code Data} is a DER PKIX SubjectPublicKeyInfo with a named curve (P-256, P-384,
 *       P-521); written back with the uncompressed point, as go's {@code
 *       x509.MarshalPKIXPublicKey}.
 * </ul>
 *
 * @see <a
 *     href="https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md#secp256k1">peer-ids
 *     spec: Secp256k1</a>
 * @see <a href="https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md#ecdsa">peer-ids
 *     spec: ECDSA</a>
 */
final class EcPublicKey implements PublicKey {

  /** Length of a compressed secp256k1 point: the form libp2p writes. */
  static final int SECP256K1_COMPRESSED_BYTES = 33;

  /** Length of an uncompressed secp256k1 point: read for compatibility. */
  static final int SECP256K1_UNCOMPRESSED_BYTES = 65;

  private final KeyType type;
  private final ECPublicKeyParameters key;
  private final byte[] raw;
  private final byte[] marshalled;

  /**
   * @param curve the named curve of an ECDSA key (written into its PKIX form); null for secp256k1,
   *     whose encoding is the bare point
   */
  EcPublicKey(KeyType type, ECPublicKeyParameters key, @Nullable ASN1ObjectIdentifier curve) {
    this.type = type;
    this.key = key;
    this.raw = curve == null ? key.getQ().getEncoded(true) : pkix(key, curve);
    this.marshalled = KeyEnvelope.marshalPublic(type, raw);
  }

  static EcPublicKey secp256k1(byte[] data) {
    if (data.length != SECP256K1_COMPRESSED_BYTES && data.length != SECP256K1_UNCOMPRESSED_BYTES) {
      throw new CryptoException(
          "secp256k1 public key must be "
              + SECP256K1_COMPRESSED_BYTES
              + " bytes (compressed point), got "
              + data.length);
    }
    return new EcPublicKey(
        KeyType.SECP256K1,
        EcCurves.publicPoint(EcCurves.SECP256K1, data, "secp256k1 public key"),
        null);
  }

  static EcPublicKey ecdsa(byte[] data) {
    // the curve and the point bytes, read inside Der.read: BouncyCastle decodes some fields lazily
    Object[] curveAndPoint =
        Der.read(
            data,
            "ECDSA public key (PKIX)",
            sequence -> {
              SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(sequence);
              AlgorithmIdentifier algorithm = info.getAlgorithm();
              if (!X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm.getAlgorithm())) {
                throw new CryptoException(
                    "ECDSA public key has algorithm "
                        + algorithm.getAlgorithm()
                        + ", not id-ecPublicKey");
              }
              return new Object[] {algorithm.getParameters(), info.getPublicKeyData().getOctets()};
            });
    if (!(curveAndPoint[0] instanceof ASN1ObjectIdentifier)) {
      throw new CryptoException(
          "ECDSA public key must name its curve (explicit parameters are not accepted)");
    }
    ASN1ObjectIdentifier curve = (ASN1ObjectIdentifier) curveAndPoint[0];
    ECDomainParameters domain = EcCurves.ECDSA_CURVES.get(curve);
    if (domain == null) {
      throw new CryptoException(
          "ECDSA public key on unsupported curve "
              + curve
              + " (P-256, P-384 and P-521 are accepted)");
    }
    return new EcPublicKey(
        KeyType.ECDSA,
        EcCurves.publicPoint(domain, (byte[]) curveAndPoint[1], "ECDSA public key"),
        curve);
  }

  /** The form go's {@code x509.MarshalPKIXPublicKey} writes: named curve, uncompressed point. */
  private static byte[] pkix(ECPublicKeyParameters key, ASN1ObjectIdentifier curve) {
    try {
      return new SubjectPublicKeyInfo(
              new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve),
              new DERBitString(key.getQ().getEncoded(false)))
          .getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new CryptoException("cannot encode an ECDSA public key", e);
    }
  }

  ECPublicKeyParameters parameters() {
    return key;
  }

  @Override
  public KeyType type() {
    return type;
  }

  @Override
  public byte[] raw() {
    return raw.clone();
  }

  @Override
  public byte[] marshal() {
    return marshalled.clone();
  }

  @Override
  public boolean verify(byte[] data, byte[] signature) {
    return EcCurves.verify(key, data, signature);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof EcPublicKey ecPublicKey
        && Arrays.equals(marshalled, ecPublicKey.marshalled);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(marshalled);
  }

  @Override
  public String toString() {
    return "EcPublicKey[" + type + " " + HexFormat.of().formatHex(raw) + "]";
  }
}
